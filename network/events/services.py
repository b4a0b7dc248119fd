"""The events' rules: places and waiting list, the e-mails, reminders, attendance, the parcours."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from network.events.calendar import event_ics
from network.events.models import (
    Audience,
    Event,
    EventInvitation,
    EventKind,
    EventMaterial,
    EventStatus,
    EventTheme,
    Registration,
    RegistrationStatus,
)
from network.extensions import db
from network.mail.services import Email, queue_emails, queue_to_people
from network.membership.models import Person, Status
from network.membership.search import PersonFilter, filtered_people
from network.membership.services import LinkProblem, normalise_email, signed_serializer
from network.resources.models import Resource, ResourceStatus
from network.urls import external_url

ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)


# --- The event itself -------------------------------------------------------------------------

def parse_themes(text: str) -> list[str]:
    """Themes typed as "a, b, c": trimmed, without duplicates (whatever the case)."""
    names: list[str] = []
    for name in (part.strip()[:80] for part in text.split(",")):
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def set_themes(event: Event, text: str) -> None:
    event.themes = [EventTheme(name=name) for name in parse_themes(text)]


def duplicate_event(event: Event, now: datetime) -> Event:
    """A draft copy, to make a series of sessions (the dates are the admin's to change)."""
    copy = Event(title=event.title, kind=event.kind, summary=event.summary,
                 description_markdown=event.description_markdown, starts_at=event.starts_at,
                 ends_at=event.ends_at, mode=event.mode, address=event.address,
                 online_url=event.online_url, capacity=event.capacity,
                 registration_opens_at=event.registration_opens_at,
                 registration_closes_at=event.registration_closes_at,
                 audience=event.audience, status=EventStatus.DRAFT, created_at=now)
    copy.themes = [EventTheme(name=name) for name in event.theme_names]
    db.session.add(copy)
    return copy


def publish_event(event: Event, now: datetime) -> None:
    event.status = EventStatus.PUBLISHED
    event.published_at = event.published_at or now


def cancel_event(event: Event, now: datetime) -> int:
    """Cancel the event and tell everyone registered or waiting; returns how many were told."""
    if event.status == EventStatus.CANCELLED:
        return 0
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    event.revision += 1
    return _tell_registered(event, "event_cancelled", f"Annulé : {event.title}",
                            f"event-cancelled:{event.id}", now, ACTIVE)


def notify_event_changed(event: Event, what: str, now: datetime) -> int:
    """Tell everyone registered or waiting that the date, place or link changed."""
    event.revision += 1
    return _tell_registered(event, "event_changed", f"Modification : {event.title}",
                            f"event-changed:{event.id}:{now.isoformat()}", now, ACTIVE,
                            what=what)


def add_material(event: Event, title: str, url: str, now: datetime, announce: bool) -> int:
    """Attach a replay or slides; optionally tell the participants (present, else registered)."""
    material = EventMaterial(title=title.strip(), url=url.strip(), created_at=now)
    event.materials.append(material)
    db.session.flush()
    if not announce:
        return 0
    # Those who came, once the event has started and their attendance is marked.
    attended = event.has_started(now) and db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event.id, Registration.attended.is_(True)))
    statuses = (RegistrationStatus.REGISTERED,)
    # The library's documents of the event go with the links (replays, slides).
    resources = db.session.scalars(select(Resource).where(
        Resource.event_id == event.id, Resource.status == ResourceStatus.PUBLISHED)
        .order_by(Resource.dated, Resource.id)).all()
    return _tell_registered(event, "event_materials", f"Supports disponibles : {event.title}",
                            f"event-materials:{event.id}:{material.id}", now, statuses,
                            only_attended=bool(attended), resources=resources)


def _tell_registered(event: Event, template: str, subject: str, key: str, now: datetime,
                     statuses, only_attended: bool = False, **context) -> int:
    query = (select(Registration).options(joinedload(Registration.person))
             .where(Registration.event_id == event.id, Registration.status.in_(statuses))
             .order_by(Registration.id))
    if only_attended:
        query = query.where(Registration.attended.is_(True))
    registrations = db.session.scalars(query).all()
    queue_emails([registration_email(registration, template, f"{key}:{registration.id}",
                                     subject, **context) for registration in registrations], now)
    return len(registrations)


def upcoming_events(now: datetime, limit: int) -> list[Event]:
    """The next published events, the soonest first."""
    return db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
        .order_by(Event.starts_at).limit(limit)).all()


# --- Registration -----------------------------------------------------------------------------

def registration_state(event: Event, now: datetime) -> str:
    """'open', 'not_yet', 'closed' or 'unavailable' (a draft or a cancelled event)."""
    if event.status != EventStatus.PUBLISHED:
        return "unavailable"
    if now >= event.starts_at or (event.registration_closes_at
                                  and now >= event.registration_closes_at):
        return "closed"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    return "open"


