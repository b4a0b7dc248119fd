"""Who may have which attestation, its code, and what its public page may say."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from network.attestations.models import Attestation, AttestationKind
from network.events.models import EventStatus, Registration
from network.extensions import db
from network.membership.models import CharterAcceptance, Person, Status
from network.templating import PARIS

# Crockford's base 32: digits and capitals without I, L, O and U, which are read as 1, 1, 0 or
# mistaken for V. Twelve of them are 60 bits: nobody finds a code by trying, anybody types one.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP = 4
# What people type for what they read.
READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """ABCDEFGHJKMN → ABCD-EFGH-JKMN, as the attestation prints it."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str | None) -> str | None:
    """The code someone typed or followed (dashes, spaces, small letters, O for 0…), or None if
    it cannot be one."""
    if not typed or len(typed) > 40:
        return None
    code = re.sub(r"[\s\-.\u00a0\u202f]", "", typed).upper().translate(READ_AS)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


class AttestationRefused(Exception):
    """Why an attestation cannot be delivered, in French; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message, self.status = message, status


def membership_year(now: datetime) -> int:
    """The year an attestation of membership is for: the calendar year, in Paris."""
    return now.astimezone(PARIS).year


def presence_refusal(person: Person, registration: Registration, now: datetime) -> str | None:
    """Why this member cannot have an attestation of presence for this registration, or None."""
    if person.status != Status.MEMBER:
        return "Les attestations sont délivrées aux membres du réseau."
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        return "Cet événement a été annulé : il n'y a pas d'attestation de présence."
    if event.ends_at > now:
        return ("Cet événement n'a pas encore eu lieu : l'attestation de présence sera "
                "disponible une fois l'événement terminé et votre présence relevée.")
    if registration.attended is not True:
        return ("Votre présence à cet événement n'a pas été relevée : il n'y a pas d'attestation "
                "de présence. En cas d'erreur, écrivez au GT QVT.")
    return None


def presence_attestation(person: Person, registration_id: int, now: datetime) -> Attestation:
    """The attestation of presence of a member at an event they attended, delivered once: the
    same code each time it is asked for."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.person_id != person.id:
        raise AttestationRefused("Cette inscription n'existe pas dans votre espace.", 404)
    if (refusal := presence_refusal(person, registration, now)) is not None:
        raise AttestationRefused(refusal)
    return _issued(Attestation.registration_id == registration.id, now,
                   kind=AttestationKind.PRESENCE, person_id=person.id,
                   registration_id=registration.id)


def membership_attestation(person: Person, now: datetime) -> Attestation:
    """The member's attestation of membership for this year, delivered once a year."""
    if person.status != Status.MEMBER:
        raise AttestationRefused("Les attestations d'appartenance sont délivrées aux membres "
                                 "du réseau.")
    year = membership_year(now)
    return _issued((Attestation.person_id == person.id) & (Attestation.year == year), now,
                   kind=AttestationKind.MEMBERSHIP, person_id=person.id, year=year)


def _issued(existing, now: datetime, **values) -> Attestation:
    attestation = db.session.scalar(select(Attestation).where(existing))
    while attestation is None:
        candidate = Attestation(code=new_code(), issued_at=now, **values)
        try:
            with db.session.begin_nested():
                db.session.add(candidate)
            return candidate
        except IntegrityError:
            # A double click delivered it meanwhile (or, once in 10¹⁸, the code was taken).
            attestation = db.session.scalar(select(Attestation).where(existing))
    return attestation


def current_membership_attestation(person: Person, now: datetime) -> Attestation | None:
    """This year's attestation of membership, if it was delivered (nothing is created)."""
    return db.session.scalar(select(Attestation).where(
        Attestation.person_id == person.id, Attestation.year == membership_year(now)))


def own_attestation(person: Person, code: str | None) -> Attestation | None:
    """One of the member's attestations, by its code (None for anybody else's)."""
    code = normalise_code(code)
    if code is None:
        return None
    return db.session.scalar(select(Attestation).where(Attestation.code == code,
                                                        Attestation.person_id == person.id))


def publish_badge(person: Person, published: bool, now: datetime) -> Attestation | None:
    """Publish (or withdraw) the badge of this year's membership: its page shows the member's
    name and the year only while it is published."""
    attestation = (membership_attestation(person, now) if published
                   else current_membership_attestation(person, now))
    if attestation is not None:
        attestation.published = published
    return attestation


def attended_registration_ids(person: Person, registrations, now: datetime) -> set[int]:
    """The registrations of the list for which the member may download an attestation."""
    return {registration.id for registration in registrations
            if presence_refusal(person, registration, now) is None}


@dataclass
class Verification:
    """What /verifier/<code> may show: `state` is valid, withdrawn (a presence no longer
    recorded) or unpublished (a badge not shown); the attestation only when valid."""

    state: str
    kind: str
    attestation: Attestation | None = None


def verify(code: str | None) -> Verification | None:
    """What the public page of a code says, or None when no attestation has this code."""
    code = normalise_code(code)
    attestation = code and db.session.scalar(select(Attestation).where(Attestation.code == code))
    if not attestation:
        return None
    person = attestation.person
    if attestation.kind == AttestationKind.MEMBERSHIP:
        # The badge says « membre » only while the member keeps it published and is a member.
        shown = (attestation.published and person.status == Status.MEMBER
                 and person.anonymised_at is None)
        return Verification("valid" if shown else "unpublished", attestation.kind,
                            attestation if shown else None)
    registration = attestation.registration
    valid = (registration.attended is True and registration.event.status != EventStatus.CANCELLED
             and person.anonymised_at is None)
    return Verification("valid" if valid else "withdrawn", attestation.kind,
                        attestation if valid else None)


def latest_charter_acceptance(person: Person) -> CharterAcceptance | None:
    return db.session.scalar(select(CharterAcceptance).where(
        CharterAcceptance.person_id == person.id).order_by(
        CharterAcceptance.accepted_at.desc(), CharterAcceptance.id.desc()).limit(1))


def forget_attestations(person_ids: list[int]) -> None:
    """At anonymisation: the attestations go, and their codes verify nothing any more."""
    db.session.execute(delete(Attestation).where(Attestation.person_id.in_(person_ids)))


def file_name(attestation: Attestation) -> str:
    """attestation-presence-ABCD-EFGH-JKMN.pdf: nothing personal in a file name."""
    kind = "presence" if attestation.kind == AttestationKind.PRESENCE else "appartenance"
    return f"attestation-{kind}-{grouped(attestation.code)}.pdf"
