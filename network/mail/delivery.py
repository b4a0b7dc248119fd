"""Deliver the outbox: each message once, whatever the relay does.

- Claims that hold: a batch is claimed at the real time, for as long as it may take, and only its
  claimant records what became of a message.
- Outages spend no attempt: when the relay cannot be reached every sender waits (a relay-wide
  back-off) and the messages keep their attempts; only what the relay says about one message
  (4xx, 5xx, a connection that dies with it in flight) is charged to it.
- No poisoned batch: after a dropped connection a new one takes the rest; a message that keeps
  killing the connection is sent last, alone, and fails alone.
- Quotas: the relay's per-minute and per-day limits, counted in the database by every process.
"""

import contextlib
import logging
import math
import secrets
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Connection
from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from network.extensions import db, utcnow
from network.logs import log_event
from network.mail.bounces import flag_bounced_address, return_path
from network.mail.dsn import short_reason
from network.mail.mime import mime_bytes
from network.mail.models import OutboxMessage, OutboxStatus, RelayState
from network.ratelimit import increment

log = logging.getLogger("network.mail")
RELAY = "smtp"
# A message alone in its batch that kills the connection is charged if the relay took other
# messages this recently.
SUSPECT_WINDOW = timedelta(minutes=15)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Left for later without being charged: relay down, quota reached, time budget spent.
    deferred: int = 0

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.deferred += other.deferred


class RelayUnreachable(Exception):
    """The relay cannot take messages now: connection refused, timeout, TLS, 421."""


def deliver_pending(now: datetime | None = None, limit: int | None = None,
                    keys: list[str] | None = None, budget: float | None = None,
                    ) -> DeliveryReport:
    """Send a batch of due messages (or only those with these keys), within `budget` seconds.

    `now` says what is due (the tick's time); claims and quotas run on the real time.
    """
    now = now or utcnow()
    report = DeliveryReport()
    if relay_paused(now):
        return report
    token, batch = _claim(now, limit or current_app.config["OUTBOX_BATCH_SIZE"], keys)
    if not batch:
        return report
    if current_app.config["MAIL_BACKEND"] == "console":
        for message in batch:
            log.info("E-mail (console) à %s — %s\n%s", message.recipient, message.subject,
                     message.body_text)
            _finish(message, token, report, "sent", status=OutboxStatus.SENT, sent_at=now,
                    last_error=None)
        return report
    deadline = time.monotonic() + budget if budget else None
    _Sender(token, now, report, deadline).send(batch)
    return report


def deliver_after_response(app, keys: list[str]) -> None:
    """Right after a response: the e-mails that request queued, within a small time budget;
    the scheduler takes whatever is left. A failure here only delays them."""
    with app.app_context():
        try:
            deliver_pending(keys=keys, budget=app.config["OUTBOX_WEB_BUDGET_SECONDS"])
        except Exception:
            log.exception("mail.delivery_after_request_failed")


