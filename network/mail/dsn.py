"""Read a message received on the bounce address: a delivery failure, a delay, an auto-reply?

Pure parsing, no database: `parse_bounce` says what the message is, why delivery failed, and
where the outbox row can be read from (the addresses it was delivered to, our Message-IDs it
quotes). RFC 3464 reports are read with the standard `email` package; what is not one (Exim's
plain text, old Exchange, …) goes to flufl.bounce, Mailman's bounce detectors.
"""

import base64
import enum
import logging
import quopri
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr

from flufl.bounce import all_failures

from network.mail.models import MESSAGE_ID_DOMAIN

REASON_MAX = 300
# The headers a mail server writes the envelope recipient in: the VERP address, for a bounce.
DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To")
OUR_MESSAGE_ID = re.compile(
    rf"<outbox-(\d+)-([0-9a-f]{{16}})@{re.escape(MESSAGE_ID_DOMAIN)}>", re.IGNORECASE)
MAIL_SYSTEM_SENDERS = ("mailer-daemon", "mailer_daemon", "mail-daemon", "postmaster")
# Out-of-office subjects, as French, English and a few other clients write them.
AUTO_REPLY_SUBJECT = re.compile(
    r"r.{1,2}ponse automatique|automatic reply|auto[- ]?reply|out of (the )?office|"
    r"\babsen(ce|t|te)\b|message d.absence|abwesenheit|^\s*auto\s*:", re.IGNORECASE)
# An SMTP reply with an enhanced status code, as in "550 5.1.1 <…>: User unknown".
SMTP_FAILURE = re.compile(r"\b5\d\d[ -]5\.\d{1,3}\.\d{1,3}\b[^\r\n]*")
ADDRESS = re.compile(r"<?[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+\.[a-z]{2,}>?", re.IGNORECASE)


class BounceKind(enum.StrEnum):
    PERMANENT = "permanent"  # not delivered, and never will be
    TEMPORARY = "temporary"  # a delay: the remote server keeps trying
    AUTO_REPLY = "auto_reply"  # out of office, vacation…
    UNKNOWN = "unknown"  # anything else: not understood


@dataclass
class Bounce:
    kind: BounceKind
    reason: str = ""
    # Where the report was delivered (the VERP address, when the relay kept it).
    addressed_to: list[str] = field(default_factory=list)
    # (row id, Message-ID) of our messages the report quotes, in the order found.
    message_ids: list[tuple[int, str]] = field(default_factory=list)


def parse_bounce(raw: bytes) -> Bounce:
    """What a message received on the bounce address is, and which of our messages it is about."""
    # compat32 (the default): flufl.bounce's detectors use that API.
    message = message_from_bytes(raw)
    bounce = _classify(message)
    bounce.addressed_to = [address for name in DELIVERY_HEADERS
                           for _, address in getaddresses(map(str, message.get_all(name, [])))
                           if address]
    bounce.message_ids = _quoted_message_ids(message)
    return bounce


def _classify(message: Message) -> Bounce:
    recipients = _delivery_status_blocks(message)
    if recipients:
        failed = [block for block in recipients if _action(block) == "failed"]
        if failed:
            return Bounce(BounceKind.PERMANENT, _report_reason(failed[0]) or _text_reason(message))
        if any(_action(block) == "delayed" for block in recipients):
            return Bounce(BounceKind.TEMPORARY)
        return Bounce(BounceKind.UNKNOWN)  # delivered, relayed, expanded: a success report
    if _is_auto_reply(message):
        return Bounce(BounceKind.AUTO_REPLY)
    try:
        with _quiet(logging.getLogger("flufl.bounce")):
            temporary, permanent = all_failures(message)
    except Exception:  # the detectors' heuristics on arbitrary input: not understood
        return Bounce(BounceKind.UNKNOWN)
    if permanent:
        return Bounce(BounceKind.PERMANENT, _text_reason(message))
    if temporary:
        return Bounce(BounceKind.TEMPORARY)
    return Bounce(BounceKind.UNKNOWN)


