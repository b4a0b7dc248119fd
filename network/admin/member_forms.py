from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from network.forms import Form
from network.membership.forms import (
    CheckboxListField,
    ContactDetailsForm,
    department_choices,
    qvt_field_choices,
)
from network.membership.models import EXIT_REASON_LABELS, STATUS_LABELS, ExitReason
from network.membership.search import SORTS, PersonFilter
from network.reference import PROFILES


class MemberFilterForm(Form):
    """The filters of the members list, read from the query string (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    q = SearchField("Rechercher (nom, e-mail, structure)", validators=[Optional()])
    statut = CheckboxListField("Statut", choices=[SelectChoice(k, v)
                                                  for k, v in STATUS_LABELS.items()])
    profil = CheckboxListField("Profil", choices=[SelectChoice(k, v) for k, v in PROFILES])
    departement = CheckboxListField("Département")
    champ = CheckboxListField("Champ de la QVT")
    du = DateField("Membre depuis le (au plus tôt)", validators=[Optional()])
    au = DateField("Membre depuis le (au plus tard)", validators=[Optional()])
    sans_accueil = BooleanField("N'a pas suivi le module d'accueil")
    adresse_en_echec = BooleanField("Adresse e-mail en échec")
    tri = SelectField("Trier par", choices=[
        SelectChoice("nom", "Nom"), SelectChoice("structure", "Structure"),
        SelectChoice("statut", "Statut"), SelectChoice("adhesion", "Date d'adhésion"),
        SelectChoice("candidature", "Date de candidature")], default="nom")
    ordre = SelectField("Ordre", choices=[SelectChoice("asc", "croissant"),
                                          SelectChoice("desc", "décroissant")], default="asc")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.departement.choices = department_choices()
        self.champ.choices = qvt_field_choices()

    def criteria(self) -> PersonFilter:
        # Invalid values (a typed-in date, an unknown sort) are dropped rather than refused.
        self.validate()
        return PersonFilter(
            text=self.q.data or "", statuses=self.statut.data or [],
            profiles=self.profil.data or [], department_codes=self.departement.data or [],
            qvt_field_codes=self.champ.data or [],
            joined_from=self.du.data if not self.du.errors else None,
            joined_to=self.au.data if not self.au.errors else None,
            without_welcome_module=bool(self.sans_accueil.data),
            bounced_only=bool(self.adresse_en_echec.data),
            sort=self.tri.data if self.tri.data in SORTS else "nom",
            descending=self.ordre.data == "desc")


class MemberDetailsForm(ContactDetailsForm):
    submit = SubmitField("Enregistrer les modifications")


class ConfirmForm(Form):
    submit = SubmitField("Confirmer")


class ExitForm(Form):
    # A refused application is the admission review's own action, its reason e-mailed.
    reason = RadioField("Motif de sortie", choices=[
        SelectChoice(r.value, EXIT_REASON_LABELS[r]) for r in ExitReason
        if r != ExitReason.APPLICATION_REFUSED],
        default=ExitReason.REMOVED_BY_ADMIN.value,
        validators=[DataRequired("Choisissez un motif.")])
    comment = StringField("Précision (facultatif)", validators=[
        Optional(), Length(max=200, message="200 caractères au maximum.")])
    confirm = BooleanField("Je confirme la sortie de cette personne du réseau",
                           validators=[DataRequired("Cochez la case pour confirmer.")])
    submit = SubmitField("Enregistrer la sortie")


class NoteForm(Form):
    text = TextAreaField("Nouvelle note", validators=[
        DataRequired("La note est vide."), Length(max=2000, message="2000 caractères au maximum.")])
    submit = SubmitField("Ajouter la note")
