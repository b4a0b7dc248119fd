"""Requests that arrive by e-mail, entered in the back-office by an admin.

The network's own process starts with « Je formule ma demande par mail »: the GT QVT types the
person in, then either sends them the charter link as the web sign-up does (they become members
when they accept it, like anyone), or records that they already accepted the network's rules by
e-mail, with the admin's note as the proof.
"""

import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.extensions import db
from network.mail.services import queue_email
from network.membership.lifecycle import move
from network.membership.models import CharterVersion, Person
from network.membership.services import (
    ContactDetails,
    apply_contact_details,
    normalise_email,
    record_email_acceptance,
    send_charter_link,
)
from network.templating import PARIS

REQUEST_REASON = "Demande reçue par e-mail, saisie par le GT QVT"


class AddressKnown(Exception):
    """The address is already someone's (`person`, None if they could not be read): nothing
    was saved."""

    def __init__(self, person: Person | None):
        super().__init__("address already known")
        self.person = person


def network_launch() -> date:
    """The network was launched on 22 November 2019: no one accepted its rules before."""
    return date.fromisoformat(current_app.config["NETWORK_LAUNCH_DATE"])


def acceptance_date_problem(day: date, today: date) -> str | None:
    """Why a day cannot be that of an acceptance by e-mail (`today` in Paris), or None."""
    if day > today:
        return "La date ne peut pas être dans le futur."
    launch = network_launch()
    if day < launch:
        return (f"Le réseau a été lancé le {launch:%d/%m/%Y} : indiquez une date à partir de "
                "ce jour.")
    return None


def enter_request(details: ContactDetails, by: str, now: datetime) -> Person:
    """A request received by e-mail: an applicant, sent the charter link as a web applicant is.

    No privacy consent is recorded: the charter page asks the person for it."""
    person = _new_person(details, "apply", by, REQUEST_REASON, now,
                         charter_nonce=secrets.token_hex(8))
    send_charter_link(person, now)
    return person


def enter_member_by_email(details: ContactDetails, accepted_at: datetime, note: str, by: str,
                          now: datetime) -> Person:
    """A request and the acceptance of the network's rules both received by e-mail: a member
    since `accepted_at`, the admin's note kept as the proof, and the welcome e-mail sent."""
    problem = acceptance_date_problem(accepted_at.astimezone(PARIS).date(),
                                      now.astimezone(PARIS).date())
    if problem or not note.strip():
        raise ValueError(problem or "an acceptance by e-mail needs its note")
    why = f"Cadre du réseau accepté par e-mail le {accepted_at.astimezone(PARIS):%d/%m/%Y}"
    person = _new_person(details, "enter_by_email", by, why, now, applied_at=accepted_at)
    # The lifecycle dates an entry at the move; this member has been one since their e-mail.
    person.member_since = accepted_at
    acceptance = record_email_acceptance(person, accepted_at, by, note)
    queue_email(f"member-confirmed:{person.id}:{now.isoformat()}", person.email,
                "member_confirmed", "Bienvenue dans le réseau des intervenants QVT en Occitanie",
                person=person, now=now,
                charter=db.session.get(CharterVersion, acceptance.charter_version_id))
    return person


def _person_with(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email))


def _new_person(details: ContactDetails, move_name: str, by: str, why: str, now: datetime,
                **values) -> Person:
    """A person the network did not know, moved into the lifecycle by the admin `by`;
    AddressKnown if the address is someone's, even someone saved a moment ago by another admin."""
    email = normalise_email(details.email)
    known = _person_with(email)
    if known is not None:
        raise AddressKnown(known)
    person = Person(**{"created_at": now, "applied_at": now, **values})
    apply_contact_details(person, details)
    try:
        with db.session.begin_nested():
            db.session.add(person)
            move(person, move_name, by=by, why=why, now=now)
            db.session.flush()
    except IntegrityError:
        # Two admins typing the same request: the second one's insert meets the first's row.
        raise AddressKnown(_person_with(email)) from None
    return person