class _Sender:
    """One claimed batch through as few connections as the relay allows."""

    def __init__(self, token: str, now: datetime, report: DeliveryReport,
                 deadline: float | None):
        self.token, self.now, self.report, self.deadline = token, now, report, deadline
        self.connection = None
        self.sender = current_app.config["MAIL_DEFAULT_SENDER"]
        # The lease runs on the real time, as the claim did.
        self.renew_at = utcnow() + _lease() / 2
        # The relay said something about a message (accepted, or refused it with a reply).
        self.answered = False
        # Messages in flight when a connection died: charged only once the relay has shown that
        # it takes other messages (else the relay is failing, not they).
        self.suspects: list[tuple[Row, str]] = []

    def send(self, batch: list[Row]) -> None:
        try:
            for index, message in enumerate(batch):
                if self._out_of_time() or not take_send_slot():
                    self._defer(batch[index:])
                    return
                try:
                    # A message that killed a connection before gets a connection of its own.
                    if message.connection_drops and self.connection is not None:
                        self._close()
                    self._connect()
                except RelayUnreachable as error:
                    relay_failed(self.now, str(error))
                    self._defer(batch[index:])
                    return
                dropped_before = len(self.suspects)
                self._send_one(message)
                if len(self.suspects) > dropped_before and dropped_before and not self.answered:
                    # Two messages in a row killed the connection: the relay fails, not they.
                    relay_failed(self.now, self.suspects[-1][1])
                    self._defer(batch[index + 1:])
                    return
                if utcnow() >= self.renew_at:
                    # Half the lease gone: keep the rest of the batch for a whole lease more.
                    _renew_claim(self.token)
                    self.renew_at = utcnow() + _lease() / 2
        finally:
            self._close()
            self._settle_suspects()
        if self.answered:
            relay_answered(self.now)

    def _settle_suspects(self) -> None:
        if not self.suspects:
            return
        state = relay_state()
        took_others_lately = state is not None and state.last_success_at is not None and (
            self.now - state.last_success_at <= SUSPECT_WINDOW)
        if self.answered or took_others_lately:
            for message, error in self.suspects:
                self._dropped(message, error)
        else:
            self._defer([message for message, _ in self.suspects])

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _timeout(self) -> float:
        timeout = current_app.config["MAIL_TIMEOUT"]
        if self.deadline is not None:
            timeout = max(0.1, min(timeout, self.deadline - time.monotonic()))
        return timeout

    def _connect(self) -> None:
        if self.connection is not None:
            return
        try:
            self.connection = _open_connection(self._timeout())
            # The time budget of a request bounds the wait for a relay that does not answer;
            # once a message is on its way, its answer gets the full timeout: cutting it short
            # would send it again although the relay may have taken it.
            self.connection.host.sock.settimeout(current_app.config["MAIL_TIMEOUT"])
        except smtplib.SMTPResponseException as error:
            raise RelayUnreachable(_reply(error.smtp_code, error.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as error:
            raise RelayUnreachable(repr(error)) from None

    def _close(self) -> None:
        if self.connection is not None:
            # quit() can fail after the server accepted everything: that is not a failed send.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.host.quit()
            self.connection = None

    def _send_one(self, message: Row) -> None:
        try:
            # The envelope sender names the row: a bounce finds its way back to it.
            self.connection.host.sendmail(return_path(message.id), [message.recipient],
                                          mime_bytes(message, self.sender))
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = min(error.recipients.values())
            self._refused(message, code, _reply(code, reply), about_address=True)
        except smtplib.SMTPSenderRefused as error:
            # About our envelope sender, not the recipient's address.
            self._refused(message, error.smtp_code, _reply(error.smtp_code, error.smtp_error))
        except smtplib.SMTPResponseException as error:
            self._refused(message, error.smtp_code, _reply(error.smtp_code, error.smtp_error),
                          about_address=True)
        except (OSError, smtplib.SMTPException) as error:
            # The connection died with this message in flight: a new connection takes the rest,
            # and it alone may be charged (see _settle_suspects).
            self.connection = None
            self.suspects.append((message, "La connexion au serveur d'envoi s'est rompue "
                                           f"pendant l'envoi de ce message ({error})."))
        else:
            self.answered = True
            _finish(message, self.token, self.report, "sent", status=OutboxStatus.SENT,
                    sent_at=self.now, last_error=None, attempts=message.attempts + 1)

    def _refused(self, message: Row, code: int, reply: str, about_address: bool = False):
        self.answered = code != 421
        if code == 421:
            # « Service not available, closing channel »: the relay, not this message.
            self.connection = None
            relay_failed(self.now, reply)
            _release([message.id], self.token)
            self.report.deferred += 1
        elif 500 <= code < 600:
            if about_address:
                # A permanent refusal of the recipient says as much of the address as a bounce.
                flag_bounced_address(message.person_id, message.recipient, reply, self.now)
            _finish(message, self.token, self.report, "failed", status=OutboxStatus.FAILED,
                    last_error=reply, attempts=message.attempts + 1)
            log_event(log, "mail.failed", logging.WARNING, message_id=message.id, smtp_code=code)
        else:
            self._retry(message, reply)

    def _dropped(self, message: Row, error: str) -> None:
        drops = message.connection_drops + 1
        if drops >= current_app.config["OUTBOX_MAX_CONNECTION_DROPS"]:
            _finish(message, self.token, self.report, "failed", status=OutboxStatus.FAILED,
                    attempts=message.attempts + 1, connection_drops=drops,
                    last_error=f"{error} Message abandonné après {drops} ruptures de la "
                               "connexion, sans que les autres messages en souffrent.")
            log_event(log, "mail.failed", logging.WARNING, message_id=message.id, drops=drops)
        else:
            self._retry(message, error, connection_drops=drops)

    def _retry(self, message: Row, error: str, **values) -> None:
        """Charged to this message: again later, less and less often, within the window."""
        attempts = message.attempts + 1
        window = timedelta(hours=current_app.config["OUTBOX_RETRY_WINDOW_HOURS"])
        if self.now - message.created_at >= window:
            _finish(message, self.token, self.report, "failed", status=OutboxStatus.FAILED,
                    attempts=attempts, last_error=error, **values)
            log_event(log, "mail.failed", logging.WARNING, message_id=message.id,
                      attempts=attempts)
            return
        _finish(message, self.token, self.report, "retried", status=OutboxStatus.PENDING,
                attempts=attempts, last_error=error,
                next_attempt_at=self.now + retry_delay(attempts), **values)
        log_event(log, "mail.retry", logging.WARNING, message_id=message.id, attempts=attempts)

    def _defer(self, messages: list[Row]) -> None:
        _release([message.id for message in messages], self.token)
        self.report.deferred += len(messages)


def retry_delay(attempts: int) -> timedelta:
    """Back-off between two attempts charged to a message: 1, 2, 4, 8… minutes, at most six
    hours (the retry window, days, ends it)."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def _open_connection(timeout: float) -> Connection:
    """An SMTP connection with a timeout (Flask-Mail sets none: a hanging relay would block)."""
    mail = current_app.extensions["mail"]
    connection = Connection(mail)
    smtp_class = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
    connection.host = smtp_class(mail.server, mail.port, timeout=timeout)
    if mail.use_tls:
        connection.host.starttls()
    if mail.username and mail.password:
        connection.host.login(mail.username, mail.password)
    return connection


def _reply(code: int, text: bytes | str) -> str:
    """An SMTP reply as a short reason: "550 5.1.1 No such user"."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return short_reason(f"{code} {text}")


# --- Claims ------------------------------------------------------------------------------------

def _lease() -> timedelta:
    """Long enough for a few messages on a relay at its slowest, renewed when half of it is
    gone: a sender killed mid-batch leaves its messages for a minute, not for the whole batch."""
    config = current_app.config
    return timedelta(seconds=max(config["OUTBOX_LEASE_SECONDS"], 4 * config["MAIL_TIMEOUT"]))


def _claim(now: datetime, limit: int, keys: list[str] | None) -> tuple[str, list[Row]]:
    """Take due messages for this sender only, atomically, so no two senders send the same."""
    token = secrets.token_hex(16)
    real_now = utcnow()
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # A sender that died mid-batch left its claim: take it back once the lease is over.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < real_now),
    )
    if keys is not None:
        due = and_(due, OutboxMessage.dedup_key.in_(keys))
    due_ids = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids.scalar_subquery()), due)
        .values(status=OutboxStatus.SENDING, lease_until=real_now + _lease(), claim_token=token)
        .execution_options(synchronize_session=False))
    db.session.commit()
    # Plain rows, marked by UPDATE: ORM objects would all be expired, and reloaded, by the commit
    # that follows each message. Messages that killed a connection go last, one by one.
    return token, list(db.session.execute(
        select(OutboxMessage.id, OutboxMessage.dedup_key, OutboxMessage.person_id,
               OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text,
               OutboxMessage.body_html, OutboxMessage.attachment_name,
               OutboxMessage.attachment_content, OutboxMessage.extra_headers,
               OutboxMessage.attempts, OutboxMessage.connection_drops,
               OutboxMessage.created_at)
        .where(OutboxMessage.claim_token == token, OutboxMessage.status == OutboxStatus.SENDING)
        .order_by(OutboxMessage.connection_drops, OutboxMessage.id)))


