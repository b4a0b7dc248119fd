"""The go-live invitation: the imported members told that the network has its own space.

Each gets a personal link, like the renewal form's, to check their details and accept the
charter if they have not yet. Unlike the renewal it has no deadline and drops no one: not
answering changes nothing to a membership.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import and_, case, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from network.admin.services import audit
from network.extensions import db
from network.golive.models import GoLiveInvitation
from network.mail.delivery import quota_wait
from network.mail.models import OutboxMessage, OutboxStatus
from network.mail.services import Conflicts, Email, queue_emails
from network.members_space.services import update_own_details
from network.membership.lifecycle import BY_THE_PERSON
from network.membership.models import (
    AcceptanceMethod,
    CharterAcceptance,
    CharterVersion,
    Person,
    Status,
)
from network.membership.services import (
    ContactDetails,
    LinkProblem,
    current_charter,
    person_from_link,
    record_privacy_consent,
    signed_serializer,
)
from network.renewal.services import charter_to_accept
from network.templating import PARIS
from network.urls import external_url

BATCH_SIZE = 500
SUBJECT = "Le réseau des intervenants QVT en Occitanie a son espace en ligne"
REMINDER_SUBJECT = f"Rappel : {SUBJECT[0].lower()}{SUBJECT[1:]}"
TEMPLATES = ("golive_invitation", "golive_reminder")


# --- Who ---------------------------------------------------------------------------------------

def reachable_member():
    """SQL condition on Person: a member the network can write to (an address, not anonymised)."""
    return and_(Person.status == Status.MEMBER, Person.email.is_not(None),
                Person.anonymised_at.is_(None))


def imported_member():
    """SQL condition on Person: brought in by an import of the former files, still a member."""
    return and_(Person.member_import_id.is_not(None), Person.status == Status.MEMBER,
                Person.anonymised_at.is_(None))


def invited():
    """SQL condition on Person: the invitation was queued for them."""
    return exists().where(GoLiveInvitation.person_id == Person.id)


def charter_pending(charter: CharterVersion):
    """SQL condition on Person: `charter`, the current version, is still to accept (what
    network.renewal.services.charter_to_accept says of one person, for a batch or a count: the
    current version is the highest, so having accepted it is having accepted the last one)."""
    return ~exists().where(CharterAcceptance.person_id == Person.id,
                           CharterAcceptance.charter_version_id == charter.id)


def start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(PARIS).date(), time(), PARIS)


def reminder_due(now: datetime):
    """SQL condition on an invitation (joined to its person): not answered, the person still a
    member we can write to, and neither invited nor reminded yet today (Paris time)."""
    today = start_of_day(now)
    return and_(GoLiveInvitation.answered_at.is_(None), reachable_member(),
                GoLiveInvitation.sent_at < today,
                or_(GoLiveInvitation.reminded_at.is_(None), GoLiveInvitation.reminded_at < today))


# --- The link ----------------------------------------------------------------------------------

def golive_token(person_id: int, nonce: str) -> str:
    """The personal link's token: no expiry (no deadline), spent by the answer (the nonce)."""
    return signed_serializer("golive").dumps({"p": person_id, "n": nonce})


def invitation_for_token(token: str) -> GoLiveInvitation:
    """The invitation a link was sent for, or LinkProblem: 'invalid' (forged, truncated, for no
    invitation), 'left' (no longer a member), 'used' (already answered)."""
    person, payload = person_from_link("golive", token)
    invitation = db.session.get(GoLiveInvitation, person.id)
    if invitation is None:
        raise LinkProblem("invalid", person)
    if person.status != Status.MEMBER:
        raise LinkProblem("left", person)
    if invitation.answered_at is not None:
        raise LinkProblem("used", person)
    if invitation.nonce != payload.get("n"):
        raise LinkProblem("invalid", person)
    return invitation


