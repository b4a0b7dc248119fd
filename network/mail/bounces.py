"""Bounces: each e-mail leaves with its own return address, and what comes back is read over IMAP.

So that the people whose address is dead are known before anyone is dropped at the yearly
renewal: the message is marked « non remis » with the reason, the person's address is flagged.
"""

import hashlib
import hmac
import imaplib
import logging
import re
import ssl
from contextlib import contextmanager, suppress
from datetime import datetime
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import func, update

from network.extensions import db
from network.logs import log_event
from network.mail.dsn import Bounce, BounceKind, parse_bounce
from network.mail.models import OutboxMessage, OutboxStatus, message_id
from network.membership.models import Person

log = logging.getLogger("network.mail")

# Messages fetched from the mailbox at once, and read at most by one call (the next tick takes
# the rest: a backlog after a campaign does not hold the tick for long).
IMAP_BATCH = 50
IMAP_MAX_PER_RUN = 1000


def return_path(outbox_id: int) -> str:
    """The envelope sender of an outbox message: bounces+<id>-<tag>@domain (VERP).

    The tag, a short HMAC of the id, keeps a forged report from marking any message bounced.
    Without MAIL_BOUNCE_ADDRESS, the address of MAIL_DEFAULT_SENDER, as it is."""
    bounce_address = current_app.config["MAIL_BOUNCE_ADDRESS"]
    if not bounce_address:
        return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    local, domain = bounce_address.rsplit("@", 1)
    return f"{local}+{outbox_id}-{_tag(outbox_id)}@{domain}"


def outbox_id_from_address(address: str) -> int | None:
    """The outbox row a VERP address stands for; None for any other address or a forged tag."""
    bounce_address = current_app.config["MAIL_BOUNCE_ADDRESS"]
    if not bounce_address:
        return None
    local, domain = bounce_address.lower().rsplit("@", 1)
    found = re.fullmatch(rf"{re.escape(local)}\+(\d+)-([0-9a-f]{{8}})@{re.escape(domain)}",
                         parseaddr(address)[1].strip().lower())
    if not found:
        return None
    outbox_id = int(found.group(1))
    return outbox_id if hmac.compare_digest(found.group(2), _tag(outbox_id)) else None


def _tag(outbox_id: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"bounce:{outbox_id}".encode(), hashlib.sha256).hexdigest()[:8]


def flag_bounced_address(person_id: int | None, recipient: str, reason: str,
                         now: datetime) -> bool:
    """Flag the person's address as not receiving mail, in the current transaction.

    Only if `recipient` is still their address (a corrected address must not be flagged for the
    old one), and only when the failure is about the mailbox: a refusal for the message itself
    (policy, content, size: enhanced codes 5.3, 5.5, 5.6, 5.7) says nothing of the address."""
    if person_id is None or not blames_the_address(reason):
        return False
    result = db.session.execute(
        update(Person)
        .where(Person.id == person_id, func.lower(Person.email) == recipient.strip().lower())
        .values(email_bounced_at=now, email_bounce_reason=reason[:300])
        .execution_options(synchronize_session=False))
    return result.rowcount > 0


def blames_the_address(reason: str) -> bool:
    """True unless the reason's enhanced status code (RFC 3463) is about the message or the
    sender: 5.3 (system), 5.5 (protocol), 5.6 (content), 5.7 (security, policy)."""
    found = re.search(r"\b5\.(\d{1,3})\.\d{1,3}\b", reason)
    return not (found and found.group(1) in {"3", "5", "6", "7"})


def record_bounce(outbox_id: int, reason: str, now: datetime) -> bool:
    """Mark a message « non remis » (bounced) with the reason, and flag its person's address;
    False when the message is unknown or already marked. The caller commits."""
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None or row.status == OutboxStatus.BOUNCED:
        return False
    row.status = OutboxStatus.BOUNCED
    row.last_error = reason
    row.lease_until = None
    flagged = flag_bounced_address(row.person_id, row.recipient, reason, now)
    log_event(log, "mail.bounced", logging.WARNING, message_id=outbox_id,
              address_flagged=flagged)
    return True


