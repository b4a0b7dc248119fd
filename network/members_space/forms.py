from wtforms import BooleanField, SearchField, SelectChoice, SubmitField
from wtforms.validators import Optional

from network.forms import Form
from network.membership.forms import (
    CheckboxListField,
    ContactDetailsForm,
    department_choices,
    email_field,
    qvt_field_choices,
)
from network.reference import PROFILES


class SignInForm(Form):
    email = email_field()
    submit = SubmitField("Recevoir mon lien de connexion")


class UseLinkForm(Form):
    submit = SubmitField("Ouvrir mon espace membre")


class ConfirmEmailForm(Form):
    submit = SubmitField("Confirmer ma nouvelle adresse")


class MyDetailsForm(ContactDetailsForm):
    receive_mailings = BooleanField(
        "Recevoir les envois du réseau (lettres d'information, appels à projets…)",
        description="Les e-mails liés à votre adhésion (renouvellement annuel, événements "
                    "auxquels vous êtes inscrit·e) vous parviennent dans tous les cas.")
    submit = SubmitField("Enregistrer")

    @staticmethod
    def initial_data(person) -> dict:
        return {**ContactDetailsForm.initial_data(person),
                "receive_mailings": not person.mailings_opt_out}


class LeaveSpaceForm(Form):
    submit = SubmitField("Je confirme : je quitte le réseau")


class DirectorySearchForm(Form):
    class Meta:
        csrf = False

    q = SearchField("Nom ou structure", validators=[Optional()])
    profil = CheckboxListField("Profil", choices=[SelectChoice(k, v) for k, v in PROFILES])
    departement = CheckboxListField("Département")
    champ = CheckboxListField("Champ de la QVT")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.departement.choices = department_choices()
        self.champ.choices = qvt_field_choices()
