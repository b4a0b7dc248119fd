from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db, utcnow


class Mailing(db.Model):
    """A message to the members of a segment; each recipient gets one outbox row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    # The segment, as comma-separated codes; empty means "every member".
    profiles: Mapped[str] = mapped_column(String(200), default="")
    department_codes: Mapped[str] = mapped_column(String(200), default="")
    qvt_field_codes: Mapped[str] = mapped_column(String(400), default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an admin confirms the sending; the scheduler then queues it in batches.
    send_requested_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    recipient_count: Mapped[int] = mapped_column(default=0)
    # A « lettre d'information »: once sent, it is archived on the site (/actualites/lettres).
    newsletter: Mapped[bool] = mapped_column(default=False)
