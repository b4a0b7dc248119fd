"""The life of a membership on one screen: the statuses, the moves between them, who may make each.

Every path that changes a person's status (sign-up, charter, renewal answer, leave link, member
space, back-office, scheduler, import) goes through `move`: a move that this table does not allow
is refused, and nothing changes.

    apply ──> applicant ──accept_charter──> member ──renew──> member
                 │ withdraw / expire           │ leave, decline_renewal, drop, remove
                 └──> (purged)                 └──> exited ──rejoin (charter again)──> member
                                                      ├──change_mind (same campaign)──> member
                                                      └──readmit (an admin)───────────> member
    import, enter_by_email (an admin) ──> member

With ADMISSION_REVIEW on, the charter leads to « en attente de validation » instead:

    applicant ──accept_charter_for_review──> awaiting_review ──admit──> member
    exited ──rejoin_for_review─────────────┘        └──refuse──> exited
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from network.extensions import db
from network.membership.models import ExitReason, Person, Status, StatusChange

BY_THE_PERSON = "la personne elle-même"
BY_THE_SYSTEM = "système"


class Actor(enum.StrEnum):
    PERSON = "la personne"
    ADMIN = "un administrateur"
    SYSTEM = "le système"


def actor_of(by: str) -> Actor:
    """Who made a change, from what the history records: the person, the system or an admin."""
    return {BY_THE_PERSON: Actor.PERSON, BY_THE_SYSTEM: Actor.SYSTEM}.get(by, Actor.ADMIN)


# Who left of their own will, or without answering, may come back by signing up again; a person
# removed by the GT QVT comes back only through an admin.
MAY_REJOIN_AFTER = {ExitReason.VOLUNTARY, ExitReason.DECLINED_RENEWAL,
                    ExitReason.NO_RENEWAL_ANSWER}


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: Status
    actors: frozenset
    # The exit reason a move to "exited" records.
    exit_reason: ExitReason | None = None
    # Further condition on the person, beyond their status.
    allows: Callable[[Person], bool] = field(default=lambda person: True)


def _transition(sources, target, actors, **kwargs) -> Transition:
    return Transition(frozenset(sources), target, frozenset(actors), **kwargs)


A, R, M, X = Status.APPLICANT, Status.AWAITING_REVIEW, Status.MEMBER, Status.EXITED
PERSON, ADMIN, SYSTEM = Actor.PERSON, Actor.ADMIN, Actor.SYSTEM


def _may_rejoin(person: Person) -> bool:
    return person.exit_reason in MAY_REJOIN_AFTER


TRANSITIONS: dict[str, Transition] = {
    # By the web form, or by an admin for a request that came by e-mail.
    "apply": _transition({None}, A, {PERSON, ADMIN}),
    # A member of the network's former files; their member_since is the file's.
    "import": _transition({None}, M, {ADMIN}),
    # A request and the acceptance of the rules both received by e-mail, entered by an admin.
    "enter_by_email": _transition({None}, M, {ADMIN}),
    "accept_charter": _transition({A}, M, {PERSON}),
    "rejoin": _transition({X}, M, {PERSON}, allows=_may_rejoin),
    "accept_charter_for_review": _transition({A}, R, {PERSON}),
    "rejoin_for_review": _transition({X}, R, {PERSON}, allows=_may_rejoin),
    "admit": _transition({R}, M, {ADMIN}),
    "refuse": _transition({R}, X, {ADMIN}, exit_reason=ExitReason.APPLICATION_REFUSED),
    "renew": _transition({M}, M, {PERSON, ADMIN}),
    # A « je quitte » of the renewal form taken back, by the same form, before the deadline.
    "change_mind": _transition(
        {X}, M, {PERSON}, allows=lambda person: person.exit_reason == ExitReason.DECLINED_RENEWAL),
    "decline_renewal": _transition({M}, X, {PERSON, ADMIN},
                                   exit_reason=ExitReason.DECLINED_RENEWAL),
    "leave": _transition({M}, X, {PERSON, ADMIN}, exit_reason=ExitReason.VOLUNTARY),
    "drop": _transition({M}, X, {SYSTEM, ADMIN}, exit_reason=ExitReason.NO_RENEWAL_ANSWER),
    "remove": _transition({M, A, R}, X, {ADMIN}, exit_reason=ExitReason.REMOVED_BY_ADMIN),
    "readmit": _transition({X}, M, {ADMIN}),
    # An application closed: withdrawn by its author, or expired. A first application is purged
    # (see membership.services); these moves concern former members who applied before 2026-11.
    "withdraw": _transition({A, R}, X, {PERSON}, exit_reason=ExitReason.VOLUNTARY),
    "expire": _transition({A}, X, {SYSTEM}),
}

# The admin's exit form gives a reason: the move that records it.
EXIT_MOVES = {ExitReason.VOLUNTARY: "leave", ExitReason.DECLINED_RENEWAL: "decline_renewal",
              ExitReason.NO_RENEWAL_ANSWER: "drop", ExitReason.REMOVED_BY_ADMIN: "remove"}


class TransitionRefused(Exception):
    """A move the lifecycle does not allow; its message is for the person who tried it."""


def may(person: Person, name: str, by: str) -> bool:
    transition = TRANSITIONS[name]
    return (person.status in transition.sources and actor_of(by) in transition.actors
            and transition.allows(person))


# Told of every exit, whatever its path (the renewal closes the year's request).
_exit_listeners: list[Callable[[Person, str, datetime], None]] = []


def after_exit(listener: Callable[[Person, str, datetime], None]):
    """Register `listener(person, move, now)`, called in the transaction of every exit."""
    _exit_listeners.append(listener)
    return listener


def move(person: Person, name: str, *, by: str, why: str, now: datetime,
         flush_new: bool = True) -> None:
    """Make one move of the lifecycle, written to the person's history; refused if not allowed.

    A new person is flushed, so that their id is there for the e-mails that follow; an import
    of thousands says flush_new=False and flushes them by batches."""
    if not may(person, name, by):
        raise TransitionRefused(refusal_message(person, name))
    transition = TRANSITIONS[name]
    from_status = person.status
    entering = from_status != Status.MEMBER and transition.target == Status.MEMBER
    person.status = transition.target
    db.session.add(StatusChange(person=person, from_status=from_status,
                                to_status=transition.target, reason=why, changed_by=by,
                                changed_at=now, exit_reason=transition.exit_reason))
    if person.id is None and flush_new:
        db.session.flush()
    if entering:
        person.member_since = now
        person.exited_at = None
        person.exit_reason = None
    if transition.target == Status.EXITED:
        person.exit_reason = transition.exit_reason or person.exit_reason
        person.exited_at = now
        person.charter_nonce = None
        person.pending_application = None
        for listener in _exit_listeners:
            listener(person, name, now)


def refusal_message(person: Person, name: str) -> str:
    if person.status == Status.EXITED:
        if person.exit_reason == ExitReason.REMOVED_BY_ADMIN:
            return ("Vous avez été retiré·e du réseau par le GT QVT : seul un administrateur "
                    "peut vous y réintégrer.")
        if person.exit_reason == ExitReason.APPLICATION_REFUSED:
            return ("Votre candidature n'a pas été retenue par le GT QVT : pour en parler, "
                    "écrivez-lui.")
        return "Vous avez quitté le réseau : cette action n'est plus possible."
    if person.status == Status.APPLICANT:
        return "Votre demande d'adhésion n'est pas encore confirmée : acceptez d'abord la charte."
    if person.status == Status.AWAITING_REVIEW:
        return "Votre candidature est en attente de validation par le GT QVT."
    return "Cette action ne s'applique pas à votre situation actuelle dans le réseau."
