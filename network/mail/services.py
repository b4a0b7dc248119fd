"""Queue e-mails with the change that causes them, and deliver them once."""

import contextlib
import functools
import json
import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app, g
from flask_mail import Connection
from sqlalchemy import Row, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from network.extensions import db, utcnow
from network.logs import log_event
from network.mail.bounces import flag_bounced_address, return_path
from network.mail.dsn import short_reason
from network.mail.models import OutboxMessage, OutboxStatus, message_id
from network.membership.models import Person

log = logging.getLogger("network.mail")


def queue_email(key: str, recipient: str, template: str, subject: str, *, person=None,
                now: datetime | None = None, mailing_id: int | None = None,
                **context) -> OutboxMessage | None:
    """Queue one e-mail in the current transaction; a key already queued queues nothing."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)):
        return None
    email = Email(key, recipient, template, subject, person, mailing_id, context)
    message = OutboxMessage(**_outbox_row(email, email_renderer(), now or utcnow()))
    try:
        # A savepoint, so that losing a race on the unique key keeps the caller's change.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    g.outbox_queued = True
    return message


@dataclass
class Email:
    """One e-mail to queue: its unique key, where it goes, and what its template needs."""

    key: str
    recipient: str
    template: str
    subject: str
    person: object = None
    mailing_id: int | None = None
    context: dict = field(default_factory=dict)
    # (file name, text) of an attachment, such as an event's .ics.
    attachment: tuple[str, str] | None = None
    # Headers of its own (a mailing's List-Unsubscribe, List-Id, Precedence).
    headers: dict[str, str] | None = None


def queue_emails(emails: list[Email], now: datetime) -> int:
    """Queue a batch in the current transaction: one query for the keys already queued, one insert.

    For the jobs that write to every member. Keys already queued are skipped; a key queued by a
    concurrent transaction meanwhile raises IntegrityError: the caller rolls back and retries.
    """
    if not emails:
        return 0
    queued = set(db.session.scalars(select(OutboxMessage.dedup_key).where(
        OutboxMessage.dedup_key.in_([email.key for email in emails]))))
    render = email_renderer()
    rows = [_outbox_row(email, render, now) for email in emails if email.key not in queued]
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
        g.outbox_queued = True
    return len(rows)


def queue_batch(emails: list[Email], now: datetime) -> bool:
    """Queue a batch and commit it; False (rolled back) when a concurrent transaction queued
    some of these keys first: the caller takes the same batch again, and skips those."""
    try:
        queue_emails(emails, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def queue_to_people(people, email_for, now: datetime, batch_size: int,
                    on_batch=None) -> int:
    """One e-mail per person of `people` (a query of Person), in committed batches of ids.

    The keys make a re-run, or a run after a crash, skip whoever already has their copy.
    `on_batch(queued)` hears of each batch (progress on a terminal)."""
    queued = last_id = 0
    while True:
        batch = db.session.scalars(people.where(Person.id > last_id).limit(batch_size)).all()
        if not batch:
            return queued
        if not queue_batch([email_for(person) for person in batch], now):
            continue
        last_id = batch[-1].id
        queued += len(batch)
        if on_batch:
            on_batch(queued)


def email_renderer():
    """Render e-mail templates with the app's template context, computed once per batch."""
    shared: dict = {}
    current_app.update_template_context(shared)
    # Both bodies sign the same leave link: sign it once per person.
    shared["leave_url"] = functools.cache(shared["leave_url"])
    environment = current_app.jinja_env

    def render(template: str, **context) -> tuple[str, str]:
        context = shared | context
        return (environment.get_template(f"email/{template}.txt").render(context),
                environment.get_template(f"email/{template}.html").render(context))
    return render


def _outbox_row(email: Email, render, now: datetime) -> dict:
    body_text, body_html = render(email.template, subject=email.subject, person=email.person,
                                  **email.context)
    return {"dedup_key": email.key, "person_id": getattr(email.person, "id", None),
            "mailing_id": email.mailing_id, "template": email.template,
            "recipient": email.recipient, "subject": email.subject, "body_text": body_text,
            "body_html": body_html, "created_at": now, "next_attempt_at": now,
            "attachment_name": email.attachment[0] if email.attachment else None,
            "attachment_content": email.attachment[1] if email.attachment else None,
            "extra_headers": json.dumps(email.headers, ensure_ascii=False) if email.headers
            else None}


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
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    try:
        for index, message in enumerate(batch):
            try:
                # The envelope sender names the row: a bounce finds its way back to it.
                connection.host.sendmail(return_path(message.id), [message.recipient],
                                         _mime_bytes(message, sender))
            except smtplib.SMTPRecipientsRefused as error:
                code, reply = min(error.recipients.values())
                _mark_failure(message, now, code, repr(error), report, _reply(code, reply))
            except smtplib.SMTPSenderRefused as error:
                # About our envelope sender, not the recipient's address.
                _mark_failure(message, now, error.smtp_code, repr(error), report)
            except smtplib.SMTPResponseException as error:
                _mark_failure(message, now, error.smtp_code, repr(error), report,
                              _reply(error.smtp_code, error.smtp_error))
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


