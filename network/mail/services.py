"""Queue e-mails with the change that causes them, and deliver them once."""

import contextlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, render_template
from flask_mail import Connection, Message
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from network.extensions import db, utcnow
from network.mail.models import OutboxMessage, OutboxStatus

log = logging.getLogger("network.mail")


def queue_email(key: str, recipient: str, template: str, subject: str, *, person=None,
                now: datetime | None = None, mailing_id: int | None = None,
                **context) -> OutboxMessage | None:
    """Queue one e-mail in the current transaction; a key already queued queues nothing."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)):
        return None
    context.update(subject=subject, person=person)
    message = OutboxMessage(
        dedup_key=key,
        person_id=person.id if person is not None else None,
        mailing_id=mailing_id,
        template=template,
        recipient=recipient,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        created_at=now or utcnow(),
        next_attempt_at=now or utcnow(),
    )
    try:
        # A savepoint, so that losing a race on the unique key keeps the caller's change.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    g.outbox_queued = True
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_pending(now: datetime | None = None, limit: int | None = None) -> DeliveryReport:
    """Send every due message of the outbox: each one once, failures retried with back-off."""
    now = now or utcnow()
    report = DeliveryReport()
    batch = _claim_due_messages(now, limit or current_app.config["OUTBOX_BATCH_SIZE"])
    if not batch:
        return report
    if current_app.config["MAIL_BACKEND"] == "console":
        for message in batch:
            log.info("E-mail (console) à %s — %s\n%s", message.recipient, message.subject,
                     message.body_text)
            _mark_sent(message, now, report)
        return report
    try:
        connection = _open_smtp_connection()
    except (OSError, smtplib.SMTPException) as error:
        for message in batch:
            _mark_retry(message, now, f"connexion SMTP impossible : {error!r}", report)
        return report
    try:
        for index, message in enumerate(batch):
            try:
                connection.send(_build_message(message))
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                _mark_failure(message, now, min(codes), repr(error), report)
            except smtplib.SMTPResponseException as error:
                _mark_failure(message, now, error.smtp_code, repr(error), report)
            except (OSError, smtplib.SMTPException) as error:
                # The connection is gone: this message and the rest wait for the next attempt.
                for unsent in batch[index:]:
                    _mark_retry(unsent, now, repr(error), report)
                break
            else:
                _mark_sent(message, now, report)
    finally:
        # quit() can fail after the server accepted everything: that is not a failed send.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.host.quit()
    return report


def _claim_due_messages(now: datetime, limit: int) -> list[OutboxMessage]:
    """Take due messages for this sender only, atomically, so no two senders send the same."""
    token = secrets.token_hex(16)
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # A sender that crashed mid-batch left its claim: take it back once the lease is over.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
    )
    due_ids = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids.scalar_subquery()), due)
        .values(status=OutboxStatus.SENDING, lease_until=now + lease, claim_token=token)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token,
                                    OutboxMessage.status == OutboxStatus.SENDING)
        .order_by(OutboxMessage.id)))


class _TimeoutConnection(Connection):
    def configure_host(self):
        # Flask-Mail opens smtplib without a timeout: a hanging relay would block the tick forever.
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port,
                          timeout=current_app.config["MAIL_TIMEOUT"])
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _open_smtp_connection() -> Connection:
    connection = _TimeoutConnection(current_app.extensions["mail"])
    connection.host = connection.configure_host()
    return connection


def _build_message(row: OutboxMessage) -> Message:
    message = Message(subject=row.subject, recipients=[row.recipient], body=row.body_text,
                      html=row.body_html)
    message.msgId = row.message_id
    return message


def _mark_sent(message: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.attempts += 1
    message.lease_until = None
    message.last_error = None
    db.session.commit()
    report.sent += 1


def _mark_failure(message, now, smtp_code: int, error: str, report: DeliveryReport) -> None:
    if 500 <= smtp_code < 600:
        message.status = OutboxStatus.FAILED
        message.attempts += 1
        message.lease_until = None
        message.last_error = error
        db.session.commit()
        report.failed += 1
    else:
        _mark_retry(message, now, error, report)


def _mark_retry(message: OutboxMessage, now: datetime, error: str,
                report: DeliveryReport) -> None:
    message.attempts += 1
    message.last_error = error
    message.lease_until = None
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + retry_delay(message.attempts)
        report.retried += 1
    db.session.commit()


def retry_delay(attempts: int) -> timedelta:
    """Back-off between two attempts: 1, 2, 4, 8… minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver_after_response(app) -> None:
    """Deliver right after a response was sent; a failure here only delays the e-mails."""
    with app.app_context():
        try:
            deliver_pending()
        except Exception:
            log.exception("delivery after the request failed; the next tick will retry")


def retry_failed(message_ids: list[int] | None, now: datetime) -> int:
    """Put failed messages (the given ones, or all) back in the queue, for the next delivery."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount
