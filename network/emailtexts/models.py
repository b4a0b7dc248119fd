from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db, utcnow


class EmailText(db.Model):
    """An automatic e-mail's own subject and body, written by the GT QVT: it replaces the
    e-mail's files (templates/email/<name>.*) until it is deleted (« texte par défaut »)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The e-mail's template name (network.emailtexts.catalogue.EMAILS).
    name: Mapped[str] = mapped_column(String(60), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254))


class EmailTextDraft(db.Model):
    """The text an admin last asked to preview, not saved: the preview's frame reads it (it
    works without JavaScript, under the site's strict policy). One per admin and e-mail."""

    __table_args__ = (UniqueConstraint("admin_id", "name", name="uq_email_text_draft_admin_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admin_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