def _claim_due_messages(now: datetime, limit: int) -> list[Row]:
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
    # Plain rows, marked by UPDATE: ORM objects would all be expired, and reloaded, by the commit
    # that follows each message.
    return list(db.session.execute(
        select(OutboxMessage.id, OutboxMessage.dedup_key, OutboxMessage.person_id,
               OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text,
               OutboxMessage.body_html, OutboxMessage.attachment_name,
               OutboxMessage.attachment_content, OutboxMessage.attempts)
        .where(OutboxMessage.claim_token == token, OutboxMessage.status == OutboxStatus.SENDING)
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


def _utf8() -> Charset:
    # Set explicitly: Flask-Mail changes the module-wide defaults for UTF-8 when imported.
    charset = Charset("utf-8")
    charset.header_encoding = charset.body_encoding = QP
    return charset


UTF8 = _utf8()
# smtplib sends bytes as they are: lines must already end in CRLF.
SMTP_LINES = compat32.clone(linesep="\r\n")


def _mime_bytes(row: Row, sender: str) -> bytes:
    """The message as sent: plain text and HTML alternatives, UTF-8 in quoted-printable, and
    the attachment if there is one.

    Built with the standard library's compat32 API: five times faster than Flask-Mail's Message,
    which matters when the yearly campaign writes to every member.
    """
    message = body = MIMEMultipart("alternative")
    if row.attachment_name:
        message = MIMEMultipart("mixed")
        message.attach(body)
        attachment = MIMEText(row.attachment_content, _attachment_subtype(row.attachment_name),
                              UTF8)
        attachment.add_header("Content-Disposition", "attachment",
                              filename=row.attachment_name)
        message.attach(attachment)
    message["Subject"] = Header(row.subject, UTF8)
    message["From"] = formataddr(parseaddr(sender), UTF8)
    message["To"] = row.recipient
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(row.id, row.dedup_key)
    # RFC 3834: no out-of-office reply to an automatic message.
    message["Auto-Submitted"] = "auto-generated"
    body.attach(MIMEText(row.body_text, "plain", UTF8))
    body.attach(MIMEText(row.body_html, "html", UTF8))
    return message.as_bytes(policy=SMTP_LINES)


def _attachment_subtype(filename: str) -> str:
    return "calendar" if filename.endswith(".ics") else "plain"


def _mark(message: Row, **values) -> None:
    """Record the outcome of one attempt at once: a crash later must not send it again."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                       .values(attempts=message.attempts + 1, lease_until=None, **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _mark_sent(message: Row, now: datetime, report: DeliveryReport) -> None:
    _mark(message, status=OutboxStatus.SENT, sent_at=now, last_error=None)
    report.sent += 1


def _mark_failure(message, now, smtp_code: int, error: str, report: DeliveryReport,
                  reply: str | None = None) -> None:
    if 500 <= smtp_code < 600:
        if reply:
            # A permanent refusal of the recipient says as much of the address as a bounce.
            flag_bounced_address(message.person_id, message.recipient, reply, now)
        _mark(message, status=OutboxStatus.FAILED, last_error=error)
        log_event(log, "mail.failed", logging.WARNING, message_id=message.id, smtp_code=smtp_code)
        report.failed += 1
    else:
        _mark_retry(message, now, error, report)


def _reply(code: int, text: bytes | str) -> str:
    """An SMTP reply as a short reason: "550 5.1.1 No such user"."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return short_reason(f"{code} {text}")


def _mark_retry(message: Row, now: datetime, error: str,
                report: DeliveryReport) -> None:
    attempts = message.attempts + 1
    if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        _mark(message, status=OutboxStatus.FAILED, last_error=error)
        log_event(log, "mail.failed", logging.WARNING, message_id=message.id, attempts=attempts)
        report.failed += 1
    else:
        _mark(message, status=OutboxStatus.PENDING, last_error=error,
              next_attempt_at=now + retry_delay(attempts))
        log_event(log, "mail.retry", logging.WARNING, message_id=message.id, attempts=attempts)
        report.retried += 1


def retry_delay(attempts: int) -> timedelta:
    """Back-off between two attempts: 1, 2, 4, 8… minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver_after_response(app) -> None:
    """Deliver right after a response was sent; a failure here only delays the e-mails."""
    with app.app_context():
        try:
            deliver_pending()
        except Exception:
            log.exception("mail.delivery_after_request_failed")


def retry_failed(message_ids: list[int] | None, now: datetime) -> int:
    """Put failed messages (the given ones, or all) back in the queue, for the next delivery."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount
