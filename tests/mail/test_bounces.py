"""Bounces: what comes back to the bounce address marks the message « non remis » and flags the
person's address; auto-replies and delays change nothing. Read from a real IMAP server."""

import base64
import re
from pathlib import Path
from string import Template

import pytest
from flask import Flask
from sqlalchemy import select

from config import Config
from network.extensions import db
from network.mail.bounces import outbox_id_from_address, read_bounces, return_path
from network.mail.delivery import deliver_pending
from network.mail.dsn import Bounce, BounceKind, parse_bounce
from network.mail.models import OutboxMessage, OutboxStatus
from network.membership.models import Person
from network.scheduler.tick import run_tick
from tests.factories import NOW, make_member
from tests.support.postgres import free_port

SAMPLES = Path(__file__).parent / "bounces"
BOUNCE_ADDRESS = "bounces@reseau-qvt-occitanie.fr"
AN_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def sample(name: str, row: OutboxMessage, verp: str | None = None) -> bytes:
    """A bounce written for the tests, about this outbox row, as a mail server delivers it."""
    text = Template((SAMPLES / f"{name}.eml").read_text()).substitute(
        verp=verp or return_path(row.id), recipient=row.recipient, message_id=row.message_id)
    return text.replace("\n", "\r\n").encode()


@pytest.fixture
def bounce_app(make_app, imap_server):
    imap_server.empty()
    app = make_app(MAIL_BOUNCE_ADDRESS=BOUNCE_ADDRESS, BOUNCE_IMAP_HOST=imap_server.host,
                   BOUNCE_IMAP_PORT=imap_server.port, BOUNCE_IMAP_SSL=False,
                   BOUNCE_IMAP_USER=imap_server.user, BOUNCE_IMAP_PASSWORD=imap_server.password)
    with app.app_context():
        yield app


@pytest.fixture
def bare_app():
    """The settings alone, no database: for what reads only them."""
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.update(SECRET_KEY="test-secret-key", MAIL_BOUNCE_ADDRESS=BOUNCE_ADDRESS)
    with app.app_context():
        yield app


def last_email_to(person: Person) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.person_id == person.id)
                             .order_by(OutboxMessage.id.desc()).limit(1))


def test_the_return_path_names_the_row_and_a_forged_one_names_nothing(bare_app):
    address = return_path(42)
    assert re.fullmatch(r"bounces\+42-[0-9a-f]{8}@reseau-qvt-occitanie\.fr", address)
    assert outbox_id_from_address(address) == 42
    assert outbox_id_from_address(f"Mailer <{address.upper()}>") == 42
    assert outbox_id_from_address(address.replace("+42-", "+43-")) is None
    assert outbox_id_from_address("bounces+42@reseau-qvt-occitanie.fr") is None
    assert outbox_id_from_address("intervenants-qvt-occitanie@anact.fr") is None
    bare_app.config["MAIL_BOUNCE_ADDRESS"] = None
    assert return_path(42) == "intervenants-qvt-occitanie@anact.fr", "MAIL_DEFAULT_SENDER's"
    assert outbox_id_from_address(address) is None


@pytest.mark.parametrize(("name", "kind", "reason"), [
    ("postfix", BounceKind.PERMANENT, "550 5.1.1 <adresse>: Recipient address rejected: "
                                      "User unknown in virtual mailbox table"),
    ("exim", BounceKind.PERMANENT, "550 5.1.1 <adresse>: Recipient address rejected: "
                                   "User unknown in local recipient table"),
    ("microsoft365", BounceKind.PERMANENT, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
                                           "Recipient not found by SMTP address lookup"),
    ("gmail", BounceKind.PERMANENT, "550 5.1.1 The email account that you tried to reach does "
                                    "not exist. Please try double-checking the recipient's"),
    ("delayed", BounceKind.TEMPORARY, ""),
    ("out_of_office", BounceKind.AUTO_REPLY, ""),
])
def test_each_kind_of_report_is_recognised_with_its_reason(bare_app, name, kind, reason):
    row = OutboxMessage(id=7, dedup_key="welcome:7", recipient="anne.martin@exemple.fr")
    bounce = parse_bounce(sample(name, row))
    assert bounce.kind == kind
    assert bounce.reason.startswith(reason)
    assert "\n" not in bounce.reason and len(bounce.reason) <= 300
    assert "anne.martin" not in bounce.reason
    assert return_path(7) in bounce.addressed_to
    assert bounce.message_ids == [(7, row.message_id)]


def test_an_encoded_report_is_read_and_odd_input_is_not_understood():
    report = base64.encodebytes(b"Reporting-MTA: dns; mx.exemple.fr\r\n\r\n"
                                b"Final-Recipient: rfc822; anne@exemple.fr\r\n"
                                b"Action: failed\r\nStatus: 5.1.1\r\n")
    encoded = (b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n'
               b"\r\n--b\r\nContent-Type: message/delivery-status\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" + report + b"--b--\r\n")
    assert parse_bounce(encoded) == Bounce(BounceKind.PERMANENT, "5.1.1")
    for odd in (b"", b"\x00\xff\xfe", encoded.replace(report, b"!!!")):
        assert parse_bounce(odd).kind == BounceKind.UNKNOWN