class RegistrationRefused(Exception):
    """Why a registration cannot be taken, in French, for the page."""


def register_member(event: Event, person: Person, now: datetime) -> Registration:
    """A member takes a place, or a place on the waiting list; registering twice changes nothing.
    """
    if person.status != Status.MEMBER:
        raise RegistrationRefused("Seuls les membres du réseau peuvent s'inscrire ainsi.")
    _check_open(event, now)
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.person_id == person.id))
    if registration is not None and registration.status in ACTIVE:
        return registration
    if registration is None:
        registration = Registration(event_id=event.id, person_id=person.id, created_at=now,
                                    status=RegistrationStatus.UNCONFIRMED)
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except IntegrityError:
            # A double click won the race: that registration is the one.
            return db.session.scalar(select(Registration).where(
                Registration.event_id == event.id, Registration.person_id == person.id))
    _place(registration, now)
    return registration


def request_guest_registration(event: Event, name: str, email: str, organisation: str,
                               now: datetime) -> Registration:
    """A non-member asks for a place at a public event: they confirm their address first."""
    if event.audience != Audience.PUBLIC:
        raise RegistrationRefused("Cet événement est réservé aux membres du réseau.")
    _check_open(event, now)
    email = normalise_email(email)
    member = db.session.scalar(select(Person).where(Person.email == email,
                                                    Person.status == Status.MEMBER))
    same_person = (Registration.person_id == member.id if member
                   else Registration.guest_email == email)
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, same_person))
    if registration is None:
        registration = Registration(event_id=event.id, created_at=now,
                                    person_id=member.id if member else None,
                                    guest_email=None if member else email,
                                    status=RegistrationStatus.UNCONFIRMED)
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except IntegrityError:
            # The same request sent twice at once: the first one made the registration.
            registration = db.session.scalar(select(Registration).where(
                Registration.event_id == event.id, same_person))
    if registration.status in ACTIVE:
        # Already in: say so by e-mail rather than on the page (the address is not proven).
        queue_emails([registration_email(registration, "event_already_registered",
                                         f"already:{registration.id}:{now.isoformat()}",
                                         f"Votre inscription : {event.title}")], now)
        return registration
    if member is None:
        registration.guest_name = name.strip()
        registration.guest_organisation = organisation.strip() or None
    registration.status = RegistrationStatus.UNCONFIRMED
    db.session.flush()
    queue_emails([registration_email(
        registration, "event_confirm_address",
        f"event-confirm:{registration.id}:{now.isoformat()}",
        f"Confirmez votre inscription : {event.title}",
        confirm_link=external_url("events.confirm", token=registration_token(registration)))],
        now)
    return registration


def confirm_guest_registration(registration: Registration, now: datetime) -> bool:
    """The address is confirmed: take a place (or the waiting list). False if already done."""
    if registration.status != RegistrationStatus.UNCONFIRMED:
        return False
    _check_open(registration.event, now)
    _place(registration, now)
    return True


def _check_open(event: Event, now: datetime) -> None:
    state = registration_state(event, now)
    if state == "not_yet":
        raise RegistrationRefused("Les inscriptions ne sont pas encore ouvertes.")
    if state != "open":
        raise RegistrationRefused("Les inscriptions à cet événement sont closes.")


def _take_turn(event: Event) -> int:
    """Lock the event's row and take the next number: one registration at a time per event."""
    seq = db.session.execute(
        update(Event).where(Event.id == event.id)
        .values(registration_seq=Event.registration_seq + 1)
        .returning(Event.registration_seq)
        .execution_options(synchronize_session=False)).scalar_one()
    db.session.expire(event, ["registration_seq"])
    return seq


def _place(registration: Registration, now: datetime) -> None:
    event = registration.event
    seq = _take_turn(event)
    db.session.refresh(registration, ["status"])
    if registration.status in ACTIVE:
        return  # placed meanwhile by a concurrent request (a double click)
    registration.seq = seq
    taken = registered_count(event)
    full = event.capacity is not None and taken >= event.capacity
    registration.status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
    registration.placed_at = now
    registration.cancelled_at = None
    registration.attended = None
    db.session.flush()
    if full:
        queue_emails([registration_email(
            registration, "event_waiting", f"event-waiting:{registration.id}:{registration.seq}",
            f"Liste d'attente : {event.title}", position=waiting_position(registration))], now)
    else:
        queue_emails([registration_email(
            registration, "event_registered",
            f"event-registered:{registration.id}:{registration.seq}",
            f"Inscription confirmée : {event.title}", attach_ics=True)], now)


