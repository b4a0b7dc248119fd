"""The back-office forms of the events: times are typed in Paris time, stored in UTC."""

from datetime import UTC, datetime

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from network.events.models import (
    AUDIENCE_LABELS,
    EVENT_KIND_LABELS,
    EVENT_MODE_LABELS,
    Event,
    EventMode,
)
from network.forms import CHOOSE, Form
from network.membership.forms import REQUIRED, CheckboxListField, department_choices
from network.reference import PROFILES
from network.templating import PARIS

WHEN_FORMAT = "%Y-%m-%dT%H:%M"
URL_MESSAGE = "Saisissez une adresse complète, par exemple https://visio.exemple.fr/…"


def _choices(labels: dict) -> list[SelectChoice]:
    """A required choice without a default: « — Choisir — » first, refused if kept."""
    return [CHOOSE] + [SelectChoice(code.value, label) for code, label in labels.items()]


def _moment(label: str, required: bool = False) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=WHEN_FORMAT, validators=[
        DataRequired("Indiquez la date et l'heure.") if required else Optional()],
        description="Heure de Paris.")


class EventForm(Form):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Type", choices=_choices(EVENT_KIND_LABELS),
                       validators=[DataRequired("Choisissez le type d'événement.")],
                       description="Le Rendez-vous annuel du réseau a lieu pendant la Semaine "
                                   "QVT, en juin : ses pages le disent.")
    themes = StringField("Thèmes (facultatif)", validators=[Length(max=300)],
                         description="Séparés par des virgules, par exemple : Télétravail, "
                                     "Dialogue social.")
    summary = StringField("Résumé (facultatif)", validators=[Length(max=500)],
                          description="Une phrase, reprise dans la liste et les invitations.")
    description = TextAreaField("Description (Markdown, facultatif)",
                                validators=[Length(max=20_000)], render_kw={"rows": 8})
    starts_at = _moment("Début", required=True)
    ends_at = _moment("Fin", required=True)
    mode = SelectField("Format", choices=_choices(EVENT_MODE_LABELS),
                       validators=[DataRequired("Choisissez le format.")])
    address = StringField("Adresse (sur place)", validators=[Length(max=300)])
    online_url = URLField("Lien de connexion (à distance)", validators=[
        Optional(), URL(message=URL_MESSAGE), Length(max=500)],
        description="Donné seulement aux personnes inscrites.")
    capacity = IntegerField("Nombre de places (facultatif)", validators=[
        Optional(), NumberRange(min=1, message="Au moins une place.")],
        description="Au-delà, les inscriptions vont sur la liste d'attente.")
    registration_opens_at = _moment("Ouverture des inscriptions (facultatif)")
    registration_closes_at = _moment("Clôture des inscriptions (facultatif)")
    audience = SelectField("Public", choices=_choices(AUDIENCE_LABELS),
                           validators=[DataRequired("Choisissez le public.")])
    submit = SubmitField("Enregistrer")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.starts_at.data, self.ends_at.data
        if start and end and end <= start:
            self.ends_at.errors = [*self.ends_at.errors, "La fin doit suivre le début."]
            valid = False
        closes = self.registration_closes_at.data
        if closes and start and closes > start:
            self.registration_closes_at.errors = [
                *self.registration_closes_at.errors,
                "Les inscriptions ferment au plus tard au début de l'événement."]
            valid = False
        # Without a format (« — Choisir — », refused by its own validator), no place is asked.
        mode = self.mode.data
        if mode and mode != EventMode.REMOTE and not (self.address.data or "").strip():
            self.address.errors = [*self.address.errors, "Indiquez l'adresse du lieu."]
            valid = False
        if mode and mode != EventMode.IN_PERSON and not self.online_url.data:
            self.online_url.errors = [*self.online_url.errors,
                                      "Indiquez le lien de connexion."]
            valid = False
        return valid

    @classmethod
    def data_of(cls, event: Event) -> dict:
        def local(moment: datetime | None):
            return moment.astimezone(PARIS).replace(tzinfo=None) if moment else None

        return {"title": event.title, "kind": event.kind, "themes": ", ".join(event.theme_names),
                "summary": event.summary, "description": event.description_markdown,
                "starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
                "mode": event.mode, "address": event.address, "online_url": event.online_url,
                "capacity": event.capacity,
                "registration_opens_at": local(event.registration_opens_at),
                "registration_closes_at": local(event.registration_closes_at),
                "audience": event.audience}

    def paris(self, field) -> datetime | None:
        """The moment typed, read in Paris time (DST included), as an aware UTC datetime."""
        return field.data.replace(tzinfo=PARIS).astimezone(UTC) if field.data else None


class ConfirmForm(Form):
    confirm = BooleanField("Je confirme", validators=[
        DataRequired("Cochez la case pour confirmer.")])
    submit = SubmitField("Confirmer")


class MaterialForm(Form):
    title = StringField("Titre du support", validators=[DataRequired(REQUIRED),
                                                        Length(max=200)])
    url = URLField("Adresse (lien)", validators=[DataRequired(REQUIRED), URL(message=URL_MESSAGE),
                                                Length(max=500)])
    announce = BooleanField("Prévenir les participants par e-mail")
    submit = SubmitField("Ajouter le support")


class InvitationForm(Form):
    profiles = CheckboxListField("Profils", choices=[SelectChoice(k, v) for k, v in PROFILES])
    departments = CheckboxListField("Départements")
    without_welcome_module = BooleanField(
        "Seulement les membres qui n'ont pas encore suivi le module d'accueil")
    confirm = BooleanField("Je confirme l'envoi de l'invitation à ces membres")
    submit = SubmitField("Voir le nombre de destinataires")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.departments.choices = department_choices()


class WalkInSearchForm(Form):
    """Find a member who came without registering (read from the query string: it only reads)."""

    class Meta:
        csrf = False

    q = SearchField("Nom ou adresse e-mail du membre", validators=[Optional()])


class WalkInMemberForm(Form):
    """The member chosen among those found (each found member's button posts their id)."""

    person = IntegerField("Membre", validators=[DataRequired()], widget=HiddenInput())


class WalkInGuestForm(Form):
    """Someone from outside the network who came without registering."""

    name = StringField("Prénom et nom", validators=[
        DataRequired(REQUIRED), Length(max=200, message="200 caractères au maximum.")])
    organisation = StringField("Structure (facultatif)", validators=[
        Optional(), Length(max=200, message="200 caractères au maximum.")])
    email = EmailField("Adresse e-mail (facultatif)", validators=[
        Optional(), Length(max=254, message="254 caractères au maximum."),
        Email(message="Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
              check_deliverability=False)])
    submit = SubmitField("Ajouter comme présent·e")
