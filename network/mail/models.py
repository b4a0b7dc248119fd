import enum
import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Accepted by the relay, then returned by the recipient's server (a DSN read over IMAP).
    BOUNCED = "bounced"


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as the change that causes it, then delivered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # One business event, one row: queueing the same key twice sends nothing more.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True)
    mailing_id: Mapped[int | None] = mapped_column(
        ForeignKey("mailing.id", ondelete="SET NULL"), index=True)
    template: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # One text attachment at most (the .ics of an event).
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_content: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Times the connection died while this message was in flight: a message that keeps killing
    # it is isolated, then fails alone.
    connection_drops: Mapped[int] = mapped_column(default=0)
    # Headers of its own, as JSON (a mailing's List-Unsubscribe, List-Id, Precedence).
    extra_headers: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @property
    def message_id(self) -> str:
        return message_id(self.id, self.dedup_key)


MESSAGE_ID_DOMAIN = "reseau-qvt-occitanie.fr"


def message_id(row_id: int, dedup_key: str) -> str:
    """Derived from the outbox row, so that a copy sent twice after a crash is recognisable (and
    the row a bounce quotes it from can be found)."""
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:16]
    return f"<outbox-{row_id}-{digest}@{MESSAGE_ID_DOMAIN}>"


class RelayState(db.Model):
    """The SMTP relay as the senders last found it: an outage delays every message at once,
    without spending their attempts, and is shown to the admins and to monitoring."""

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Since when every connection fails (None: the relay answers).
    failing_since: Mapped[datetime | None]
    # No sender tries again before this (a relay-wide back-off).
    next_try_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[datetime | None]
