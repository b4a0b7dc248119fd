"""A request received by e-mail, entered in the back-office (network.membership.entry)."""

from datetime import date

from flask import flash, g, redirect, render_template, url_for
from markupsafe import Markup
from wtforms import DateField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from network.admin.member_forms import MemberDetailsForm
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.membership import entry
from network.membership.models import STATUS_LABELS, Person
from network.templating import PARIS, paris_noon

SEND_CHARTER, ACCEPTED_BY_EMAIL = "lien-charte", "accepte-par-mail"


class MemberEntryForm(MemberDetailsForm):
    """The member details form, and what to do with the request: the date and the note are
    always shown (no JavaScript needed) and read only when the rules were accepted by e-mail."""

    entry = RadioField("Suite à donner à la demande", choices=[
        SelectChoice(SEND_CHARTER, "Envoyer le lien d'acceptation de la charte"),
        SelectChoice(ACCEPTED_BY_EMAIL, "La personne a déjà accepté le cadre du réseau par e-mail"),
    ], default=SEND_CHARTER, validators=[DataRequired("Choisissez la suite à donner.")])
    accepted_on = DateField(
        "Date de l'acceptation par e-mail", validators=[Optional()],
        description="Seulement si la personne a déjà accepté le cadre du réseau par e-mail : "
                    "la date de son e-mail. Elle devient sa date d'adhésion.")
    note = TextAreaField(
        "Trace de l'acceptation", validators=[
            Optional(), Length(max=1000, message="1000 caractères au maximum.")],
        description="Seulement si la personne a déjà accepté le cadre du réseau par e-mail : où "
                    "retrouver son e-mail, par exemple « E-mail du 12/03/2021 reçu sur la boîte du "
                    "réseau ».")
    submit = SubmitField("Enregistrer la personne")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # The date picker offers only the days the rule allows.
        self.accepted_on.render_kw = {"min": entry.network_launch().isoformat(),
                                      "max": today.isoformat()}

    @property
    def accepted_by_email(self) -> bool:
        return self.entry.data == ACCEPTED_BY_EMAIL

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.accepted_by_email:
            # Filled in or not, they are not used for a charter link.
            self.accepted_on.errors, self.note.errors = [], []
        else:
            if self.accepted_on.data is None and not self.accepted_on.errors:
                self.accepted_on.errors = ["Indiquez la date de l'e-mail d'acceptation."]
            elif not self.accepted_on.errors:
                problem = entry.acceptance_date_problem(self.accepted_on.data, self.today)
                self.accepted_on.errors = [problem] if problem else []
            if not (self.note.data or "").strip() and not self.note.errors:
                self.note.errors = ["Indiquez où retrouver l'e-mail d'acceptation."]
        return not any(field.errors for field in self)


@bp.route("/membres/nouveau", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def member_new():
    now = utcnow()
    form = MemberEntryForm(today=now.astimezone(PARIS).date())
    if form.validate_on_submit():
        try:
            if form.accepted_by_email:
                person = entry.enter_member_by_email(
                    form.contact_details(), paris_noon(form.accepted_on.data),
                    form.note.data, g.admin.email, now)
            else:
                person = entry.enter_request(form.contact_details(), g.admin.email, now)
        except entry.AddressKnown as known:
            db.session.rollback()
            form.email.errors.extend(_known_address(known.person))
        else:
            _audit_and_flash(form, person, now)
            db.session.commit()
            return redirect(url_for(".member", person_id=person.id))
    return render_template("admin/members/new.html", form=form), 400 if form.errors else 200


def _audit_and_flash(form: MemberEntryForm, person: Person, now) -> None:
    if form.accepted_by_email:
        day = f"{form.accepted_on.data:%d/%m/%Y}"
        audit(g.admin.email, "member.create_by_email", now, person.id,
              f"cadre accepté par e-mail le {day}")
        flash(f"{person.full_name} est membre du réseau depuis le {day} ; l'e-mail de bienvenue "
              f"lui est envoyé à {person.email}.", "success")
    else:
        audit(g.admin.email, "member.create_request", now, person.id)
        flash(f"La demande de {person.full_name} est enregistrée : le lien d'acceptation de la "
              f"charte lui est envoyé à {person.email}.", "success")


def _known_address(person: Person | None) -> list[str]:
    """The error next to the address, with a link to the person it already belongs to."""
    if person is None:
        return ["Cette adresse est déjà connue du réseau : rien n'a été enregistré."]
    return [f"Cette adresse est déjà connue du réseau : {person.full_name} "
            f"({STATUS_LABELS.get(person.status, person.status)}). Rien n'a été enregistré.",
            Markup('<a href="{}">Ouvrir sa fiche</a>').format(
                url_for(".member", person_id=person.id))]
