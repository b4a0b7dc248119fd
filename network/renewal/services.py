"""The renewal rules, each a function of `now`: the tick calls them, a late tick catches up."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from network.extensions import db
from network.mail.services import queue_email
from network.membership.models import (
    CharterAcceptance,
    CharterVersion,
    ExitReason,
    Person,
    Status,
)
from network.membership.services import (
    BY_THE_PERSON,
    BY_THE_SYSTEM,
    LinkProblem,
    current_charter,
    exit_network,
    notify_admins,
    person_from_link,
    readmit,
    record_status_change,
    signed_serializer,
)
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.templating import PARIS
from network.urls import external_url


def campaign_dates(year: int) -> tuple[datetime, datetime]:
    """Opening and deadline of a year's campaign, at the set Paris wall-clock time (DST-safe)."""
    month, day = (int(part) for part in current_app.config["RENEWAL_OPENS"].split("-"))
    hour, minute = (int(part) for part in current_app.config["RENEWAL_OPENS_AT"].split(":"))
    opens = datetime.combine(datetime(year, month, day).date(), time(hour, minute), PARIS)
    # zoneinfo adds days on the wall clock: the deadline is at the same Paris hour, DST or not.
    return opens, opens + timedelta(days=current_app.config["RENEWAL_WINDOW_DAYS"])


