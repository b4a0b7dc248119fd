"""The renewal rules, each a function of `now`: the tick calls them, a late tick catches up."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from network.extensions import db
from network.mail.services import Email, queue_emails
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
    """Ask every member of the opening, in batches of ids; a crash resumes where it stopped.

    Per batch: one query for the people, one insert of their requests, one query and one insert
    for their forms, in one transaction. Batches are committed in id order, so everyone up to the
    highest id asked has been asked. A concurrent tick that took the same batch first makes the
    insert fail on the unique (campaign, person): roll back and go on after what it committed.
    """
    batch_size = current_app.config["RENEWAL_BATCH_SIZE"]
    tenure_start = campaign.opens_at - timedelta(days=current_app.config["RENEWAL_MIN_TENURE_DAYS"])
    subject = f"Renouvellement {campaign.year} : restez-vous dans le réseau ?"
    created = 0
    last_id = _last_person_asked(campaign)
    while now < campaign.deadline:
        # Members who joined after the opening are not asked again this year.
        batch = db.session.scalars(
            select(Person).where(Person.status == Status.MEMBER,
                                 Person.member_since <= campaign.opened_at, Person.id > last_id)
            .order_by(Person.id).limit(batch_size)).all()
        if not batch:
            break
        # Who joined less than the minimum tenure before the opening counts as renewed.
        to_ask = [person for person in batch if person.member_since <= tenure_start]
        try:
            db.session.execute(insert(RenewalRequest), [
                {"campaign_id": campaign.id, "person_id": person.id, "created_at": now,
                 "status": RequestStatus.PENDING if person in to_ask else RequestStatus.EXEMPT}
                for person in batch])
            queue_emails([_form_email(campaign, person, "renewal_form",
                                      f"renewal-form:{campaign.year}:{person.id}", subject)
                          for person in to_ask], now)
            last_id = batch[-1].id
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            last_id = _last_person_asked(campaign)
            continue
        created += len(batch)
        if progress:
            progress(f"Renouvellement {campaign.year} : membres sollicités", created)
    campaign.requests_complete_at = now
    db.session.commit()
    return created


def _last_person_asked(campaign: RenewalCampaign) -> int:
    return db.session.scalar(select(func.coalesce(func.max(RenewalRequest.person_id), 0))
                             .where(RenewalRequest.campaign_id == campaign.id))


def _form_email(campaign: RenewalCampaign, person: Person, template: str, key: str,
                subject: str) -> Email:
    """A renewal e-mail, with the member's personal link to the form."""
    link = external_url("renewal.form", token=renewal_token(campaign, person))
    return Email(key, person.email, template, subject, person,
                 context={"campaign": campaign, "link": link})


def _queue_form(campaign, person, template, key, subject, now) -> None:
    queue_emails([_form_email(campaign, person, template, key, subject)], now)


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
    """Remind, in batches, the members who have not answered; each reminder goes once."""
    days = due_reminder_days(campaign, now)
    if days is None:
        return 0
    subject = reminder_subject(campaign)
    sent = 0
    while True:
        batch = db.session.scalars(
            select(RenewalRequest).where(
                RenewalRequest.campaign_id == campaign.id,
                RenewalRequest.status == RequestStatus.PENDING,
                (RenewalRequest.last_reminder_days.is_(None))
                | (RenewalRequest.last_reminder_days > days))
            .options(joinedload(RenewalRequest.person))
            .order_by(RenewalRequest.id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all()
        if not batch:
            return sent
        try:
            queue_emails([_form_email(campaign, request.person, "renewal_reminder",
                                      f"renewal-reminder:{campaign.year}:{days}:"
                                      f"{request.person_id}", subject)
                          for request in batch], now)
            db.session.execute(update(RenewalRequest).where(
                RenewalRequest.id.in_([request.id for request in batch]))
                .values(last_reminder_days=days, last_reminder_at=now))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # a concurrent tick reminded this batch first
            continue
        sent += len(batch)
        if progress:
            progress(f"Renouvellement {campaign.year} : rappels à {days} jours", sent)


def reminder_subject(campaign: RenewalCampaign) -> str:
    deadline = campaign.deadline.astimezone(PARIS)
    return (f"Rappel : renouvelez votre participation au réseau avant le "
            f"{deadline.day}/{deadline.month:02d}")


def send_reminder(request: RenewalRequest, now: datetime, key: str) -> None:
    """A reminder an admin sends by hand, now."""
    _queue_form(request.campaign, request.person, "renewal_reminder", key,
                reminder_subject(request.campaign), now)
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
            .options(joinedload(RenewalRequest.person))
            .order_by(RenewalRequest.id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all()
        if not batch:
            break
        # Claim the batch: a concurrent tick that claimed it first leaves fewer rows to update.
        claimed = db.session.execute(
            update(RenewalRequest).where(RenewalRequest.id.in_([r.id for r in batch]),
                                         RenewalRequest.status == RequestStatus.PENDING)
            .values(status=RequestStatus.DROPPED).execution_options(synchronize_session=False))
        if claimed.rowcount != len(batch):
            db.session.rollback()
            continue
        told = []
        for request in batch:
            request.status = RequestStatus.DROPPED
            person = request.person
            if person.status == Status.MEMBER:
                exit_network(person, ExitReason.NO_RENEWAL_ANSWER,
                             f"Sans réponse au renouvellement {campaign.year}", BY_THE_SYSTEM,
                             campaign.deadline)
                told.append(_form_email(campaign, person, "renewal_dropped",
                                        f"renewal-dropped:{campaign.year}:{person.id}",
                                        "Votre participation au réseau a pris fin"))
        try:
            queue_emails(told, now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # a concurrent tick closed this batch first
            continue
        dropped += len(told)
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
    closed: int = 0
    unreached: int = 0

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
