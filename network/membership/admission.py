"""The optional admission review (ADMISSION_REVIEW): an applicant who accepted the charter waits
« en attente de validation » until an admin of the GT QVT admits or refuses them.

The charter's side (the wait begins, the applicant and the admins are told) is in
`services.accept_charter`; the decisions and the reminders are here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from network.extensions import db
from network.mail.services import queue_email
from network.membership.lifecycle import TransitionRefused, may, move, refusal_message
from network.membership.models import (
    EXIT_REASON_LABELS,
    CharterAcceptance,
    CharterVersion,
    ExitReason,
    Person,
    Status,
    StatusChange,
)
from network.membership.services import notify_admins, welcome_member
from network.urls import external_url

# The reason a refusal writes to the history (the column's length); the e-mail and the journal
# keep it whole.
HISTORY_REASON_LENGTH = 300


@dataclass(frozen=True)
class WaitingApplication:
    person: Person
    # When the charter was accepted: the wait began then.
    since: datetime


def awaiting_review(waiting_since_before: datetime | None = None) -> list[WaitingApplication]:
    """The applications waiting for the GT QVT's decision, the oldest first (one query)."""
    began = (select(StatusChange.person_id, func.max(StatusChange.changed_at).label("since"))
             .where(StatusChange.to_status == Status.AWAITING_REVIEW)
             .group_by(StatusChange.person_id).subquery())
    query = (select(Person, began.c.since).join(began, began.c.person_id == Person.id)
             .where(Person.status == Status.AWAITING_REVIEW)
             .order_by(began.c.since, Person.id))
    if waiting_since_before is not None:
        query = query.where(began.c.since <= waiting_since_before)
    return [WaitingApplication(person, since) for person, since in db.session.execute(query)]


def admit(person: Person, by: str, now: datetime) -> None:
    """An admin admits a waiting applicant: a member from now, welcomed as at the charter."""
    _claim_decision(person, "admit", by)
    move(person, "admit", by=by, why="Adhésion validée par le GT QVT", now=now)
    welcome_member(person, _last_accepted_charter(person), now, admitted_by=by)


def refuse(person: Person, reason: str, by: str, now: datetime) -> None:
    """An admin refuses a waiting application; the applicant receives the reason by e-mail.

    A refused applicant cannot apply again by themselves (lifecycle.MAY_REJOIN_AFTER): only an
    admin may bring them in."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Le motif du refus est obligatoire.")
    _claim_decision(person, "refuse", by)
    why = f"{EXIT_REASON_LABELS[ExitReason.APPLICATION_REFUSED]} : {reason}"
    if len(why) > HISTORY_REASON_LENGTH:
        why = why[:HISTORY_REASON_LENGTH - 1] + "…"
    move(person, "refuse", by=by, why=why, now=now)
    queue_email(f"admission-refused:{person.id}:{now.isoformat()}", person.email,
                "admission_refused",
                "Votre candidature au réseau des intervenants QVT en Occitanie",
                person=person, now=now, reason=reason)


def remind_admins_of_waiting(now: datetime) -> int:
    """Remind the admins, once, of each application waiting for ADMISSION_REVIEW_REMINDER_DAYS.

    The reminder's key names the application (the person and the start of their wait): a
    re-run, or a second scheduler, queues nothing more. Returns the applications reminded of."""
    days = current_app.config["ADMISSION_REVIEW_REMINDER_DAYS"]
    reminded = 0
    for waiting in awaiting_review(waiting_since_before=now - timedelta(days=days)):
        person = waiting.person
        reminded += bool(notify_admins(
            f"admission-reminder:{person.id}:{waiting.since.isoformat()}",
            "admin_admission_reminder",
            f"Candidature toujours en attente de validation : {person.full_name}", person, now,
            since=waiting.since, days=(now - waiting.since).days,
            review_url=external_url("admin.member", person_id=person.id)))
    db.session.commit()
    return reminded


def _claim_decision(person: Person, name: str, by: str) -> None:
    """Of two admins deciding at once (or a double click), only the first decides: a
    conditional update waits for the other's transaction and then finds no waiting person."""
    if not may(person, name, by):
        raise TransitionRefused(refusal_message(person, name))
    claimed = db.session.execute(
        update(Person)
        .where(Person.id == person.id, Person.status == Status.AWAITING_REVIEW)
        .values(status=Status.AWAITING_REVIEW)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise TransitionRefused("Cette candidature vient d'être traitée par ailleurs.")


def _last_accepted_charter(person: Person) -> CharterVersion:
    return db.session.scalars(
        select(CharterVersion).join(CharterAcceptance)
        .where(CharterAcceptance.person_id == person.id)
        .order_by(CharterAcceptance.accepted_at.desc(), CharterAcceptance.id.desc())
        .limit(1)).one()