def open_due_campaign(now: datetime) -> RenewalCampaign | None:
    """Open this year's campaign once its time has come (late, after downtime, too)."""
    year = now.astimezone(PARIS).year
    opens, deadline = campaign_dates(year)
    if now < opens or now >= deadline:
        # Never opened in time: asking members after the deadline would drop them unasked.
        return None
    if db.session.scalar(select(RenewalCampaign.id).where(RenewalCampaign.year == year)):
        return None
    campaign = RenewalCampaign(year=year, opens_at=opens, deadline=deadline, opened_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
    except IntegrityError:
        return None  # another scheduler opened it first
    db.session.commit()
    return campaign


def create_requests(campaign: RenewalCampaign, now: datetime, progress=None) -> int:
    """Ask every member of the opening, in batches; a crash resumes where it stopped."""
    batch_size = current_app.config["RENEWAL_BATCH_SIZE"]
    tenure = timedelta(days=current_app.config["RENEWAL_MIN_TENURE_DAYS"])
    asked = select(RenewalRequest.id).where(RenewalRequest.campaign_id == campaign.id,
                                            RenewalRequest.person_id == Person.id)
    created = 0
    while now < campaign.deadline:
        # Members who joined after the opening are not asked again this year.
        batch = db.session.scalars(
            select(Person).where(Person.status == Status.MEMBER,
                                 Person.member_since <= campaign.opened_at, ~exists(asked))
            .order_by(Person.id).limit(batch_size)).all()
        if not batch:
            break
        for person in batch:
            recent = person.member_since > campaign.opens_at - tenure
            request = RenewalRequest(
                campaign_id=campaign.id, person_id=person.id, created_at=now,
                status=RequestStatus.EXEMPT if recent else RequestStatus.PENDING)
            db.session.add(request)
            if not recent:
                db.session.flush()
                _queue_form(campaign, person, "renewal_form",
                            f"renewal-form:{campaign.year}:{person.id}",
                            f"Renouvellement {campaign.year} : restez-vous dans le réseau ?", now)
        created += len(batch)
        db.session.commit()
        if progress:
            progress(created)
    campaign.requests_complete_at = now
    db.session.commit()
    return created


def _queue_form(campaign, person, template, key, subject, now, **context) -> None:
    queue_email(key, person.email, template, subject, person=person, now=now,
                campaign=campaign, link=external_url("renewal.form", token=renewal_token(
                    campaign, person)), **context)


def renewal_token(campaign: RenewalCampaign, person: Person) -> str:
    return signed_serializer("renewal").dumps({"p": person.id, "y": campaign.year})


def request_for_token(token: str) -> RenewalRequest:
    person, payload = person_from_link("renewal", token)
    request = db.session.scalar(
        select(RenewalRequest).join(RenewalCampaign)
        .where(RenewalCampaign.year == payload.get("y"), RenewalRequest.person_id == person.id))
    if request is None:
        raise LinkProblem("invalid", person)
    return request


def is_closed(request: RenewalRequest, now: datetime) -> bool:
    return now >= request.campaign.deadline or request.status == RequestStatus.DROPPED


def mark_opened(request: RenewalRequest, now: datetime) -> None:
    if request.first_opened_at is None:
        request.first_opened_at = now


def charter_to_accept(person: Person) -> CharterVersion | None:
    """The current charter if it is newer than the person's last acceptance."""
    charter = current_charter()
    last = db.session.scalar(
        select(func.max(CharterVersion.number)).join(CharterAcceptance)
        .where(CharterAcceptance.person_id == person.id))
    return charter if last is None or last < charter.number else None


def renew(request: RenewalRequest, by: str, now: datetime, accepted: CharterVersion | None = None,
          ) -> None:
    """The member stays (their own answer, or an admin's record of it)."""
    person = request.person
    if accepted is not None:
        db.session.add(CharterAcceptance(person_id=person.id, charter_version_id=accepted.id,
                                         accepted_at=now))
    why = f"Renouvellement {request.campaign.year} confirmé"
    if person.status == Status.EXITED:
        # They had answered "I leave" and changed their mind before the deadline.
        readmit(person, by, now)
    else:
        record_status_change(person, Status.MEMBER, why, by, now)
    already_renewed = request.status == RequestStatus.RENEWED
    request.status = RequestStatus.RENEWED
    request.answered_at = now
    request.answered_by = by
    if by == BY_THE_PERSON and not already_renewed:
        _queue_form(request.campaign, person, "renewal_confirmed",
                    f"renewal-confirmed:{request.campaign.year}:{person.id}:{now.isoformat()}",
                    f"Votre participation au réseau est renouvelée pour {request.campaign.year}",
                    now)


def decline(request: RenewalRequest, now: datetime) -> None:
    """The member answers that they leave the network."""
    if request.status == RequestStatus.LEFT:
        return
    person = request.person
    if person.status == Status.MEMBER:
        exit_network(person, ExitReason.DECLINED_RENEWAL,
                     f"Renouvellement {request.campaign.year} refusé", BY_THE_PERSON, now)
    request.status = RequestStatus.LEFT
    request.answered_at = now
    request.answered_by = BY_THE_PERSON
    _queue_form(request.campaign, person, "renewal_declined",
                f"renewal-declined:{request.campaign.year}:{person.id}:{now.isoformat()}",
                "Vous quittez le réseau des intervenants QVT en Occitanie", now)


def due_reminder_days(campaign: RenewalCampaign, now: datetime) -> int | None:
    """The latest reminder due now; older ones missed during downtime are not sent late."""
    due = [days for days in current_app.config["RENEWAL_REMINDER_DAYS_BEFORE"]
           if campaign.opened_at < campaign.deadline - timedelta(days=days) <= now]
    return min(due) if due and now < campaign.deadline else None


def send_due_reminders(campaign: RenewalCampaign, now: datetime, progress=None) -> int:
    days = due_reminder_days(campaign, now)
    if days is None:
        return 0
    sent = 0
    while True:
        batch = db.session.scalars(
            select(RenewalRequest).where(
                RenewalRequest.campaign_id == campaign.id,
                RenewalRequest.status == RequestStatus.PENDING,
                (RenewalRequest.last_reminder_days.is_(None))
                | (RenewalRequest.last_reminder_days > days))
            .order_by(RenewalRequest.id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all()
        if not batch:
            return sent
        for request in batch:
            send_reminder(request, now, f"renewal-reminder:{campaign.year}:{days}:"
                                        f"{request.person_id}", days)
        sent += len(batch)
        db.session.commit()
        if progress:
            progress(sent)


def send_reminder(request: RenewalRequest, now: datetime, key: str, days: int | None) -> None:
    """One reminder; an admin can also send one by hand (days=None)."""
    campaign = request.campaign
    _queue_form(campaign, request.person, "renewal_reminder", key,
                f"Rappel : renouvelez votre participation au réseau avant le "
                f"{campaign.deadline.astimezone(PARIS).day}/"
                f"{campaign.deadline.astimezone(PARIS).month:02d}", now)
    if days is not None:
        request.last_reminder_days = days
    request.last_reminder_at = now


def close_due_campaign(campaign: RenewalCampaign, now: datetime) -> int:
    """At the deadline, members who never answered leave the network and are told so."""
    if now < campaign.deadline or campaign.closed_at is not None:
        return 0
    dropped = 0
    while True:
        batch = db.session.scalars(
            select(RenewalRequest).where(RenewalRequest.campaign_id == campaign.id,
                                         RenewalRequest.status == RequestStatus.PENDING)
            .order_by(RenewalRequest.id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all()
        if not batch:
            break
        for request in batch:
            request.status = RequestStatus.DROPPED
            person = request.person
            if person.status == Status.MEMBER:
                exit_network(person, ExitReason.NO_RENEWAL_ANSWER,
                             f"Sans réponse au renouvellement {campaign.year}", BY_THE_SYSTEM,
                             campaign.deadline)
                _queue_form(campaign, person, "renewal_dropped",
                            f"renewal-dropped:{campaign.year}:{person.id}",
                            "Votre participation au réseau a pris fin", now)
                dropped += 1
        db.session.commit()
    campaign.closed_at = now
    counts = campaign_counts(campaign)
    notify_admins(f"renewal-summary:{campaign.year}", "admin_renewal_summary",
                  f"Renouvellement {campaign.year} clos", None, now, campaign=campaign,
                  counts=counts)
    db.session.commit()
    return dropped


@dataclass
class CampaignCounts:
    asked: int = 0
    opened: int = 0
    renewed: int = 0
    left: int = 0
    pending: int = 0
    dropped: int = 0
    exempt: int = 0

    @property
    def answered(self) -> int:
        return self.renewed + self.left


def campaign_counts(campaign: RenewalCampaign) -> CampaignCounts:
    by_status = dict(db.session.execute(
        select(RenewalRequest.status, func.count()).where(
            RenewalRequest.campaign_id == campaign.id).group_by(RenewalRequest.status)).all())
    opened = db.session.scalar(select(func.count()).select_from(RenewalRequest).where(
        RenewalRequest.campaign_id == campaign.id, RenewalRequest.first_opened_at.is_not(None)))
    counts = CampaignCounts(opened=opened, **{status.value: by_status.get(status, 0)
                                              for status in RequestStatus})
    counts.asked = sum(by_status.values()) - counts.exempt
    return counts


def run_renewal(now: datetime, progress=None) -> dict:
    """Everything the renewal needs at `now`: open, ask, remind, close."""
    open_due_campaign(now)
    report = {"forms": 0, "reminders": 0, "dropped": 0}
    for campaign in db.session.scalars(select(RenewalCampaign).where(
            RenewalCampaign.closed_at.is_(None))).all():
        if campaign.requests_complete_at is None:
            report["forms"] += create_requests(campaign, now, progress)
        report["reminders"] += send_due_reminders(campaign, now, progress)
        report["dropped"] += close_due_campaign(campaign, now)
    return report