def cancel_registration(registration: Registration, now: datetime) -> bool:
    """Give the place up; the first on the waiting list gets it and is told. Twice: harmless."""
    if registration.status == RegistrationStatus.CANCELLED:
        return False
    event = registration.event
    _take_turn(event)
    db.session.refresh(registration, ["status"])
    if registration.status == RegistrationStatus.CANCELLED:
        return False
    had_place = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    queue_emails([registration_email(
        registration, "event_cancellation", f"event-cancellation:{registration.id}:"
        f"{now.isoformat()}", f"Désinscription enregistrée : {event.title}")], now)
    if had_place and now < event.starts_at:
        promote_waiting(event, now)
    return True


def promote_waiting(event: Event, now: datetime) -> list[Registration]:
    """Give the free places to the waiting list, in its order (the caller holds the turn)."""
    free = (None if event.capacity is None
            else event.capacity - registered_count(event))
    query = (select(Registration).where(Registration.event_id == event.id,
                                        Registration.status == RegistrationStatus.WAITING)
             .order_by(Registration.seq))
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = db.session.scalars(query).all()
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
    db.session.flush()
    queue_emails([registration_email(
        registration, "event_promoted", f"event-promoted:{registration.id}:{registration.seq}",
        f"Une place s'est libérée : {event.title}", attach_ics=True)
        for registration in promoted], now)
    return promoted


def registered_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.REGISTERED))