def _email(person: Person, nonce: str, template: str, key: str, subject: str,
           charter_to_confirm: bool) -> Email:
    return Email(key, person.email, template, subject, person, context={
        "link": external_url("golive.welcome", token=golive_token(person.id, nonce)),
        "sign_in_url": external_url("members_space.sign_in"),
        "charter_to_confirm": charter_to_confirm})


# --- Sending -----------------------------------------------------------------------------------

def invite_imported_members(now: datetime, progress=None, batch_size: int = BATCH_SIZE) -> int:
    """Queue the invitation for every imported member not invited yet; the number queued.

    In committed batches: per batch, one query for the people, one insert of their invitations,
    one query and one insert for their e-mails. A second click, a run after a crash or a
    concurrent one invites nobody twice: the invitation row (one per person) and the e-mail's
    key both say who already has theirs."""
    charter = current_charter()
    queued = last_id = 0
    conflicts = Conflicts("golive_invitations")
    while True:
        batch = db.session.execute(
            select(Person, charter_pending(charter))
            .where(imported_member(), Person.email.is_not(None), ~invited(), Person.id > last_id)
            .order_by(Person.id).limit(batch_size)).all()
        if not batch:
            return queued
        nonces = {person.id: secrets.token_hex(8) for person, _ in batch}
        try:
            db.session.execute(insert(GoLiveInvitation), [
                {"person_id": person_id, "nonce": nonce, "sent_at": now}
                for person_id, nonce in nonces.items()])
            queue_emails([_email(person, nonces[person.id], "golive_invitation",
                                 f"golive-invitation:{person.id}", SUBJECT, pending)
                          for person, pending in batch], now)
            db.session.commit()
        except IntegrityError:
            # A concurrent run invited some of them first: take the batch again (without them).
            db.session.rollback()
            if not conflicts.again(list(nonces)):
                last_id = batch[-1][0].id
            continue
        last_id = batch[-1][0].id
        queued += len(batch)
        if progress:
            progress("Invitation des membres importés", queued)


def remind_unanswered(now: datetime, progress=None, batch_size: int = BATCH_SIZE) -> int:
    """Queue a reminder to the invited who have not answered; the number queued. At most one a
    day (Paris time) per person, and none on the day of their invitation."""
    charter = current_charter()
    day = now.astimezone(PARIS).date().isoformat()
    queued = last_id = 0
    conflicts = Conflicts("golive_reminders")
    while True:
        batch = db.session.execute(
            select(GoLiveInvitation, charter_pending(charter))
            .join(GoLiveInvitation.person).options(contains_eager(GoLiveInvitation.person))
            .where(reminder_due(now), GoLiveInvitation.person_id > last_id)
            .order_by(GoLiveInvitation.person_id).limit(batch_size)).all()
        if not batch:
            return queued
        ids = [invitation.person_id for invitation, _ in batch]
        try:
            queue_emails([_email(invitation.person, invitation.nonce, "golive_reminder",
                                 f"golive-reminder:{day}:{invitation.person_id}",
                                 REMINDER_SUBJECT, pending)
                          for invitation, pending in batch], now)
            db.session.execute(update(GoLiveInvitation)
                               .where(GoLiveInvitation.person_id.in_(ids))
                               .values(reminded_at=now)
                               .execution_options(synchronize_session=False))
            db.session.commit()
        except IntegrityError:
            # A concurrent run reminded some of them first today: the batch again, without them.
            db.session.rollback()
            if not conflicts.again(ids):
                last_id = ids[-1]
            continue
        last_id = ids[-1]
        queued += len(batch)
        if progress:
            progress("Relance des membres importés", queued)


# --- The answer --------------------------------------------------------------------------------

