import functools

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from network.extensions import db
from network.forms import Form
from network.membership.models import Department, Person, QvtField
from network.membership.services import ContactDetails, privacy_consent_needed
from network.reference import PROFILES

REQUIRED = _l("Ce champ est obligatoire.")


def department_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in _departments()]


def qvt_field_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in _qvt_fields()]


# Reference data: only the migrations write these tables, and the services restart after
# `flask db upgrade`, so each process reads them once (the member list and every form use them).
@functools.cache
def _departments() -> tuple[tuple[str, str], ...]:
    return tuple((d.code, f"{d.code} – {d.name}")
                 for d in db.session.scalars(select(Department).order_by(Department.code)))


@functools.cache
def _qvt_fields() -> tuple[tuple[str, str], ...]:
    return tuple((f.code, f.label)
                 for f in db.session.scalars(select(QvtField).order_by(QvtField.position)))


def email_field(**kwargs) -> EmailField:
    return EmailField(_l("Adresse e-mail"), validators=[
        DataRequired(REQUIRED), Length(max=254, message=_l("254 caractères au maximum.")),
        Email(message=_l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."),
              check_deliverability=False)], render_kw={"autocomplete": "email"}, **kwargs)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContactDetailsForm(Form):
    """The practitioner's details: shared by the sign-up, the member space and the renewal."""

    first_name = StringField(_l("Prénom"), validators=[
        DataRequired(REQUIRED), Length(max=100, message=_l("100 caractères au maximum."))],
        render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Nom"), validators=[
        DataRequired(REQUIRED), Length(max=100, message=_l("100 caractères au maximum."))],
        render_kw={"autocomplete": "family-name"})
    email = email_field(
        description=_l("Tous les messages du réseau vous seront envoyés à cette adresse."))
    phone = TelField(_l("Téléphone (facultatif)"), validators=[
        Optional(), Length(max=30, message=_l("30 caractères au maximum.")),
        Regexp(r"^\+?[0-9 .()-]{6,}$",
               message=_l("Saisissez un numéro de téléphone, par exemple 05 61 00 00 00."))],
        render_kw={"autocomplete": "tel"})
    organisation = StringField(_l("Structure"), validators=[
        DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au maximum."))],
        description=_l("Cabinet, entreprise, administration ou organisme."),
        render_kw={"autocomplete": "organization"})
    job_title = StringField(_l("Fonction (facultatif)"), validators=[
        Optional(), Length(max=200, message=_l("200 caractères au maximum."))],
        render_kw={"autocomplete": "organization-title"})
    website = URLField(_l("Site internet (facultatif)"), validators=[
        Optional(), Length(max=300, message=_l("300 caractères au maximum.")),
        URL(message=_l("Saisissez une adresse complète, par exemple https://exemple.fr."))])
    profile = RadioField(_l("Votre profil"),
                         choices=[SelectChoice(code, label) for code, label in PROFILES],
                         validators=[DataRequired(_l("Choisissez votre profil."))])
    departments = CheckboxListField(
        _l("Départements d'Occitanie où vous intervenez"),
        validators=[DataRequired(_l("Cochez au moins un département."))])
    qvt_fields = CheckboxListField(
        _l("Champs de la QVT sur lesquels vous intervenez"),
        validators=[DataRequired(_l("Cochez au moins un champ de la QVT."))])
    listed_on_reflex_qvt = BooleanField(
        _l("Je suis référencé·e sur la plateforme nationale Reflex QVT"))
    directory_opt_in = BooleanField(
        _l("J'accepte d'apparaître dans l'annuaire des membres du réseau"),
        description=_l("Seuls les membres connectés voient l'annuaire : nom, structure, fonction, "
                       "profil, départements, champs de la QVT, e-mail, téléphone et site "
                       "internet."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments.choices = department_choices()
        self.qvt_fields.choices = qvt_field_choices()

    @staticmethod
    def initial_data(person) -> dict:
        """A person's current details, to prefill the form."""
        simple = ("first_name", "last_name", "email", "phone", "organisation", "job_title",
                  "website", "profile", "listed_on_reflex_qvt", "directory_opt_in")
        return {**{name: getattr(person, name) for name in simple},
                "departments": [d.code for d in person.departments],
                "qvt_fields": [f.code for f in person.qvt_fields]}

    def contact_details(self) -> ContactDetails:
        return ContactDetails(
            first_name=self.first_name.data, last_name=self.last_name.data,
            email=self.email.data, organisation=self.organisation.data,
            profile=self.profile.data, department_codes=self.departments.data,
            qvt_field_codes=self.qvt_fields.data, phone=self.phone.data or "",
            job_title=self.job_title.data or "", website=self.website.data or "",
            listed_on_reflex_qvt=self.listed_on_reflex_qvt.data,
            directory_opt_in=self.directory_opt_in.data)


class PrivacyConsentForm(Form):
    """The consent to the privacy notice (/confidentialite), the one box every page that asks
    for it shares. The sign-up asks everyone; the charter, the go-live invitation and the
    renewal ask `person` only while none is recorded (privacy_consent_needed): the field is
    dropped otherwise, and the page shows no box."""

    # Declared after ContactDetailsForm: a form with both lists its errors in this order.
    privacy_consent = BooleanField(
        _l("J'ai lu la notice de confidentialité et j'accepte que le réseau conserve mes "
           "données pour gérer ma participation"),
        validators=[DataRequired(_l("Votre accord est nécessaire pour que le réseau conserve "
                                    "vos données."))])

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None and not privacy_consent_needed(person):
            del self.privacy_consent

    @property
    def privacy_consent_given(self) -> bool:
        """The box was shown and checked: the consent to record."""
        return self.privacy_consent is not None and bool(self.privacy_consent.data)


class JoinForm(ContactDetailsForm, PrivacyConsentForm):
    # Honeypot: invisible to people and to screen readers, filled in by spam robots.
    nickname = StringField(_l("Ne remplissez pas ce champ"))
    submit = SubmitField(_l("Envoyer ma demande"))

    def is_spam(self) -> bool:
        return bool(self.nickname.data)


class ResendCharterLinkForm(Form):
    email = email_field()
    submit = SubmitField(_l("Recevoir un nouveau lien"))


class AcceptCharterForm(PrivacyConsentForm):
    accept = BooleanField(_l("J'ai lu la charte et je m'engage à la respecter"),
                          validators=[DataRequired(_l("Cochez la case pour accepter la charte."))])
    submit = SubmitField(_l("J'accepte la charte et je rejoins le réseau"))


class LeaveForm(Form):
    submit = SubmitField(_l("Je confirme : je quitte le réseau"))
