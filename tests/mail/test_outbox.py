"""The outbox: an SMTP outage loses nothing, and nothing is ever sent twice."""

import asyncio
import socket
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.mail.delivery import deliver_pending, relay_state, retry_delay
from network.mail.models import OutboxMessage, OutboxStatus
from network.mail.services import queue_email
from network.scheduler.tick import run_tick
from tests.factories import NOW, join_form
from tests.support.postgres import free_port
from tests.support.smtp import SmtpServer


def queue(key="test:1", recipient="anne@exemple.fr"):
    # A stand-in for a person: these tests are about the outbox, not about members.
    someone = SimpleNamespace(id=None, first_name="Anne", member_since=NOW, status="exited")
    message = queue_email(key, recipient, "already_member", "Sujet", now=NOW, person=someone)
    db.session.commit()
    return message


def statuses():
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_a_key_is_queued_once(app):
    assert queue() is not None
    assert queue() is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_delivery_sends_each_message_once_with_a_message_id_from_the_row(app, smtp):
    first, second = queue("test:1"), queue("test:2", "paul@exemple.fr")
    report = deliver_pending(NOW)
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    assert deliver_pending(NOW + timedelta(hours=1)).sent == 0
    assert [m["To"] for m in smtp.messages] == ["anne@exemple.fr", "paul@exemple.fr"]
    assert smtp.messages[0]["Message-ID"] == first.message_id
    assert first.message_id != second.message_id
    assert statuses() == ["sent", "sent"]


def test_sign_up_survives_smtp_down_and_the_mail_leaves_once_when_it_is_back(make_app):
    port = free_port()  # nothing listens here yet: SMTP is down
    app = make_app(MAIL_PORT=port)
    with app.app_context():
        client = app.test_client()
        response = client.post("/rejoindre", data=join_form())
        assert response.status_code == 302
        response.close()  # runs the delivery attempted right after the request

        [message] = db.session.scalars(select(OutboxMessage))
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 0, "an outage of the relay spends no attempt"
        relay = relay_state()
        assert "Connection refused" in relay.last_error
        retry_at = relay.next_try_at

        server = SmtpServer(port).start()
        try:
            assert run_tick(retry_at - timedelta(seconds=1)).delivery.sent == 0, "backs off"
            assert run_tick(retry_at).delivery.sent == 1
            assert run_tick(retry_at + timedelta(hours=1)).delivery.sent == 0
            assert [m["To"] for m in server.messages] == ["anne.martin@exemple.fr"]
        finally:
            server.stop()


@pytest.fixture
def hanging_smtp():
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield listener.getsockname()[1]
    listener.close()


def test_a_hanging_smtp_server_times_out_and_nothing_is_lost(make_app, hanging_smtp, smtp):
    app = make_app(MAIL_PORT=hanging_smtp, MAIL_TIMEOUT=0.3)
    with app.app_context():
        response = app.test_client().post("/rejoindre", data=join_form())
        assert response.status_code == 302
        response.close()
        [message] = db.session.scalars(select(OutboxMessage))
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
        assert "timed out" in relay_state().last_error

        app.extensions["mail"].port = smtp.port  # the relay is repaired
        assert run_tick(relay_state().next_try_at).delivery.sent == 1
        assert len(smtp.to("anne.martin@exemple.fr")) == 1


def test_two_deliveries_at_the_same_time_send_each_message_once(make_app, smtp):
    app = make_app()
    with app.app_context():
        for n in range(5):
            queue(f"test:{n}", f"personne{n}@exemple.fr")
    # The first sender is held inside the SMTP conversation while the second one runs.
    first_sender_inside = threading.Event()
    release = threading.Event()
    original = smtp.handler.handle_DATA

    async def slow_handle_data(server, session, envelope):
        first_sender_inside.set()
        while not release.is_set():
            await asyncio.sleep(0.01)
        return await original(server, session, envelope)

    smtp.handler.handle_DATA = slow_handle_data
    reports = {}

    def deliver(name):
        with app.app_context():
            reports[name] = deliver_pending(NOW)

    first = threading.Thread(target=deliver, args=("first",))
    first.start()
    assert first_sender_inside.wait(5)
    deliver("second")
    release.set()
    first.join(10)

    assert reports["second"].sent == 0
    assert reports["first"].sent == 5
    assert sorted(m["To"] for m in smtp.messages) == [f"personne{n}@exemple.fr"
                                                      for n in range(5)]


def test_a_sender_that_crashed_mid_batch_leaves_nothing_behind(app, smtp):
    for n in range(3):
        queue(f"test:{n}", f"personne{n}@exemple.fr")
    # A crash after claiming: the rows stay 'sending' until the lease is over (real time).
    db.session.execute(db.update(OutboxMessage).values(
        status=OutboxStatus.SENDING, lease_until=NOW + timedelta(minutes=5)))
    db.session.commit()
    app.config["FROZEN_NOW"] = NOW + timedelta(minutes=4)
    assert deliver_pending(NOW + timedelta(minutes=4)).sent == 0
    app.config["FROZEN_NOW"] = NOW + timedelta(minutes=6)
    assert deliver_pending(NOW + timedelta(minutes=6)).sent == 3
    assert len(smtp.messages) == 3


def test_temporary_refusal_is_retried_and_permanent_refusal_fails(app, smtp):
    queue("test:1")
    smtp.handler.refuse_with = "451 4.3.0 Try again later"
    report = deliver_pending(NOW)
    assert report.retried == 1
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.next_attempt_at == NOW + retry_delay(1)

    smtp.handler.refuse_with = "550 5.1.1 No such user"
    report = deliver_pending(message.next_attempt_at)
    assert report.failed == 1
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert "550" in message.last_error
    assert deliver_pending(NOW + timedelta(days=1)).sent == 0


def test_retries_back_off_then_give_up_after_the_retry_window(app, smtp):
    smtp.handler.refuse_with = "451 4.2.1 Mailbox busy"
    queue("test:1")
    window = timedelta(hours=app.config["OUTBOX_RETRY_WINDOW_HOURS"])
    moment, attempt = NOW, 0
    while moment < NOW + window:
        deliver_pending(moment)
        attempt += 1
        message = db.session.scalar(select(OutboxMessage))
        assert (message.attempts, message.status) == (attempt, OutboxStatus.PENDING)
        moment = message.next_attempt_at
    deliver_pending(moment)
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert "451" in message.last_error
    assert attempt > 8, "retries span the window: days, not hours"
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]


def test_console_backend_logs_the_whole_message(make_app, caplog):
    app = make_app(MAIL_BACKEND="console")
    with app.app_context():
        response = app.test_client().post("/rejoindre", data=join_form())
        with caplog.at_level("INFO", logger="network.mail"):
            response.close()
        assert "anne.martin@exemple.fr" in caplog.text
        assert "/charte/" in caplog.text, "a newcomer can follow the link from the console"
        assert statuses() == ["sent"]
