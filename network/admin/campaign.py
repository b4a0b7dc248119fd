"""The renewal campaign, followed live by the admins, and their decisions on one request."""

from datetime import datetime, time, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DateField, EmailField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from network.admin.exports import csv_response
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.forms import Form
from network.inputs import query_int
from network.membership.lifecycle import TransitionRefused
from network.membership.models import Person
from network.renewal import campaign as campaigns
from network.renewal import services
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.templating import PARIS
from network.urls import same_site_path

REQUEST_LABELS = {
    RequestStatus.PENDING: "Sans réponse", RequestStatus.UNREACHED:
    "Sans réponse — e-mail non remis", RequestStatus.RENEWED: "Renouvelé",
    RequestStatus.LEFT: "A quitté le réseau (formulaire)", RequestStatus.CLOSED:
    "Sorti pendant la campagne", RequestStatus.DROPPED: "Sorti faute de réponse",
    RequestStatus.EXEMPT: "Dispensé (adhésion récente)"}
TO_REVIEW = "a-verifier"


def _campaign(year: int | None) -> RenewalCampaign | None:
    query = select(RenewalCampaign).order_by(RenewalCampaign.year.desc())
    if year:
        query = query.where(RenewalCampaign.year == year)
    return db.session.scalars(query.limit(1)).first()


def _requests(campaign: RenewalCampaign, status: str | None):
    if status == TO_REVIEW:
        return campaigns.to_review(campaign)
    query = (select(RenewalRequest).options(joinedload(RenewalRequest.person))
             .join(Person).where(RenewalRequest.campaign_id == campaign.id)
             .order_by(Person.last_name, Person.first_name, Person.id))
    return query.where(RenewalRequest.status == status) if status else query


def _next_opening() -> datetime:
    """When the next campaign opens: this year's, unless its deadline has passed (past its
    opening, the next tick opens it)."""
    now = utcnow()
    opens, deadline = campaigns.campaign_dates(now.astimezone(PARIS).year)
    return opens if now < deadline else campaigns.campaign_dates(opens.year + 1)[0]


@bp.get("/renouvellement")
@requires(ADMINISTRATEUR)
def renewal():
    campaign = _campaign(query_int("annee"))
    if campaign is None:
        opening = _next_opening()
        return render_template("admin/renewal.html", campaign=None, next_opening=opening,
                               opening_due=opening <= utcnow())
    default = TO_REVIEW if campaign.closed_at is None else RequestStatus.UNREACHED
    status = request.args.get("statut", default)
    status = status if status in REQUEST_LABELS or status == TO_REVIEW else None
    page = db.paginate(_requests(campaign, status), per_page=50)
    return render_template(
        "admin/renewal.html", campaign=campaign, counts=campaigns.campaign_counts(campaign),
        page=page, status=status, labels=REQUEST_LABELS, to_review=TO_REVIEW,
        forms_waiting=campaigns.forms_waiting(campaign),
        reached=campaigns.reached_requests([item.id for item in page.items]),
        years=db.session.scalars(
            select(RenewalCampaign.year).order_by(RenewalCampaign.year.desc())).all())


@bp.get("/renouvellement/<int:year>/export.csv")
@requires(ADMINISTRATEUR)
def renewal_export(year):
    campaign = db.first_or_404(select(RenewalCampaign).where(RenewalCampaign.year == year))

    def rows():
        for item in db.session.scalars(_requests(campaign, None).execution_options(
                yield_per=500)):
            person = item.person
            yield [person.last_name, person.first_name, person.email, person.phone,
                   person.organisation, REQUEST_LABELS.get(item.status, item.status),
                   item.answered_at.strftime("%d/%m/%Y") if item.answered_at else "",
                   item.last_reminder_days or "", person.email_bounce_reason or ""]

    return csv_response(f"renouvellement-{year}.csv",
                        ["Nom", "Prénom", "E-mail", "Téléphone", "Structure", "Réponse",
                         "Répondu le", "Dernier rappel (jours avant l'échéance)",
                         "Adresse en échec"], rows())