def _mine(token: str):
    return and_(OutboxMessage.claim_token == token, OutboxMessage.status == OutboxStatus.SENDING)


def _finish(message: Row, token: str, report: DeliveryReport, outcome: str, **values) -> None:
    """Record what became of one message at once (a crash later must not send it again), only
    if this sender still holds its claim."""
    done = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, _mine(token))
        .values(lease_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if done:
        setattr(report, outcome, getattr(report, outcome) + 1)
    else:
        log_event(log, "mail.claim_lost", logging.WARNING, message_id=message.id)


def _release(ids: list[int], token: str, **values) -> None:
    """Give messages back to the queue as they were: nothing is charged to them."""
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids), _mine(token))
        .values(status=OutboxStatus.PENDING, lease_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _renew_claim(token: str) -> None:
    """Keep the claim on what is left of the batch for another lease, from now."""
    db.session.execute(
        update(OutboxMessage).where(_mine(token))
        .values(lease_until=utcnow() + _lease()).execution_options(synchronize_session=False))
    db.session.commit()


# --- The relay's state -------------------------------------------------------------------------

def relay_state() -> RelayState | None:
    return db.session.get(RelayState, RELAY)


def relay_paused(now: datetime) -> bool:
    """The relay failed lately: no sender tries before the relay-wide back-off is over."""
    state = relay_state()
    return state is not None and state.next_try_at is not None and now < state.next_try_at


def relay_failed(now: datetime, error: str) -> None:
    """The relay cannot be reached: every sender waits, one minute at first, up to fifteen."""
    def fail(state: RelayState) -> None:
        state.failing_since = state.failing_since or now
        state.next_try_at = now + min(max((now - state.failing_since) / 4, timedelta(minutes=1)),
                                      timedelta(minutes=15))
        state.last_error = error[:500]

    state = record_relay(fail)
    log_event(log, "mail.relay_failing", logging.WARNING, since=state.failing_since.isoformat(),
              retry_in_s=int((state.next_try_at - now).total_seconds()))


def relay_answered(now: datetime) -> None:
    state = relay_state()
    if state is None or state.failing_since is not None or state.next_try_at is not None:
        def answer(state: RelayState) -> None:
            state.failing_since = state.next_try_at = None
            state.last_success_at = now
        record_relay(answer)


def record_relay(change: Callable[[RelayState], None]) -> RelayState:
    """Apply `change` to the relay's row and commit. Two senders may both find no row and both
    create it: the one that loses reads the winner's row and applies its change to it."""
    def write() -> RelayState:
        state = relay_state() or RelayState(name=RELAY)
        change(state)
        db.session.add(state)
        db.session.commit()
        return state

    try:
        return write()
    except IntegrityError:
        db.session.rollback()
        return write()


def relay_failing_for(now: datetime) -> timedelta | None:
    state = relay_state()
    return now - state.failing_since if state and state.failing_since else None


# --- Quotas ------------------------------------------------------------------------------------

QUOTAS = {"MAIL_RATE_PER_MINUTE": 60, "MAIL_RATE_PER_DAY": 86400}


def take_send_slot() -> bool:
    """One message more within the relay's quotas, counted by every process together."""
    real_now = utcnow().timestamp()
    for setting, seconds in QUOTAS.items():
        limit = current_app.config[setting]
        if limit:
            window = int(real_now // seconds)
            if increment(f"mail-quota:{seconds}:{window}", real_now,
                         (window + 1) * seconds - real_now) > limit:
                return False
    return True


def quota_wait(messages: int) -> timedelta | None:
    """About how long the relay's quotas take to let `messages` more leave (whole days at the
    daily limit, then minutes at the per-minute one); None without quotas."""
    per_minute, per_day = (current_app.config[setting] for setting in QUOTAS)
    if not (per_minute or per_day) or messages <= 0:
        return None
    days = (messages - 1) // per_day if per_day else 0
    today = messages - days * per_day if per_day else messages
    return timedelta(days=days, minutes=math.ceil(today / per_minute) if per_minute else 0)


# --- What the back-office and monitoring show ---------------------------------------------------

def outbox_counts() -> dict[str, int]:
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return counts


def retry_failed(message_ids: list[int] | None, now: datetime) -> int:
    """Put failed messages (the given ones, or all) back in the queue, for the next delivery."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, connection_drops=0,
                     next_attempt_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount

