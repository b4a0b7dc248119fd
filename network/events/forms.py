from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from network.events.models import EVENT_KIND_LABELS
from network.forms import Form
from network.membership.forms import REQUIRED, email_field


class GuestRegistrationForm(Form):
    """A non-member's registration to a public event (confirmed by e-mail)."""

    name = StringField("Prénom et nom", validators=[
        DataRequired(REQUIRED), Length(max=200, message="200 caractères au maximum.")],
        render_kw={"autocomplete": "name"})
    email = email_field()
    organisation = StringField("Structure (facultatif)", validators=[
        Optional(), Length(max=200, message="200 caractères au maximum.")],
        render_kw={"autocomplete": "organization"})
    submit = SubmitField("Recevoir le lien de confirmation")


class RegisterForm(Form):
    submit = SubmitField("Je m'inscris")


class ConfirmForm(Form):
    submit = SubmitField("Confirmer mon inscription")


class CancelForm(Form):
    submit = SubmitField("Je libère ma place")


class EventFilterForm(Form):
    class Meta:
        csrf = False

    type = SelectField("Type", choices=[SelectChoice("", "Tous les types")] + [
        SelectChoice(code.value, label) for code, label in EVENT_KIND_LABELS.items()],
        validators=[Optional()])
    theme = SelectField("Thème", choices=[SelectChoice("", "Tous les thèmes")],
                        validators=[Optional()])
    annee = SelectField("Année", choices=[SelectChoice("", "Toutes les années")],
                        validators=[Optional()])
