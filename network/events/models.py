import enum
import re
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow


class EventKind(enum.StrEnum):
    WEBINAR = "webinaire"
    WORKSHOP = "atelier"
    ANNUAL_MEETING = "rendez-vous"
    WELCOME_MODULE = "module-accueil"
    REINFORCEMENT_MODULE = "module-renforcement"
    WORKING_GROUP = "groupe-travail"
    OTHER = "autre"


EVENT_KIND_LABELS = {
    EventKind.WEBINAR: "Webinaire",
    EventKind.WORKSHOP: "Atelier thématique",
    EventKind.ANNUAL_MEETING: "Rendez-vous annuel du réseau",
    EventKind.WELCOME_MODULE: "Module d'accueil",
    EventKind.REINFORCEMENT_MODULE: "Module de renforcement",
    EventKind.WORKING_GROUP: "Groupe de travail",
    EventKind.OTHER: "Autre",
}


class EventMode(enum.StrEnum):
    IN_PERSON = "presentiel"
    REMOTE = "distance"
    HYBRID = "hybride"


EVENT_MODE_LABELS = {EventMode.IN_PERSON: "En présentiel", EventMode.REMOTE: "À distance",
                     EventMode.HYBRID: "Hybride (sur place et à distance)"}
# In the events list, beside the town and the audience.
EVENT_MODE_SHORT_LABELS = {EventMode.IN_PERSON: "présentiel", EventMode.REMOTE: "à distance",
                           EventMode.HYBRID: "hybride"}


class Audience(enum.StrEnum):
    MEMBERS = "membres"
    PUBLIC = "public"


AUDIENCE_LABELS = {Audience.MEMBERS: "Réservé aux membres du réseau",
                   Audience.PUBLIC: "Ouvert à tous"}
AUDIENCE_SHORT_LABELS = {Audience.MEMBERS: "réservé aux membres", Audience.PUBLIC: "ouvert à tous"}


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


EVENT_STATUS_LABELS = {EventStatus.DRAFT: "Brouillon", EventStatus.PUBLISHED: "Publié",
                       EventStatus.CANCELLED: "Annulé"}


class Event(db.Model):
    """A webinar, a workshop, the annual meeting, a module…: what people register for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    description_markdown: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    audience: Mapped[str] = mapped_column(String(10), default=Audience.MEMBERS)
    status: Mapped[str] = mapped_column(String(10), default=EventStatus.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Bumped by every registration and cancellation: the UPDATE locks the event's row, so that
    # places are counted by one transaction at a time, and numbers the waiting list.
    registration_seq: Mapped[int] = mapped_column(default=0)
    # Changes announced to the registered (the SEQUENCE of the .ics).
    revision: Mapped[int] = mapped_column(default=0)
    # Set once the day-before reminders are queued.
    reminders_queued_at: Mapped[datetime | None]

    themes: Mapped[list["EventTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="EventTheme.name")
    materials: Mapped[list["EventMaterial"]] = relationship(
        cascade="all, delete-orphan", order_by="EventMaterial.id")

    @property
    def theme_names(self) -> list[str]:
        return [theme.name for theme in self.themes]

    @property
    def town(self) -> str | None:
        """The town of the address, for the events list: its last part, without the postcode
        (« Aract Occitanie, 12 rue X, 31000 Toulouse » is in Toulouse); none for an event only
        online."""
        if self.mode == EventMode.REMOTE or not (self.address or "").strip():
            return None
        last = self.address.replace("\n", ",").split(",")[-1].strip()
        return re.sub(r"^\d{5}\s+", "", last) or None

    def has_started(self, now: datetime) -> bool:
        """Attendance means something from the start on: before it, nobody has come or missed
        it (an attendance marked three months ahead listed 42 people « absent »)."""
        return now >= self.starts_at


class EventTheme(db.Model):
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class EventMaterial(db.Model):
    """A replay, slides, a document: a link and its title, until the resource library exists."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistrationStatus(enum.StrEnum):
    # A non-member who has not yet confirmed their address.
    UNCONFIRMED = "unconfirmed"
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.UNCONFIRMED: "Adresse à confirmer",
    RegistrationStatus.REGISTERED: "Inscrit·e",
    RegistrationStatus.WAITING: "Liste d'attente",
    RegistrationStatus.CANCELLED: "Annulée",
}


class Registration(db.Model):
    """One person for one event: a member, or a non-member for a public event.

    One row per person and event, reused when they register again after cancelling: the unique
    constraints make a double registration impossible.
    """

    __table_args__ = (UniqueConstraint("event_id", "person_id", name="uq_registration_person"),
                      UniqueConstraint("event_id", "guest_email", name="uq_registration_guest"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True)
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    guest_organisation: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), index=True)
    # The event's registration_seq when the place was asked for: the waiting list's order.
    seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    # None until an admin marks the attendance.
    attended: Mapped[bool | None]
    # Came without registering: added on the spot by an admin, present (even when it was full).
    walk_in: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship()
    person = relationship("Person")

    @property
    def email(self) -> str:
        return self.person.email if self.person is not None else self.guest_email

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        # A guest is erased some time after the event (network.events.retention).
        return self.guest_name or "Invité·e (données effacées)"

    @property
    def first_name(self) -> str:
        return self.person.first_name if self.person is not None else self.guest_name

    @property
    def organisation(self) -> str | None:
        return self.person.organisation if self.person is not None else self.guest_organisation


class EventInvitation(db.Model):
    """An admin's "invite these members": queued by the tick in resumable batches."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    profiles: Mapped[str] = mapped_column(String(200), default="")
    department_codes: Mapped[str] = mapped_column(String(200), default="")
    # Only the members who have not attended the welcome module yet.
    without_welcome_module: Mapped[bool] = mapped_column(default=False)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(254))
    recipient_count: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime | None]