def outbox_id_of(bounce: Bounce) -> int | None:
    """The outbox row a report is about: from the VERP address it was delivered to, else from
    our Message-ID it quotes (when a relay rewrote the envelope sender), checked against the
    row's key."""
    for address in bounce.addressed_to:
        outbox_id = outbox_id_from_address(address)
        if outbox_id is not None:
            return outbox_id
    for row_id, quoted in bounce.message_ids:
        row = db.session.get(OutboxMessage, row_id)
        if row is not None and message_id(row.id, row.dedup_key).lower() == quoted:
            return row_id
    return None


def process_bounce(raw: bytes, now: datetime) -> str:
    """Handle one message received on the bounce address; say what it was (for the counts)."""
    try:
        bounce = parse_bounce(raw)
    except Exception:  # arbitrary input from the Internet: not understood, never fatal
        return "unreadable"
    if bounce.kind != BounceKind.PERMANENT:
        return bounce.kind.value
    outbox_id = outbox_id_of(bounce)
    if outbox_id is None:
        return "unmatched"
    if not record_bounce(outbox_id, bounce.reason, now):
        return "no_change"  # marked already, or the row is gone
    db.session.commit()
    return "bounced"


def read_bounces(now: datetime) -> int:
    """Read the unseen messages of the bounce mailbox, record the failures, mark them seen.

    Returns how many messages were newly marked bounced. Off without BOUNCE_IMAP_HOST; an IMAP
    failure is logged and ends the reading (the next tick tries again), it never breaks the tick.
    """
    if not current_app.config["BOUNCE_IMAP_HOST"]:
        return 0
    counts: dict[str, int] = {}
    try:
        with _open_mailbox(current_app.config) as imap:
            _read_unseen(imap, now, counts)
    except (OSError, imaplib.IMAP4.error) as error:
        log_event(log, "mail.bounces_unreachable", logging.WARNING,
                  error=type(error).__name__, detail=str(error)[:200], **counts)
        return counts.get("bounced", 0)
    if counts:
        # Counts only: what was not understood is left seen in the mailbox, for a human.
        not_understood = sum(counts.get(outcome, 0)
                             for outcome in ("unreadable", "unknown", "unmatched"))
        log_event(log, "mail.bounces_read", logging.WARNING if not_understood else logging.INFO,
                  **counts)
    return counts.get("bounced", 0)


@contextmanager
def _open_mailbox(config):
    address = (config["BOUNCE_IMAP_HOST"], int(config["BOUNCE_IMAP_PORT"]))
    if config["BOUNCE_IMAP_SSL"]:
        imap = imaplib.IMAP4_SSL(*address, ssl_context=ssl.create_default_context(),
                                 timeout=config["MAIL_TIMEOUT"])
    else:
        imap = imaplib.IMAP4(*address, timeout=config["MAIL_TIMEOUT"])
    try:
        if not config["BOUNCE_IMAP_SSL"] and "STARTTLS" in imap.capabilities:
            imap.starttls(ssl.create_default_context())
        # str(): FLASK_BOUNCE_IMAP_PASSWORD=123456 is read as a number.
        imap.login(str(config["BOUNCE_IMAP_USER"]), str(config["BOUNCE_IMAP_PASSWORD"]))
        status, _ = imap.select(_quoted(config["BOUNCE_IMAP_FOLDER"]))
        if status != "OK":
            raise imaplib.IMAP4.error("the folder cannot be selected")
        yield imap
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            # Python 3.11's logout() leaves the socket open when LOGOUT itself fails.
            with suppress(OSError):
                imap.shutdown()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_unseen(imap: imaplib.IMAP4, now: datetime, counts: dict[str, int]) -> None:
    status, data = imap.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise imaplib.IMAP4.error("UNSEEN search refused")
    uids = (data[0] or b"").split()[:IMAP_MAX_PER_RUN]
    for start in range(0, len(uids), IMAP_BATCH):
        batch = b",".join(uids[start:start + IMAP_BATCH]).decode()
        # PEEK: a message is marked seen only once handled (one commit each, so a crash
        # before the mark only reads again what was recorded already).
        status, data = imap.uid("FETCH", batch, "(UID BODY.PEEK[])")
        if status != "OK":
            raise imaplib.IMAP4.error("FETCH refused")
        for item in data:
            if isinstance(item, tuple):
                outcome = process_bounce(item[1], now)
                counts[outcome] = counts.get(outcome, 0) + 1
        imap.uid("STORE", batch, "+FLAGS.SILENT", r"(\Seen)")
