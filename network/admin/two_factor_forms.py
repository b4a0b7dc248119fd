"""The forms of the second factor: its set-up, the sign-in's second step, the password asked
again before a change."""

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired

from network.forms import Form

# The code of an authenticator app: browsers and password managers offer to fill it in.
CODE_FIELD = {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false",
              "autocapitalize": "off", "maxlength": "12"}


class SetUpForm(Form):
    code = StringField("Code à 6 chiffres affiché par l'application",
                       validators=[DataRequired("Saisissez le code à 6 chiffres que votre "
                                                "application affiche.")],
                       render_kw=CODE_FIELD)
    submit = SubmitField("Activer la double authentification")


class SignInCodeForm(Form):
    """The second step of the sign-in: the app's code, or (in its own form on the page) a
    recovery code; the page sends one of them."""

    code = StringField("Code à 6 chiffres de votre application", render_kw=CODE_FIELD)
    recovery_code = StringField("Code de secours",
                                render_kw={"autocomplete": "off", "spellcheck": "false",
                                           "autocapitalize": "characters", "maxlength": "30"})
    submit = SubmitField("Valider")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.code.data or "").strip() and not (
                self.recovery_code.data or "").strip():
            self.code.errors.append("Saisissez le code à 6 chiffres que votre application "
                                    "affiche.")
            return False
        return valid


class PasswordAgainForm(Form):
    """The password asked again before a change to the second factor: a session left open on a
    shared computer is not enough."""

    password = PasswordField("Votre mot de passe",
                             validators=[DataRequired("Saisissez votre mot de passe.")],
                             render_kw={"autocomplete": "current-password"})
