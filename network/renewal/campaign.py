"""The yearly campaign, each step a function of `now`: the tick calls them, a late tick catches up.

Open on the network's anniversary, ask every member, remind, let the GT QVT review who has not
answered a week before the end, and settle at the deadline: members whose form reached them and
who did not answer leave; those whose form never reached them wait for an admin.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, exists, false, func, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from network.extensions import db, utcnow
from network.mail.delivery import quota_wait
from network.mail.models import OutboxMessage, OutboxStatus
from network.mail.services import Conflicts, queue_emails
from network.membership.lifecycle import BY_THE_SYSTEM, move
from network.membership.models import Person, Status
from network.membership.services import notify_admins
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.renewal.services import FORM_TEMPLATES, form_email, reminder_subject
from network.templating import PARIS, plural


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
    conflicts = Conflicts("renewal_requests")
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
            queue_emails([form_email(campaign, person, "renewal_form",
                                      f"renewal-form:{campaign.year}:{person.id}", subject)
                          for person in to_ask], now)
            last_id = batch[-1].id
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if conflicts.again([person.id for person in batch]):
                last_id = _last_person_asked(campaign)
            else:
                last_id = batch[-1].id
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
    sent = after_id = 0
    conflicts = Conflicts("renewal_reminders")
    while True:
        batch = db.session.scalars(
            select(RenewalRequest).where(
                RenewalRequest.campaign_id == campaign.id, RenewalRequest.id > after_id,
                RenewalRequest.status == RequestStatus.PENDING,
                (RenewalRequest.last_reminder_days.is_(None))
                | (RenewalRequest.last_reminder_days > days))
            .options(joinedload(RenewalRequest.person))
            .order_by(RenewalRequest.id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all()
        if not batch:
            return sent
        try:
            queue_emails([form_email(campaign, request.person, "renewal_reminder",
                                      f"renewal-reminder:{campaign.year}:{days}:"
                                      f"{request.person_id}", subject)
                          for request in batch], now)
            db.session.execute(update(RenewalRequest).where(
                RenewalRequest.id.in_([request.id for request in batch]))
                .values(last_reminder_days=days, last_reminder_at=now))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # a concurrent tick reminded this batch first
            if not conflicts.again([request.id for request in batch]):
                after_id = batch[-1].id
            continue
        sent += len(batch)
        if progress:
            progress(f"Renouvellement {campaign.year} : rappels à {days} jours", sent)



def forms_waiting(campaign: RenewalCampaign) -> tuple[int, datetime | None]:
    """The campaign's forms and reminders still in the outbox, and when the last of them will
    leave at the rate the relay's quotas allow (None without quotas)."""
    waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template.in_(FORM_TEMPLATES),
        OutboxMessage.created_at >= campaign.opened_at,
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
    if not waiting:
        return 0, None
    # Every waiting message counts: the forms share the relay with the rest of the queue.
    ahead = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
    wait = quota_wait(ahead)
    return waiting, utcnow() + wait if wait else None


def form_reached():
    """SQL condition on a request: a renewal e-mail of its campaign reached the person's current
    address (the relay accepted it, no bounce came back, the address is not known to be dead)."""
    return and_(Person.email_bounced_at.is_(None), exists().where(
        OutboxMessage.person_id == RenewalRequest.person_id,
        OutboxMessage.recipient == Person.email,
        OutboxMessage.template.in_(FORM_TEMPLATES),
        OutboxMessage.created_at >= RenewalCampaign.opened_at,
        OutboxMessage.status == OutboxStatus.SENT))


def to_review(campaign: RenewalCampaign):
    """Who has not answered, those the form has not reached first: the GT QVT calls them."""
    return (select(RenewalRequest).join(Person).join(RenewalCampaign)
            .where(RenewalRequest.campaign_id == campaign.id,
                   RenewalRequest.status.in_([RequestStatus.PENDING, RequestStatus.UNREACHED]))
            .options(joinedload(RenewalRequest.person))
            .order_by(form_reached(), Person.last_name, Person.first_name, Person.id))


def reached_requests(request_ids: list[int]) -> set[int]:
    """Which of these requests' forms reached their member (one query for a page of them)."""
    return set(db.session.scalars(
        select(RenewalRequest.id).join(Person).join(RenewalCampaign)
        .where(RenewalRequest.id.in_(request_ids), form_reached())))


# The review e-mail names this many people; the campaign page lists them all.
REVIEW_EMAIL_ROWS = 200


