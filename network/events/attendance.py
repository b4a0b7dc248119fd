"""Who came: attendance marked once the event has started, people who came without registering
added on the spot, and the sign-in sheet (« feuille d'émargement ») printed beforehand."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.events.models import Event, EventStatus, Registration, RegistrationStatus
from network.events.services import _take_turn, registration_of
from network.extensions import db
from network.membership.models import Person, Status
from network.membership.search import PersonFilter, filtered_people
from network.membership.services import normalise_email
from network.templating import french_date
from network.textfold import unaccent_lower


class AttendanceRefused(Exception):
    """Why attendance cannot be marked (yet), in French, for the page."""


def attendance_opens(event: Event) -> str:
    """When attendance can be marked, in words: from the event's start."""
    return (f"Les présences pourront être relevées à partir du "
            f"{french_date(event.starts_at, with_time=True)} (début de l'événement).")


def attendance_refusal(event: Event, now: datetime) -> str | None:
    """None when attendance can be marked: a published event that has started."""
    if event.status == EventStatus.CANCELLED:
        return "Cet événement est annulé : il n'y a pas de présences à relever."
    if event.status != EventStatus.PUBLISHED:
        return "Cet événement n'est pas publié : il n'y a pas de présences à relever."
    if not event.has_started(now):
        return ("L'événement n'a pas encore commencé : rien n'est enregistré. "
                + attendance_opens(event))
    return None


def _check_open(event: Event, now: datetime) -> None:
    if (refusal := attendance_refusal(event, now)) is not None:
        raise AttendanceRefused(refusal)


def mark_attendance(event: Event, present_ids: set[int], now: datetime) -> int:
    """The admin's checklist: checked registrations attended, the other registered did not.
    Refused before the start (nothing changes); returns how many were present."""
    _check_open(event, now)
    present = 0
    for registration in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.REGISTERED)):
        registration.attended = registration.id in present_ids
        present += registration.attended
    return present


# --- Walk-ins -----------------------------------------------------------------------------------

@dataclass
class WalkIn:
    registration: Registration
    # They had a place: only marked present, no second registration.
    was_registered: bool


def find_members(text: str, limit: int = 20) -> list[Person]:
    """Members whose name, e-mail or organisation holds every word typed (accents and case
    aside), in French alphabetical order."""
    if not text.strip():
        return []
    criteria = PersonFilter(text=text, statuses=[Status.MEMBER])
    return db.session.scalars(filtered_people(criteria, with_lists=False).limit(limit)).all()


def add_walk_in_member(event: Event, person: Person, now: datetime) -> WalkIn:
    """A member at the door: present, with a place even when the event was full (they came).
    Already registered with a place: only marked present."""
    _check_open(event, now)
    # The event's row locked first: a second admin adding the same person waits, then finds
    # the registration made by the first.
    seq = _take_turn(event)
    registration = registration_of(event, person)
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        registration.attended = True
        return WalkIn(registration, True)
    if person.status != Status.MEMBER:
        raise AttendanceRefused(f"{person.full_name} n'est pas membre du réseau : "
                                "ajoutez cette personne comme invitée.")
    if registration is None:
        registration = Registration(event_id=event.id, person_id=person.id, created_at=now)
        db.session.add(registration)
    return WalkIn(_came_in(registration, seq, now), False)


def add_walk_in_guest(event: Event, name: str, organisation: str, email: str,
                      now: datetime) -> WalkIn:
    """Someone from outside the network at the door. A known address (a member's, a guest's
    registration) or, without one, the same name among the event's guests: that person, not a
    second registration. Guests are erased after the event like the others
    (network.events.retention); no e-mail goes to them."""
    _check_open(event, now)
    name, organisation = name.strip(), organisation.strip() or None
    email = normalise_email(email) if email.strip() else None
    if email is not None:
        member = db.session.scalar(select(Person).where(Person.email == email))
        if member is not None and (member.status == Status.MEMBER or _has_place(event, member)):
            return add_walk_in_member(event, member, now)
    seq = _take_turn(event)
    registration = _guest_registration(event, name, email)
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        registration.attended = True
        return WalkIn(registration, True)
    if registration is None:
        registration = Registration(event_id=event.id, guest_name=name, guest_email=email,
                                    created_at=now)
        db.session.add(registration)
    registration.guest_organisation = registration.guest_organisation or organisation
    return WalkIn(_came_in(registration, seq, now), False)


def _has_place(event: Event, person: Person) -> bool:
    registration = registration_of(event, person)
    return registration is not None and registration.status == RegistrationStatus.REGISTERED


def _guest_registration(event: Event, name: str, email: str | None) -> Registration | None:
    guests = select(Registration).where(Registration.event_id == event.id,
                                        Registration.person_id.is_(None))
    if email is not None:
        return db.session.scalar(guests.where(Registration.guest_email == email))
    same_name = unaccent_lower(" ".join(name.split()))
    return next((registration for registration in db.session.scalars(
        guests.where(Registration.guest_name.is_not(None)).order_by(Registration.id))
        if unaccent_lower(" ".join(registration.guest_name.split())) == same_name), None)


def _came_in(registration: Registration, seq: int, now: datetime) -> Registration:
    """A place taken at the door: outside the capacity and the waiting list, no e-mail."""
    registration.status = RegistrationStatus.REGISTERED
    registration.seq = seq
    registration.placed_at = now
    registration.cancelled_at = None
    registration.attended = True
    registration.walk_in = True
    db.session.flush()
    return registration


# --- The sign-in sheet --------------------------------------------------------------------------

@dataclass
class SheetRow:
    last_name: str
    first_name: str
    organisation: str


def _names(registration: Registration) -> tuple[str, str]:
    """(last name, first name). A guest typed one « Prénom et nom »: its first word is taken for
    the first name (« Jean-Marc de La Fontaine »: Jean-Marc, de La Fontaine)."""
    if registration.person is not None:
        return registration.person.last_name or "", registration.person.first_name or ""
    if not registration.guest_name:
        return registration.name, ""
    first, _, last = registration.guest_name.strip().partition(" ")
    return (last.strip(), first) if last.strip() else (first, "")


def by_name(registration: Registration) -> tuple[str, str]:
    """Sort key: last name, then first name, in French order (accents and case aside)."""
    last, first = _names(registration)
    return unaccent_lower(last), unaccent_lower(first)


def sign_in_sheet(event: Event) -> list[SheetRow]:
    """The people with a place, by last name then first name in French order."""
    rows = []
    for registration in db.session.scalars(
            select(Registration).options(joinedload(Registration.person))
            .where(Registration.event_id == event.id,
                   Registration.status == RegistrationStatus.REGISTERED)):
        last, first = _names(registration)
        rows.append(SheetRow(last, first, registration.organisation or ""))
    return sorted(rows, key=lambda row: (unaccent_lower(row.last_name),
                                         unaccent_lower(row.first_name)))
