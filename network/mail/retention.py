"""How long the outbox keeps what it wrote about people.

A member's own e-mails go with their data (network.members_space.services.anonymise_departed).
The admins' notifications about one person carry that person in their key, so that the person's
export and anonymisation reach them. Whatever is addressed to no member (notifications about
several people, such as the renewal review list; a guest's e-mails) is deleted after the
retention period at the latest.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, false, or_

from network.extensions import db
from network.mail.models import OutboxMessage, OutboxStatus

# Keys written before notifications carried their person this way.
EARLIER_PREFIXES = ("admin-new-member", "admin-member-left")


def about_key(person_id: int, key: str) -> str:
    """The key of an e-mail to someone else about this person."""
    return f"about:{person_id}:{key}"


def mail_about(person_ids: list[int]) -> ColumnElement[bool]:
    """The outbox rows about these people (not to them): the admins' notifications."""
    prefixes = [f"{prefix}:{person_id}:" for person_id in person_ids
                for prefix in ("about", *EARLIER_PREFIXES)]
    return or_(false(), *(OutboxMessage.dedup_key.startswith(prefix, autoescape=True)
                          for prefix in prefixes))


def purge_old_mail_to_non_members(now: datetime) -> int:
    """Delete the e-mails addressed to no member once the retention period has passed."""
    cutoff = now - timedelta(days=30 * current_app.config["RETENTION_MONTHS"])
    deleted = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.person_id.is_(None), OutboxMessage.created_at < cutoff,
        OutboxMessage.status.not_in([OutboxStatus.PENDING, OutboxStatus.SENDING]))).rowcount
    db.session.commit()
    return deleted
