import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow

if TYPE_CHECKING:
    from network.events.models import Registration
    from network.membership.models import Person


class AttestationKind(enum.StrEnum):
    # A member was marked present at an event.
    PRESENCE = "presence"
    # A member belongs to the network for a year (and may publish it as a badge).
    MEMBERSHIP = "membership"


ATTESTATION_KIND_LABELS = {AttestationKind.PRESENCE: "Attestation de présence",
                           AttestationKind.MEMBERSHIP: "Attestation d'appartenance"}


class Attestation(db.Model):
    """An attestation the network delivered, and the code that lets anyone check it.

    One per registration (presence) or per member and year (membership): downloading it again
    gives the same code. Its facts are read from the registration and the person when it is
    shown, so that a presence withdrawn by an admin no longer verifies."""

    __table_args__ = (
        UniqueConstraint("person_id", "year", name="uq_attestation_person_year"),
        CheckConstraint("(kind = 'presence' AND registration_id IS NOT NULL AND year IS NULL) "
                        "OR (kind = 'membership' AND year IS NOT NULL "
                        "AND registration_id IS NULL)", name="kind_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Twelve characters of Crockford's base 32, shown in groups of four (ABCD-EFGH-JKMN).
    code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    year: Mapped[int | None]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A membership's badge: its /verifier page shows the name only while this is on.
    published: Mapped[bool] = mapped_column(default=False)

    person: Mapped["Person"] = relationship()
    registration: Mapped["Registration | None"] = relationship()