def _open_request(request_id: int) -> RenewalRequest:
    item = db.session.get(RenewalRequest, request_id)
    if item is None:
        abort(404)
    return item


def _acts_on(item: RenewalRequest, now: datetime) -> bool:
    """Reminders and « renewed » apply to a member who has not answered, while they may."""
    return item.status == RequestStatus.UNREACHED or (
        item.status == RequestStatus.PENDING and not services.is_closed(item, now))


@bp.post("/renouvellement/demandes/<int:request_id>/<any('rappel', 'renouveler', 'sortir'):action>")
@requires(ADMINISTRATEUR)
def renewal_action(request_id, action):
    item = _open_request(request_id)
    now = utcnow()
    try:
        if not _acts_on(item, now) or (action == "sortir"
                                        and item.status != RequestStatus.UNREACHED):
            flash("Cette personne a déjà répondu, ou la campagne est close.", "warning")
        elif action == "rappel":
            services.send_reminder(item, now, f"renewal-reminder:{item.campaign.year}:manuel:"
                                              f"{item.person_id}:{now.isoformat()}")
            audit(g.admin.email, "renewal.reminder", now, item.person_id)
            flash(f"Un rappel part vers {item.person.email}.", "success")
        elif action == "renouveler":
            services.renew(item, g.admin.email, now)
            audit(g.admin.email, "renewal.renew", now, item.person_id)
            flash(f"{item.person.full_name} est marqué·e comme renouvelé·e.", "success")
        else:
            services.drop_unreached(item, g.admin.email, now)
            audit(g.admin.email, "renewal.drop", now, item.person_id)
            flash(f"{item.person.full_name} sort du réseau faute de réponse.", "success")
    except TransitionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "warning")
    db.session.commit()
    # Back to the list the admin acted from (its filters kept), never to another site.
    return redirect(same_site_path(request.referrer, "/admin/") or url_for(".renewal"))


class SendAgainForm(Form):
    email = EmailField("Adresse e-mail", validators=[
        DataRequired("Indiquez l'adresse."), Length(max=254),
        Email("Cette adresse n'est pas valide.", check_deliverability=False)])
    deadline = DateField("Nouvelle date limite de réponse", validators=[
        DataRequired("Indiquez une date (jj/mm/aaaa).")])
    submit = SubmitField("Enregistrer l'adresse et renvoyer le formulaire")

    def validate_deadline(self, field):
        today = utcnow().astimezone(PARIS).date()
        if not today < field.data <= today + timedelta(days=90):
            raise ValidationError("Choisissez une date dans les 90 prochains jours.")


@bp.route("/renouvellement/demandes/<int:request_id>/renvoyer", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def renewal_send_again(request_id):
    item = _open_request(request_id)
    now = utcnow()
    if not _acts_on(item, now):
        flash("Cette personne a déjà répondu, ou la campagne est close.", "warning")
        return redirect(url_for(".renewal", annee=item.campaign.year))
    form = SendAgainForm(data={"email": item.person.email,
                               "deadline": (now + timedelta(days=14)).astimezone(PARIS).date()})
    if form.validate_on_submit():
        # The form closes at the end of the chosen day, Paris time.
        deadline = datetime.combine(form.deadline.data, time(23, 59), PARIS)
        try:
            services.send_form_again(item, form.email.data, deadline, g.admin.email, now)
        except ValueError:
            form.email.errors.append("Cette adresse est déjà celle d'une autre personne.")
        else:
            audit(g.admin.email, "renewal.send_again", now, item.person_id,
                  f"échéance {form.deadline.data:%d/%m/%Y}")
            db.session.commit()
            flash(f"Le formulaire part vers {item.person.email}, à renvoyer avant le "
                  f"{form.deadline.data:%d/%m/%Y}.", "success")
            return redirect(url_for(".renewal", annee=item.campaign.year))
    return render_template("admin/renewal_send_again.html", item=item, form=form), (
        400 if form.errors else 200)