def places_left(event: Event) -> int | None:
    """None when the event has no capacity."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - registered_count(event))


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return 1 + db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id,
        Registration.status == RegistrationStatus.WAITING, Registration.seq < registration.seq))


def registration_of(event: Event, person: Person | None) -> Registration | None:
    if person is None:
        return None
    return db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                        Registration.person_id == person.id))


def can_see_online_link(registration: Registration | None) -> bool:
    return registration is not None and registration.status == RegistrationStatus.REGISTERED


# --- Links --------------------------------------------------------------------------------------

def registration_token(registration: Registration) -> str:
    return signed_serializer("event-registration").dumps({"r": registration.id})


def registration_for_token(token: str) -> Registration:
    try:
        registration_id = int(signed_serializer("event-registration").loads(token)["r"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid") from None
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise LinkProblem("invalid")
    return registration


def invitation_token(event: Event, person: Person) -> str:
    return signed_serializer("event-invitation").dumps({"e": event.id, "p": person.id})


def invitation_for_token(token: str) -> tuple[Event, Person]:
    """The event and the member an invitation was sent to, or LinkProblem."""
    try:
        payload = signed_serializer("event-invitation").loads(token)
        event, person = db.session.get(Event, int(payload["e"])), db.session.get(
            Person, int(payload["p"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid") from None
    if event is None or person is None or event.status == EventStatus.DRAFT:
        raise LinkProblem("invalid")
    return event, person


# --- E-mails ------------------------------------------------------------------------------------

def registration_email(registration: Registration, template: str, key: str, subject: str,
                       attach_ics: bool = False, **context) -> Email:
    """An e-mail about a registration, with its cancel link (and the online link if it has a
    place)."""
    event = registration.event
    attachment = (f"evenement-{event.id}.ics", event_ics([event])) if attach_ics else None
    return Email(key, registration.email, template, subject, registration.person,
                 context={"event": event, "registration": registration,
                          "event_link": external_url("events.detail", event_id=event.id),
                          "cancel_link": external_url("events.cancel",
                                                      token=registration_token(registration)),
                          "show_online_link": can_see_online_link(registration), **context},
                 attachment=attachment)


@dataclass
class InvitationSegment:
    """Which members an invitation goes to: all of them when nothing is chosen."""

    profiles: list[str]
    department_codes: list[str]
    without_welcome_module: bool = False


def request_invitation(event: Event, segment: InvitationSegment, admin_email: str,
                       now: datetime) -> EventInvitation:
    """Confirmed by an admin: the tick queues the invitations at its next run, in batches."""
    invitation = EventInvitation(
        event_id=event.id, profiles=",".join(segment.profiles),
        department_codes=",".join(segment.department_codes),
        without_welcome_module=segment.without_welcome_module, requested_at=now,
        requested_by=admin_email, recipient_count=segment_size(segment))
    db.session.add(invitation)
    return invitation


def segment_members(segment: InvitationSegment):
    """The members of the segment, in id order (for resumable batches)."""
    criteria = PersonFilter(statuses=[Status.MEMBER], profiles=segment.profiles,
                            department_codes=segment.department_codes,
                            without_welcome_module=segment.without_welcome_module)
    return filtered_people(criteria, with_lists=False).order_by(None).order_by(Person.id)


def segment_size(segment: InvitationSegment) -> int:
    return db.session.scalar(select(func.count()).select_from(
        segment_members(segment).subquery()))


def invitation_recipients(invitation: EventInvitation):
    return segment_members(InvitationSegment(
        [c for c in invitation.profiles.split(",") if c],
        [c for c in invitation.department_codes.split(",") if c],
        invitation.without_welcome_module))


def queue_requested_invitations(now: datetime, progress=None) -> int:
    """Queue one invitation per member of each requested segment; a re-run resumes."""
    batch_size = current_app.config["RENEWAL_BATCH_SIZE"]
    queued = 0
    for invitation in db.session.scalars(select(EventInvitation).where(
            EventInvitation.queued_at.is_(None))).all():
        event = db.session.get(Event, invitation.event_id)
        if event.status == EventStatus.PUBLISHED:
            queued += _queue_invitation(invitation, event, now, batch_size, progress, queued)
        invitation.queued_at = now
        db.session.commit()
    return queued


def _queue_invitation(invitation: EventInvitation, event: Event, now: datetime, batch_size: int,
                      progress, already: int) -> int:
    def email_for(person: Person) -> Email:
        return Email(f"event-invitation:{event.id}:{person.id}", person.email,
                     "event_invitation", f"Invitation : {event.title}", person,
                     context={"event": event,
                              "event_link": external_url("events.detail", event_id=event.id),
                              "register_link": external_url(
                                  "events.invitation", token=invitation_token(event, person))})

    def on_batch(done: int) -> None:
        progress(f"Invitation « {event.title} »", already + done)

    return queue_to_people(invitation_recipients(invitation), email_for, now, batch_size,
                           on_batch if progress else None)


def send_event_reminders(now: datetime, progress=None) -> int:
    """The day before (EVENT_REMINDER_HOURS_BEFORE), remind each registered person, once."""
    ahead = timedelta(hours=current_app.config["EVENT_REMINDER_HOURS_BEFORE"])
    sent = 0
    due = db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.reminders_queued_at.is_(None),
        Event.starts_at > now, Event.starts_at <= now + ahead)).all()
    for event in due:
        sent += _tell_registered(event, "event_reminder", f"Rappel : {event.title}",
                                 f"event-reminder:{event.id}", now,
                                 (RegistrationStatus.REGISTERED,))
        event.reminders_queued_at = now
        db.session.commit()
        if progress:
            progress(f"Rappel « {event.title} »", sent)
    return sent


# --- After the event (marking attendance, walk-ins: network.events.attendance) -----------------

@dataclass
class EventFigures:
    registered: int = 0
    waiting: int = 0
    attended: int = 0
    marked: int = 0

    @property
    def attendance_rate(self) -> float | None:
        """Present among the registered whose attendance was marked (None: nothing to say)."""
        return self.attended / self.marked if self.marked else None


def event_figures(event_ids: list[int], now: datetime) -> dict[int, EventFigures]:
    """The figures of several events in one query. Before an event starts it has no attendance
    (« — », never 0 %), whatever was stored: an event moved later keeps what was marked."""
    figures = {event_id: EventFigures() for event_id in event_ids}
    rows = db.session.execute(
        select(Registration.event_id, Event.starts_at, Registration.status,
               Registration.attended, func.count())
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Event.starts_at, Registration.status,
                  Registration.attended))
    for event_id, starts_at, status, attended, count in rows:
        figure = figures[event_id]
        if status == RegistrationStatus.REGISTERED:
            figure.registered += count
            if attended is not None and now >= starts_at:
                figure.marked += count
                figure.attended += count if attended else 0
        elif status == RegistrationStatus.WAITING:
            figure.waiting += count
    return figures


@dataclass
class Parcours:
    """What a member has attended: the welcome module first, then the rest."""

    attended: list[Event]
    welcome_done: bool
    by_kind: dict[str, int]


def parcours(person: Person, now: datetime) -> Parcours:
    """The events the member was marked present at, once they had started."""
    events = db.session.scalars(
        select(Event).join(Registration).where(Registration.person_id == person.id,
                                               Registration.attended.is_(True),
                                               Event.starts_at <= now)
        .order_by(Event.starts_at)).all()
    by_kind: dict[str, int] = {}
    for event in events:
        by_kind[event.kind] = by_kind.get(event.kind, 0) + 1
    return Parcours(events, EventKind.WELCOME_MODULE in by_kind, by_kind)


def member_registrations(person: Person, now: datetime) -> tuple[list, list]:
    """(upcoming registrations still active, past events with their registration)."""
    rows = db.session.scalars(
        select(Registration).options(joinedload(Registration.event))
        .join(Event).where(Registration.person_id == person.id)
        .order_by(Event.starts_at)).all()
    upcoming = [r for r in rows if r.event.ends_at > now and r.status in ACTIVE
                and r.event.status == EventStatus.PUBLISHED]
    past = [r for r in rows if r.event.ends_at <= now and r.status == RegistrationStatus.REGISTERED]
    return upcoming, list(reversed(past))
