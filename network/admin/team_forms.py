"""The forms of the team page: invite an address with a role, change a role, set the password
of an invitation."""

from wtforms import EmailField, PasswordField, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from network.admin.roles import DESCRIPTIONS, LABELS, ROLES
from network.admin.services import MIN_PASSWORD_LENGTH
from network.forms import Form

# Each role with what it opens: the choice is made knowing what it gives.
ROLE_CHOICES = [SelectChoice(role, f"{LABELS[role]} : {DESCRIPTIONS[role]}") for role in ROLES]


def role_field(label: str) -> RadioField:
    return RadioField(label, choices=ROLE_CHOICES, invalid_choice_message="Choisissez un rôle.")


class InviteForm(Form):
    email = EmailField("Adresse e-mail", validators=[
        DataRequired("Indiquez l'adresse e-mail de la personne à inviter."),
        Length(max=254, message="254 caractères au maximum."),
        Email("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
              check_deliverability=False)])
    role = role_field("Rôle")
    submit = SubmitField("Envoyer l'invitation")


class RoleForm(Form):
    role = role_field("Nouveau rôle")
    submit = SubmitField("Changer le rôle")


class InvitationPasswordForm(Form):
    password = PasswordField(
        "Mot de passe", description=f"Au moins {MIN_PASSWORD_LENGTH} caractères.",
        validators=[DataRequired("Choisissez un mot de passe."),
                    Length(min=MIN_PASSWORD_LENGTH,
                           message=f"Au moins {MIN_PASSWORD_LENGTH} caractères.")],
        render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(
        "Le même mot de passe, une seconde fois",
        validators=[DataRequired("Retapez le mot de passe."),
                    EqualTo("password", "Les deux mots de passe ne sont pas identiques.")],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Activer mon compte")