def send_due_review(campaign: RenewalCampaign, now: datetime) -> int:
    """A week before the deadline, the admins receive the list of members without an answer."""
    review_at = campaign.deadline - timedelta(days=current_app.config["RENEWAL_REVIEW_DAYS_BEFORE"])
    if campaign.review_sent_at is not None or not review_at <= now < campaign.deadline:
        return 0
    claimed = db.session.execute(
        update(RenewalCampaign).where(RenewalCampaign.id == campaign.id,
                                      RenewalCampaign.review_sent_at.is_(None))
        .values(review_sent_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()  # another scheduler sent it
        return 0
    requests = db.session.scalars(to_review(campaign).limit(REVIEW_EMAIL_ROWS)).all()
    reached = reached_requests([request.id for request in requests])
    total = db.session.scalar(select(func.count()).select_from(RenewalRequest).where(
        RenewalRequest.campaign_id == campaign.id, RenewalRequest.status == RequestStatus.PENDING))
    notify_admins(f"renewal-review:{campaign.year}", "admin_renewal_review",
                  f"Renouvellement {campaign.year} : "
                  f"{plural(total, 'membre sans réponse', 'membres sans réponse')} à vérifier",
                  None, now, campaign=campaign, requests=requests, reached=reached, total=total)
    db.session.commit()
    return total


def settle_due_requests(campaign: RenewalCampaign, now: datetime) -> int:
    """Settle the requests whose deadline (the campaign's or a personal one) has passed without
    an answer: who received the form leaves the network and is told so; who never received it
    waits, « sans réponse — e-mail non remis », for an admin to decide."""
    due = or_(and_(RenewalRequest.deadline.is_(None),
                   false() if now < campaign.deadline else true()),
              RenewalRequest.deadline <= now)
    dropped = after_id = 0
    conflicts = Conflicts("renewal_settle")
    while True:
        rows = db.session.execute(
            select(RenewalRequest.id, RenewalRequest.person_id, form_reached().label("reached"))
            .join(Person).join(RenewalCampaign)
            .where(RenewalRequest.campaign_id == campaign.id, RenewalRequest.id > after_id,
                   RenewalRequest.status == RequestStatus.PENDING, due)
            .order_by(RenewalRequest.id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all()
        if not rows:
            return dropped
        reached = [row.id for row in rows if row.reached]
        unreached = [row.id for row in rows if not row.reached]
        # Claim the batch: a concurrent tick that settled it first leaves fewer rows to update.
        claimed = sum(db.session.execute(
            update(RenewalRequest).where(RenewalRequest.id.in_(ids),
                                         RenewalRequest.status == RequestStatus.PENDING)
            .values(status=status).execution_options(synchronize_session=False)).rowcount
            for ids, status in ((reached, RequestStatus.DROPPED),
                                (unreached, RequestStatus.UNREACHED)) if ids)
        if claimed != len(rows):
            db.session.rollback()
            if not conflicts.again([row.id for row in rows]):
                after_id = rows[-1].id
            continue
        told = []
        for person in db.session.scalars(select(Person).where(
                Person.id.in_([row.person_id for row in rows if row.reached]))):
            if person.status == Status.MEMBER:
                move(person, "drop", by=BY_THE_SYSTEM,
                     why=f"Sans réponse au renouvellement {campaign.year}", now=now)
                told.append(form_email(campaign, person, "renewal_dropped",
                                       f"renewal-dropped:{campaign.year}:{person.id}",
                                       "Votre participation au réseau a pris fin"))
        try:
            queue_emails(told, now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # a concurrent tick settled this batch first
            if not conflicts.again([row.id for row in rows]):
                after_id = rows[-1].id
            continue
        dropped += len(told)


def close_due_campaign(campaign: RenewalCampaign, now: datetime) -> None:
    """At the deadline the campaign closes, and the admins receive its figures."""
    if now < campaign.deadline or campaign.closed_at is not None:
        return
    campaign.closed_at = now
    notify_admins(f"renewal-summary:{campaign.year}", "admin_renewal_summary",
                  f"Renouvellement {campaign.year} clos", None, now, campaign=campaign,
                  counts=campaign_counts(campaign))
    db.session.commit()


@dataclass
class CampaignCounts:
    asked: int = 0
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
    counts = CampaignCounts(**{status.value: by_status.get(status, 0)
                                for status in RequestStatus})
    counts.asked = sum(by_status.values()) - counts.exempt
    return counts


def run_renewal(now: datetime, progress=None) -> dict:
    """Everything the renewal needs at `now`: open, ask, remind, review, settle, close."""
    open_due_campaign(now)
    report = {"forms": 0, "reminders": 0, "review": 0, "dropped": 0}
    with_personal_deadlines = select(RenewalRequest.campaign_id).where(
        RenewalRequest.status == RequestStatus.PENDING, RenewalRequest.deadline.is_not(None))
    for campaign in db.session.scalars(select(RenewalCampaign).where(
            RenewalCampaign.closed_at.is_(None)
            | RenewalCampaign.id.in_(with_personal_deadlines))).all():
        if campaign.closed_at is None:
            if campaign.requests_complete_at is None:
                report["forms"] += create_requests(campaign, now, progress)
            report["reminders"] += send_due_reminders(campaign, now, progress)
            report["review"] += send_due_review(campaign, now)
        report["dropped"] += settle_due_requests(campaign, now)
        close_due_campaign(campaign, now)
    return report