def answer(invitation: GoLiveInvitation, details: ContactDetails, accept_charter: bool,
           now: datetime, privacy_consent: bool = False) -> bool:
    """The member's answer: their checked details, the current charter accepted if they had
    not accepted it yet, and their consent to the privacy notice if the page asked for it (the
    import brought none). True if a confirmation link went to a new address (it replaces the
    old one once confirmed, as from the member space). LinkProblem('used') if the link was
    answered meanwhile (two clicks racing); ValueError if the charter is to accept and was not."""
    person = invitation.person
    charter = charter_to_accept(person)
    if charter is not None and not accept_charter:
        raise ValueError("La charte du réseau est à accepter.")
    # Conditional update: of two answers racing on the same link, only one is recorded.
    claimed = db.session.execute(
        update(GoLiveInvitation)
        .where(GoLiveInvitation.person_id == invitation.person_id,
               GoLiveInvitation.nonce == invitation.nonce,
               GoLiveInvitation.answered_at.is_(None))
        .values(nonce=secrets.token_hex(8), answered_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise LinkProblem("used", person)
    db.session.expire(invitation)
    confirmation_sent = update_own_details(person, details, now)
    if privacy_consent:
        record_privacy_consent(person, now)
    if charter is not None:
        db.session.add(CharterAcceptance(person_id=person.id, charter_version_id=charter.id,
                                         accepted_at=now, method=AcceptanceMethod.WEB))
    audit(BY_THE_PERSON, "golive.answer", now, person.id,
          f"charte acceptée (version {charter.number})" if charter else "")
    return confirmation_sent


# --- What the back-office shows ----------------------------------------------------------------

@dataclass
class GoLiveCounts:
    # Imported people still members; those of them without an address get no invitation.
    imported: int = 0
    without_address: int = 0
    # With an address, not invited yet: who the button sends it to.
    to_invite: int = 0
    invited: int = 0
    answered: int = 0
    # Imported members whose acceptance of the current charter is still to come.
    charter_pending: int = 0
    # Who a reminder would reach now.
    to_remind: int = 0
    # Invitations and reminders still in the outbox, and when the last should leave.
    waiting: int = 0
    last_leaves: datetime | None = None

    @property
    def not_answered(self) -> int:
        return self.invited - self.answered


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts(now: datetime) -> GoLiveCounts:
    """The figures of the back-office page, in four queries."""
    charter = current_charter()
    imported, without_address, to_invite, pending = db.session.execute(
        select(func.count(), _count_if(Person.email.is_(None)),
               _count_if(and_(Person.email.is_not(None), ~invited())),
               _count_if(charter_pending(charter)))
        .select_from(Person).where(imported_member())).one()
    invitations, answered, to_remind = db.session.execute(
        select(func.count(), func.count(GoLiveInvitation.answered_at),
               _count_if(reminder_due(now)))
        .select_from(GoLiveInvitation).join(GoLiveInvitation.person)).one()
    waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template.in_(TEMPLATES),
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
    last_leaves = None
    if waiting:
        # The whole queue shares the relay's quotas: what waits ahead counts too.
        ahead = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
        wait = quota_wait(ahead)
        last_leaves = now + wait if wait else None
    return GoLiveCounts(imported=imported, without_address=without_address,
                        to_invite=to_invite, invited=invitations, answered=answered,
                        charter_pending=pending, to_remind=to_remind, waiting=waiting,
                        last_leaves=last_leaves)


def invitations(answered: bool | None = None):
    """The invitations with their person, by name; only the answered or unanswered ones if
    asked (a query to paginate)."""
    query = (select(GoLiveInvitation).join(GoLiveInvitation.person)
             .options(contains_eager(GoLiveInvitation.person))
             .order_by(Person.last_name, Person.first_name, Person.id))
    if answered is True:
        query = query.where(GoLiveInvitation.answered_at.is_not(None))
    elif answered is False:
        query = query.where(GoLiveInvitation.answered_at.is_(None))
    return query


def charter_pending_among(person_ids: list[int]) -> set[int]:
    """Which of these people have the current charter still to accept (one query for a page)."""
    if not person_ids:
        return set()
    return set(db.session.scalars(select(Person.id).where(
        Person.id.in_(person_ids), charter_pending(current_charter()))))
