"""The renewal campaign, followed live by the admins."""

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.admin.exports import csv_response
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.membership.models import Person
from network.renewal import services
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus

REQUEST_LABELS = {RequestStatus.PENDING: "Sans réponse", RequestStatus.RENEWED: "Renouvelé",
                  RequestStatus.LEFT: "A quitté le réseau", RequestStatus.DROPPED:
                  "Sorti faute de réponse", RequestStatus.EXEMPT: "Dispensé (adhésion récente)"}


def _campaign(year: int | None) -> RenewalCampaign | None:
    query = select(RenewalCampaign).order_by(RenewalCampaign.year.desc())
    if year:
        query = query.where(RenewalCampaign.year == year)
    return db.session.scalars(query.limit(1)).first()


def _requests(campaign: RenewalCampaign, status: str | None):
    query = (select(RenewalRequest).options(joinedload(RenewalRequest.person))
             .join(Person).where(RenewalRequest.campaign_id == campaign.id)
             .order_by(Person.last_name, Person.first_name, Person.id))
    return query.where(RenewalRequest.status == status) if status else query


@bp.get("/renouvellement")
def renewal():
    campaign = _campaign(request.args.get("annee", type=int))
    if campaign is None:
        return render_template("admin/renewal.html", campaign=None)
    status = request.args.get("statut", RequestStatus.PENDING)
    status = status if status in REQUEST_LABELS else None
    return render_template(
        "admin/renewal.html", campaign=campaign, counts=services.campaign_counts(campaign),
        page=db.paginate(_requests(campaign, status), per_page=50), status=status,
        labels=REQUEST_LABELS, years=db.session.scalars(
            select(RenewalCampaign.year).order_by(RenewalCampaign.year.desc())).all())


@bp.get("/renouvellement/<int:year>/export.csv")
def renewal_export(year):
    campaign = db.first_or_404(select(RenewalCampaign).where(RenewalCampaign.year == year))

    def rows():
        for item in db.session.scalars(_requests(campaign, None).execution_options(
                yield_per=500)):
            person = item.person
            yield [person.last_name, person.first_name, person.email, person.organisation,
                   REQUEST_LABELS.get(item.status, item.status),
                   item.answered_at.strftime("%d/%m/%Y") if item.answered_at else "",
                   item.last_reminder_days or "",
                   "oui" if item.first_opened_at else "non"]

    return csv_response(f"renouvellement-{year}.csv",
                        ["Nom", "Prénom", "E-mail", "Structure", "Réponse", "Répondu le",
                         "Dernier rappel (jours avant l'échéance)", "Lien ouvert"], rows())


@bp.post("/renouvellement/demandes/<int:request_id>/<any('rappel', 'renouveler'):action>")
def renewal_action(request_id, action):
    item = db.get_or_404(RenewalRequest, request_id)
    now = utcnow()
    if item.status != RequestStatus.PENDING or services.is_closed(item, now):
        flash("Cette personne a déjà répondu, ou la campagne est close.", "warning")
    elif action == "rappel":
        services.send_reminder(item, now, f"renewal-reminder:{item.campaign.year}:manuel:"
                                          f"{item.person_id}:{now.isoformat()}")
        audit(g.admin.email, "renewal.reminder", now, item.person_id)
        flash(f"Un rappel part vers {item.person.email}.", "success")
    else:
        services.renew(item, g.admin.email, now)
        audit(g.admin.email, "renewal.renew", now, item.person_id)
        flash(f"{item.person.full_name} est marqué·e comme renouvelé·e.", "success")
    db.session.commit()
    return redirect(request.referrer or url_for(".renewal"))
