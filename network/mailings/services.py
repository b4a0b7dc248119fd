"""Write to the mailing list: a segment, a preview, a test to oneself, then the outbox."""

from datetime import datetime

from sqlalchemy import func, select

from network.extensions import db
from network.mail.models import OutboxMessage
from network.mail.services import Email, queue_emails, queue_to_people
from network.mailings.models import Mailing
from network.membership.models import Person, Status
from network.membership.search import PersonFilter, filtered_people
from network.templating import render_markdown


def segment_codes(text: str) -> list[str]:
    return [code for code in text.split(",") if code]


def recipients_query(mailing: Mailing):
    """Active members of the mailing's segment, in id order (for resumable batches)."""
    criteria = PersonFilter(statuses=[Status.MEMBER], profiles=segment_codes(mailing.profiles),
                            department_codes=segment_codes(mailing.department_codes),
                            qvt_field_codes=segment_codes(mailing.qvt_field_codes))
    return filtered_people(criteria, with_lists=False).order_by(None).order_by(Person.id)


def count_recipients(mailing: Mailing) -> int:
    return db.session.scalar(select(func.count()).select_from(
        recipients_query(mailing).subquery()))


def _mailing_email(mailing: Mailing, person: Person | None, recipient: str, key: str,
                   body_html: str) -> Email:
    return Email(key, recipient, "mailing", mailing.subject, person, mailing.id,
                 {"body_text": mailing.body_markdown, "body_html": body_html})


def send_test(mailing: Mailing, admin_email: str, now: datetime) -> None:
    """A copy to the admin, to read it as members will."""
    queue_emails([_mailing_email(mailing, None, admin_email,
                                 f"mailing-test:{mailing.id}:{now.isoformat()}",
                                 render_markdown(mailing.body_markdown))], now)


def request_sending(mailing: Mailing, now: datetime) -> None:
    """Confirmed by an admin: the scheduler queues it at its next tick, in batches."""
    mailing.send_requested_at = now
    mailing.recipient_count = count_recipients(mailing)


def queue_requested_mailings(now: datetime, batch_size: int = 500, progress=None) -> int:
    """Queue one outbox row per recipient; a crash or a re-run resumes where it stopped."""
    queued = 0
    pending = db.session.scalars(select(Mailing).where(
        Mailing.send_requested_at.is_not(None), Mailing.queued_at.is_(None))).all()
    for mailing in pending:
        queued += _queue_mailing(mailing, now, batch_size, progress, queued)
        mailing.queued_at = now
        db.session.commit()
    return queued


def _queue_mailing(mailing: Mailing, now: datetime, batch_size: int, progress,
                   already: int) -> int:
    body_html = render_markdown(mailing.body_markdown)

    def email_for(person: Person) -> Email:
        return _mailing_email(mailing, person, person.email,
                              f"mailing:{mailing.id}:{person.id}", body_html)

    def on_batch(done: int) -> None:
        progress(f"Envoi « {mailing.subject} »", already + done)

    return queue_to_people(recipients_query(mailing), email_for, now, batch_size,
                           on_batch if progress else None)


def delivery_counts(mailing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per mailing, how many of its e-mails are pending, sent or failed (one query)."""
    counts: dict[int, dict[str, int]] = {mailing_id: {} for mailing_id in mailing_ids}
    rows = db.session.execute(
        select(OutboxMessage.mailing_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.mailing_id.in_(mailing_ids),
               OutboxMessage.dedup_key.startswith("mailing:"))
        .group_by(OutboxMessage.mailing_id, OutboxMessage.status))
    for mailing_id, status, number in rows:
        counts[mailing_id][status] = number
    return counts