@contextmanager
def _quiet(logger: logging.Logger):
    """flufl.bounce logs a line for each detector it tries, and the traceback of a detector that
    trips on odd input (6.0.0's Yale detector on a message without From), which we handle: none
    of it belongs in our logs. Set at each call: a logging.config call (Alembic's) resets it."""
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def _delivery_status_blocks(message: Message) -> list[Message]:
    """The per-recipient fields of an RFC 3464 report (Action, Status, Diagnostic-Code…)."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if encoding in ("base64", "quoted-printable"):
            # The parser splits the encoded text into blocks as if it were plain: decode it.
            encoded = "".join(block.as_string().lstrip("\n") for block in blocks)
            try:
                decoded = (base64.b64decode(encoded) if encoding == "base64"
                           else quopri.decodestring(encoded.encode()))
            except ValueError:
                return []
            text = decoded.decode("utf-8", "replace").replace("\r\n", "\n")
            blocks = [HeaderParser().parsestr(chunk) for chunk in re.split(r"\n\s*\n", text)
                      if chunk.strip()]
        if not isinstance(blocks, list):
            return []
        # The first block is about the message, the others each about one recipient.
        return [block for block in blocks[1:] if block.get("Action")]
    return []


def _action(block: Message) -> str:
    return str(block.get("Action", "")).strip().lower()


def _report_reason(block: Message) -> str:
    status = str(block.get("Status", "")).strip()
    diagnostic = _diagnostic(str(block.get("Diagnostic-Code", "")))
    if diagnostic and status and status not in diagnostic:
        return short_reason(f"{status} {diagnostic}")
    return short_reason(diagnostic or status)


def _diagnostic(value: str) -> str:
    """The SMTP reply of a Diagnostic-Code, on one line:
    'smtp; 550-5.1.1 First line\\n 550-5.1.1 second line' -> '550 5.1.1 First line second line'."""
    value = re.sub(r"^\s*[\w-]+\s*;\s*", "", value)  # the diagnostic type: "smtp;", "X-Postfix;"
    first, *rest = value.splitlines() or [""]
    first = re.sub(r"^(\d{3})-", r"\1 ", first.strip())
    # The continuation lines of a multi-line SMTP reply repeat its codes.
    rest = [re.sub(r"^\s*\d{3}[- ](\d\.\d{1,3}\.\d{1,3}\s+)?", "", line) for line in rest]
    return " ".join([first, *rest])


def _text_reason(message: Message) -> str:
    """Without a report, the SMTP reply quoted in the human-readable text, if there is one."""
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found = SMTP_FAILURE.search(_text_of(part))
            if found:
                return short_reason(found.group(0))
    return "non remis : rapport de non-remise sans code d'erreur"


def short_reason(text: str) -> str:
    """One line of at most 300 characters, without the e-mail addresses the servers quote."""
    text = " ".join(ADDRESS.sub("<adresse>", text).split())
    return text if len(text) <= REASON_MAX else text[:REASON_MAX - 1] + "…"


def _is_auto_reply(message: Message) -> bool:
    """Out-of-office and other automatic answers (RFC 3834 and the usual non-standard marks).

    Mail systems mark their failure reports auto-replied too: those are not answers."""
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if sender.split("@")[0] in MAIL_SYSTEM_SENDERS or message.get("X-Failed-Recipients"):
        return False
    return bool(
        str(message.get("Auto-Submitted", "no")).strip().lower() not in ("", "no")
        or message.get("X-Autoreply") or message.get("X-Autorespond")
        or str(message.get("Precedence", "")).strip().lower() == "auto_reply"
        or AUTO_REPLY_SUBJECT.search(_decoded(message.get("Subject", ""))))


def _decoded(header) -> str:
    try:
        return str(make_header(decode_header(str(header))))
    except (LookupError, UnicodeError, ValueError):
        return str(header)


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _quoted_message_ids(message: Message) -> list[tuple[int, str]]:
    """Our Message-IDs anywhere in the report: its References, the returned message or its
    headers (message/rfc822, text/rfc822-headers), or the copy quoted in plain text."""
    found: dict[tuple[int, str], None] = {}
    for part in message.walk():
        texts = [str(value) for value in part.values()]
        if not part.is_multipart():
            texts.append(_text_of(part))
        for text in texts:
            for match in OUR_MESSAGE_ID.finditer(text):
                found[(int(match.group(1)), match.group(0).lower())] = None
    return list(found)