def test_bounces_read_over_imap_mark_the_message_and_flag_the_address(bounce_app, smtp,
                                                                       imap_server, caplog):
    caplog.set_level("INFO")
    people = {name: make_member(email=f"{name}@exemple.fr", first_name=name.capitalize())
              for name in ("postfix", "exim", "microsoft", "gmail", "relayed", "moved",
                           "delayed", "away")}
    assert deliver_pending(NOW).failed == 0
    rows = {name: last_email_to(person) for name, person in people.items()}
    for row in rows.values():
        [sent] = [m for m in smtp.messages if m["Message-ID"] == row.message_id]
        assert smtp.envelope_sender(sent) == return_path(row.id)
        assert sent["Auto-Submitted"] == "auto-generated"
    # "moved" has corrected their address since that e-mail left.
    people["moved"].email = "nouvelle.adresse@exemple.fr"
    db.session.commit()

    for name, kind in [("postfix", "postfix"), ("exim", "exim"), ("microsoft", "microsoft365"),
                       ("gmail", "gmail"), ("moved", "postfix"), ("delayed", "delayed"),
                       ("away", "out_of_office")]:
        imap_server.deliver(sample(kind, rows[name]))
    # A relay that rewrites the envelope sender: the report comes back to the sender's address
    # and only the Message-ID it quotes names the message.
    imap_server.deliver(sample("microsoft365", rows["relayed"],
                               verp="intervenants-qvt-occitanie@anact.fr"))
    # A forged report: a made-up tag, a made-up Message-ID.
    forged = OutboxMessage(id=rows["delayed"].id, dedup_key="forged", recipient="x@exemple.fr")
    imap_server.deliver(sample("postfix", forged, verp=f"bounces+{forged.id}-00000000@"
                                                       "reseau-qvt-occitanie.fr"))
    imap_server.deliver(b"\x00\xff\xfe pas un message\r\n")

    assert read_bounces(NOW) == 6
    assert imap_server.unseen() == 0

    db.session.expire_all()
    for name in ("postfix", "exim", "microsoft", "gmail", "relayed", "moved"):
        assert rows[name].status == OutboxStatus.BOUNCED, name
    for name in ("delayed", "away"):
        assert rows[name].status == OutboxStatus.SENT, name
    assert rows["microsoft"].last_error == ("550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
                                            "Recipient not found by SMTP address lookup")
    flagged = {name for name, person in people.items() if person.email_bounced_at}
    assert flagged == {"postfix", "exim", "microsoft", "gmail", "relayed"}
    assert people["gmail"].email_bounced_at == NOW
    assert people["gmail"].email_bounce_reason.startswith("550 5.1.1 The email account")

    # The same report delivered twice, and a second reading: nothing more.
    imap_server.deliver(sample("postfix", rows["postfix"]))
    assert read_bounces(NOW) == 0
    assert read_bounces(NOW) == 0
    assert imap_server.unseen() == 0
    ours = [record for record in caplog.records
            if record.name.split(".")[0] in ("network", "flufl")]  # not the SMTP sink's
    assert "mail.bounces_read" in [record.getMessage() for record in ours]
    logged = "\n".join(f"{record.getMessage()} {getattr(record, 'fields', '')} "
                       f"{record.exc_text or ''}" for record in ours)
    assert not AN_ADDRESS.search(logged), "no e-mail address in the logs"
    assert "flufl" not in logged


def test_a_permanent_refusal_at_sending_flags_the_address_unless_it_is_about_the_message(
        app, smtp):
    spam = make_member(email="bloquee@exemple.fr")
    smtp.handler.refuse_with = "554 5.7.1 Message rejected: spam content"
    assert deliver_pending(NOW).sent == 0
    unknown = make_member(email="inconnue@exemple.fr")
    smtp.handler.refuse_with = "550 5.1.1 No such user"
    assert deliver_pending(NOW).sent == 0

    db.session.expire_all()
    assert last_email_to(spam).status == last_email_to(unknown).status == OutboxStatus.FAILED
    assert spam.email_bounced_at is None, "the message was refused, not the address"
    assert unknown.email_bounced_at == NOW
    assert unknown.email_bounce_reason == "550 5.1.1 No such user"


def test_an_unreachable_mailbox_is_logged_and_the_tick_goes_on(make_app, imap_server, caplog):
    app = make_app(BOUNCE_IMAP_HOST="127.0.0.1", BOUNCE_IMAP_PORT=free_port(),
                   BOUNCE_IMAP_SSL=False, BOUNCE_IMAP_USER="bounces", BOUNCE_IMAP_PASSWORD="x")
    with app.app_context(), caplog.at_level("WARNING", logger="network.mail"):
        assert run_tick(NOW).bounces == 0
        app.config["BOUNCE_IMAP_PORT"] = imap_server.port  # up, but a wrong password
        assert read_bounces(NOW) == 0
    lines = [r for r in caplog.records if r.getMessage() == "mail.bounces_unreachable"]
    assert [r.fields["error"] for r in lines] == ["ConnectionRefusedError", "error"]
