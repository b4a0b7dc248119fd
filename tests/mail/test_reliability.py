"""Delivery that survives real relays (issue 14): never doubled, never given up during an outage,
no poisoned batch, web workers that never wait, ticks that never spin, one scheduler, quotas, and
the headers mail providers expect.

Real parts only: the aiosmtpd sink of tests.support.smtp in its relay modes, the database of the
run (SQLite and PostgreSQL), and time injected as `now` (the tick's) and FROZEN_NOW (the "real"
time the app reads through utcnow()). Nothing sleeps on time; the hanging relays are cut by real
socket timeouts of half a second.
"""

import html
import importlib
import logging
import re
import threading
import time
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, or_, select, update

from network.events.services import register_member
from network.extensions import db
from network.mail.delivery import deliver_pending
from network.mail.models import OutboxMessage, OutboxStatus
from network.mail.services import Email, queue_email, queue_to_people
from network.membership.models import Person, Status
from network.renewal.models import RenewalRequest
from network.scheduler.heartbeat import record_tick
from network.scheduler.lease import hold_lease
from network.scheduler.runner import build_scheduler
from network.scheduler.tick import run_tick
from network.templating import PARIS
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.events.helpers import NOW as EVENTS_NOW
from tests.events.helpers import STARTS, make_event
from tests.factories import NOW, make_member

# The tick's time in these tests: a whole minute, so that "the same minute" is unambiguous.
T = NOW
OPENS = datetime(2026, 11, 22, 9, 0, tzinfo=PARIS)
DEADLINE = datetime(2026, 12, 22, 9, 0, tzinfo=PARIS)
SIGN_IN_SUBJECT = "Votre lien de connexion à l'espace membre"
MAILING_SUBJECT = "Appel à projets FACT"
LIST_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Precedence")


# --- Helpers ------------------------------------------------------------------------------------

def at(app, moment: datetime) -> datetime:
    """Set the real time the app reads (utcnow()) to `moment`."""
    app.config["FROZEN_NOW"] = moment
    return moment


def queue(count: int, now: datetime, prefix: str = "fiab") -> list[OutboxMessage]:
    """`count` e-mails to personne0…, due from `now` (not about members: a stand-in person)."""
    someone = SimpleNamespace(id=None, first_name="Anne", member_since=now, status="exited")
    for n in range(count):
        assert queue_email(f"{prefix}:{n}", f"personne{n}@exemple.fr", "already_member",
                           f"Sujet {n}", now=now, person=someone) is not None
    db.session.commit()
    return outbox(prefix)


def outbox(prefix: str | None = None) -> list[OutboxMessage]:
    """The outbox rows as the database has them now (of one key prefix, or all)."""
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if prefix:
        query = query.where(OutboxMessage.dedup_key.startswith(f"{prefix}:"))
    return list(db.session.scalars(query))


def once_each(messages: list[OutboxMessage]) -> dict[str, int]:
    return {message.message_id: 1 for message in messages}


def page_text(response) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.text))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def signed_in_admin(app):
    """A back-office client signed in at the app's current time."""
    client = app.test_client()
    response = client.post("/admin/connexion",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.text
    return client


class Spinning(RuntimeError):
    """Raised inside a tick that keeps querying the database without end."""


# A tick over the handful of rows of these tests runs a few hundred statements at most.
STATEMENT_CAP = 2000


def run_guarded(app, action, timeout: float = 30.0) -> SimpleNamespace:
    """Run `action()` in a thread of its own (its own app context and session), as a scheduler
    does; a run still going after `timeout` seconds, or past STATEMENT_CAP statements, is
    stopped by making its next statement raise, so that a spinning tick cannot outlive the test.
    """
    state = SimpleNamespace(ident=None, statements=0, stop=False, result=None, error=None)
    started = threading.Event()

    def count(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() != state.ident:
            return
        state.statements += 1
        if state.stop or state.statements > STATEMENT_CAP:
            raise Spinning(f"still running after {state.statements} statements")

    def body():
        state.ident = threading.get_ident()
        started.set()
        with app.app_context():
            try:
                state.result = action()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                state.error = error
            finally:
                db.session.remove()

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        started.wait(5)
        thread.join(timeout)
        state.finished_in_time = not thread.is_alive()
        if not state.finished_in_time:
            state.stop = True
            thread.join(15)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    state.spun = isinstance(state.error, Spinning) or not state.finished_in_time
    return state


def assert_tick_ended(run) -> None:
    assert not run.spun, (f"the run did not end: {run.statements} statements, "
                          f"{'still running' if not run.finished_in_time else run.error!r}")
    assert run.error is None, f"the run failed: {run.error!r}"


def no_recipientless_rows() -> None:
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        or_(OutboxMessage.recipient.is_(None), OutboxMessage.recipient == ""))) == 0


ID_FIELD = re.compile(r"^(ids?|.*_ids?)$")


def _ints(value) -> set[int]:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, list | tuple | set):
        return set().union(*(_ints(item) for item in value)) if value else set()
    return set()


def skip_logged(records, thread_ident, ids: set[int]) -> bool:
    """A log line of the tick names the row it skipped by its id(s), and nothing personal."""
    for record in records:
        if record.thread != thread_ident or not record.name.startswith("network"):
            continue
        fields = getattr(record, "fields", None) or {}
        named = set().union(*(_ints(value) for key, value in fields.items()
                              if ID_FIELD.match(key))) if fields else set()
        text = record.getMessage() + " " + " ".join(str(value) for value in fields.values())
        if not named:
            named = {int(found) for found in re.findall(
                r"(?:person|personne|request|demande|registration|inscription)\w*[=: #]+(\d+)",
                text)}
        if named & ids and "@" not in text:
            return True
    return False


def anonymise(person: Person) -> None:
    """What retention leaves of a person's address (the rest of the row does not matter here)."""
    person.email = None
    db.session.commit()


# --- Row 1: claims that hold --------------------------------------------------------------------

def test_a_batch_claimed_late_in_a_long_tick_is_not_taken_again_by_a_web_worker(make_app, smtp):
    """The tick started ten minutes ago (its `now`), the lease is a minute: a claim computed from
    the tick's `now` would already be over, and a web worker would send the batch again."""
    app = make_app(OUTBOX_LEASE_SECONDS=60)
    with app.app_context():
        messages = queue(20, T - timedelta(minutes=1))
        at(app, T + timedelta(minutes=10))
        other_sender = {}

        def web_worker(message):
            # The first message of the batch is in flight: a web worker delivers meanwhile.
            smtp.handler.on_message = None
            with app.app_context():
                try:
                    other_sender["report"] = deliver_pending()
                except BaseException as error:  # noqa: BLE001
                    other_sender["error"] = error
                finally:
                    db.session.remove()

        smtp.handler.on_message = web_worker
        deliver_pending(now=T)

        assert "error" not in other_sender, other_sender.get("error")
        assert "report" in other_sender, "the other sender ran while the batch was in flight"
        assert smtp.count_by_message_id() == once_each(messages)
        assert {message.status for message in outbox("fiab")} == {OutboxStatus.SENT}


def test_a_batch_longer_than_its_lease_keeps_its_claim(make_app, smtp):
    """A slow relay: each message takes 40 s of real time, the lease is 60 s. The sender renews
    its claim as it goes, so another sender, arriving when the first lease would be long over,
    takes nothing."""
    app = make_app(OUTBOX_LEASE_SECONDS=60, OUTBOX_BATCH_SIZE=10, MAIL_TIMEOUT=2.0)
    with app.app_context():
        messages = queue(10, T - timedelta(minutes=1))
        at(app, T)
        seen = []
        other_sender = {}

        def slow_relay(message):
            seen.append(message)
            at(app, T + timedelta(seconds=40 * len(seen)))
            if len(seen) == 6:  # 240 s in: four times the first lease
                with app.app_context():
                    other_sender["report"] = deliver_pending()
                    db.session.remove()

        smtp.handler.on_message = slow_relay
        deliver_pending(now=T)

        assert other_sender["report"].sent == 0
        assert smtp.count_by_message_id() == once_each(messages)


def test_a_sender_marks_sent_only_the_messages_it_still_holds(make_app, smtp):
    """While its first message is in flight, its claim passes to another sender: it records
    nothing over that sender's claim."""
    app = make_app()
    with app.app_context():
        messages = queue(5, T - timedelta(minutes=1))
        at(app, T)

        def claim_taken_over(message):
            smtp.handler.on_message = None
            with app.app_context():
                db.session.execute(update(OutboxMessage).values(
                    status=OutboxStatus.SENDING, claim_token="another-sender",
                    lease_until=T + timedelta(days=1)))
                db.session.commit()
                db.session.remove()

        smtp.handler.on_message = claim_taken_over
        deliver_pending(now=T)

        rows = outbox("fiab")
        assert [(row.status, row.claim_token) for row in rows] == [
            (OutboxStatus.SENDING, "another-sender")] * len(messages)


# --- Row 2: outages don't spend attempts --------------------------------------------------------

OUTAGES = {
    "refused-every-10-minutes-for-2-hours": ("refused", timedelta(minutes=10), timedelta(hours=2)),
    "refused-every-hour-for-2-days": ("refused", timedelta(hours=1), timedelta(days=2)),
    "421-greeting-every-10-minutes-for-1-hour": ("421", timedelta(minutes=10),
                                                 timedelta(hours=1)),
}


@pytest.mark.parametrize("outage", OUTAGES.values(), ids=OUTAGES.keys())
def test_an_outage_spends_no_attempt_alerts_then_everything_leaves_once(
        app, admin, client, smtp, outage):
    kind, step, duration = outage
    alert_after = timedelta(minutes=app.config["SMTP_FAILING_ALERT_MINUTES"])
    messages = queue(17, T)
    if kind == "refused":
        smtp.stop()
    else:
        smtp.handler.connect_reply = "421 4.3.2 Service not available, closing channel"

    moment = T
    while moment <= T + duration:
        run_tick(at(app, moment))
        rows = outbox()
        assert [row.status for row in rows if row.status == OutboxStatus.FAILED] == [], moment
        assert {row.attempts for row in rows} == {0}, f"attempts spent by the outage at {moment}"
        health = client.get("/healthz")
        failing_for = moment - T
        if failing_for < alert_after:
            assert (health.status_code, health.json["status"]) == (200, "ok"), moment
        elif failing_for > alert_after:
            assert (health.status_code, health.json["status"]) == (503, "smtp_failing"), moment
        moment += step

    # Signed in again: the back-office session does not outlive two idle hours.
    dashboard = page_text(signed_in_admin(app).get("/admin/"))
    warning = re.search(r"Le serveur d['’]envoi refuse les e-mails depuis(.{0,400})", dashboard)
    assert warning, f"the dashboard says the relay refuses e-mails: {dashboard[:1200]}"
    assert re.search(r"\b17 e-mails? en attente", warning.group(1)), warning.group(0)

    # The relay is back: the next ticks deliver everything, once.
    if kind == "refused":
        smtp.start()
    else:
        smtp.handler.connect_reply = None
    back = moment
    while moment <= back + timedelta(hours=1):
        run_tick(at(app, moment))
        if {row.status for row in outbox()} == {OutboxStatus.SENT}:
            break
        moment += timedelta(minutes=10)
    assert {row.status for row in outbox()} == {OutboxStatus.SENT}, "delivered within the hour"
    assert smtp.count_by_message_id() == once_each(messages)
    health = client.get("/healthz")
    assert (health.status_code, health.json["status"]) == (200, "ok")


def test_a_message_refused_for_a_while_fails_only_after_the_retry_window(app, smtp):
    window = timedelta(hours=app.config["OUTBOX_RETRY_WINDOW_HOURS"])
    busy = "personne0@exemple.fr"
    smtp.handler.refused_recipients[busy] = "451 4.2.1 Mailbox busy, try again later"
    [message, other] = queue(2, T)

    moment, tries = T, 0
    while moment < message.created_at + window:
        deliver_pending(at(app, moment))
        tries += 1
        [message, other] = outbox("fiab")
        assert message.status == OutboxStatus.PENDING, (
            f"{message.status} after {moment - T} (attempt {message.attempts}), before the "
            f"{window} retry window is over")
        assert message.next_attempt_at > moment, "it backs off"
        moment = message.next_attempt_at
        assert tries < 200
    assert message.attempts >= 2, "retried during the window"
    assert other.status == OutboxStatus.SENT

    # The window is over: the next refusal is the last one.
    while message.status == OutboxStatus.PENDING and moment < T + window + timedelta(hours=12):
        deliver_pending(at(app, moment))
        [message, _] = outbox("fiab")
        moment += timedelta(hours=1)
    assert message.status == OutboxStatus.FAILED
    assert "451" in message.last_error
    assert smtp.to(busy) == []


# --- Row 3: no poisoned batch -------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["drop_on", "hang_on"])
def test_a_message_that_kills_the_connection_is_charged_alone_and_fails_alone(make_app, smtp,
                                                                              mode):
    app = make_app(MAIL_TIMEOUT=0.5)
    with app.app_context():
        messages = queue(10, T - timedelta(minutes=1))
        poison = "personne2@exemple.fr"
        getattr(smtp.handler, mode)[poison] = True

        deliver_pending(at(app, T))
        others = [f"personne{n}@exemple.fr" for n in range(10) if n != 2]
        assert sorted(m["To"] for m in smtp.messages) == sorted(others), (
            "a new connection takes the messages after the one in flight")
        rows = {row.recipient: row for row in outbox("fiab")}
        charged = rows.pop(poison)
        assert (charged.status, charged.attempts, charged.connection_drops) == (
            OutboxStatus.PENDING, 1, 1)
        assert {(row.status, row.attempts, row.connection_drops) for row in rows.values()} == {
            (OutboxStatus.SENT, 1, 0)}

        moment, tries = T, 0
        while charged.status == OutboxStatus.PENDING and tries < 100:
            moment = max(moment + timedelta(minutes=1), charged.next_attempt_at)
            deliver_pending(at(app, moment))
            charged = {row.recipient: row for row in outbox("fiab")}[poison]
            tries += 1
        assert charged.status == OutboxStatus.FAILED
        assert charged.connection_drops == app.config["OUTBOX_MAX_CONNECTION_DROPS"]
        assert "connexion" in charged.last_error.lower(), charged.last_error
        assert not re.match(r"\s*[\w.]+\(", charged.last_error), (
            "a sentence an admin reads first, not a Python repr: " + charged.last_error)
        assert all(row.connection_drops == 0 for row in outbox("fiab")
                   if row.recipient != poison), "no other message was charged a drop"
        assert smtp.count_by_message_id() == once_each(
            [message for message in messages if message.recipient != poison])


@pytest.mark.parametrize("mode", ["drop_on", "hang_on"])
def test_a_relay_that_fails_every_message_charges_none_of_them(make_app, smtp, mode):
    """Found by bench/reliability.py: when every message kills the connection, the relay is at
    fault, not the messages: nothing is charged, nothing is lost, /healthz says so in time."""
    app = make_app(MAIL_TIMEOUT=0.5)
    with app.app_context():
        messages = queue(10, T - timedelta(minutes=1))
        for message in messages:
            getattr(smtp.handler, mode)[message.recipient] = True
        moment = T
        for _ in range(6):  # an hour of ticks, ten minutes apart
            deliver_pending(at(app, moment))
            moment += timedelta(minutes=10)
        rows = outbox("fiab")
        assert {(row.status, row.attempts, row.connection_drops) for row in rows} == {
            (OutboxStatus.PENDING, 0, 0)}
        at(app, moment)
        record_tick(moment)
        assert app.test_client().get("/healthz").json["status"] == "smtp_failing"

        getattr(smtp.handler, mode).clear()  # the relay is well again
        deliver_pending(at(app, moment + timedelta(minutes=15)))
        assert smtp.count_by_message_id() == once_each(messages)


def test_a_slow_answer_to_a_web_workers_message_is_awaited_not_sent_twice(make_app, smtp):
    """Found by bench/reliability.py: the relay takes the message but answers after the web
    budget; cutting the wait short sent it again later."""
    app = make_app(MAIL_TIMEOUT=3.0, OUTBOX_WEB_BUDGET_SECONDS=0.5)
    with app.app_context():
        [message] = queue(1, T - timedelta(minutes=1))
        at(app, T)
        smtp.handler.latency = 1.0
        deliver_pending(keys=[message.dedup_key], budget=0.5)
        assert outbox("fiab")[0].status == OutboxStatus.SENT, "its answer was awaited"
        smtp.handler.latency = 0
        deliver_pending(at(app, T + timedelta(hours=1)))
        assert smtp.count_by_message_id() == once_each([message])
        assert outbox("fiab")[0].status == OutboxStatus.SENT


# --- Row 4: web workers never wait --------------------------------------------------------------

def test_a_sign_in_request_returns_and_closes_within_the_budget_when_the_relay_hangs(make_app,
                                                                                    smtp):
    app = make_app(MAIL_TIMEOUT=10.0, OUTBOX_WEB_BUDGET_SECONDS=1.0)
    with app.app_context():
        address = make_member(app.config["FROZEN_NOW"] - timedelta(days=1)).email
    smtp.handler.hang_at_connect = True
    budget = app.config["OUTBOX_WEB_BUDGET_SECONDS"] + 1

    # The request in an app context of its own, as a web worker serves it.
    started = time.monotonic()
    response = app.test_client().post("/connexion", data={"email": address})
    assert response.status_code == 200
    # Closing the response runs the delivery after it (network.register_outbox_delivery).
    closing = threading.Thread(target=response.close)
    closing.start()
    closing.join(max(0.0, budget - (time.monotonic() - started)))
    took = time.monotonic() - started
    done = not closing.is_alive()
    smtp.drop_connections()  # let a worker still waiting on the relay go
    closing.join(15)
    assert done, (f"the worker was held {took:.1f} s or more by the relay (budget "
                  f"{budget - 1:.1f} s + 1 s)")


def test_a_request_delivers_only_the_e_mails_it_queued(make_app, smtp):
    app = make_app()
    with app.app_context():
        real_now = app.config["FROZEN_NOW"]
        address = make_member(real_now - timedelta(days=1)).email
        queue(50, real_now - timedelta(minutes=1))

    # The request in an app context of its own, as a web worker serves it.
    response = app.test_client().post("/connexion", data={"email": address})
    assert response.status_code == 200
    response.close()

    assert [(m["To"], m["Subject"]) for m in smtp.messages] == [(address, SIGN_IN_SUBJECT)]
    with app.app_context():
        assert {(row.status, row.attempts) for row in outbox("fiab")} == {
            (OutboxStatus.PENDING, 0)}


def test_the_scheduler_looks_for_new_e_mails_every_poll_interval(make_app):
    app = make_app(OUTBOX_POLL_SECONDS=7)
    with app.app_context():
        scheduler = build_scheduler(app, blocking=False)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert "outbox" in jobs, f"jobs: {sorted(jobs)}"
        assert jobs["outbox"].trigger.interval == timedelta(seconds=7)


# --- Row 5: a tick never spins ------------------------------------------------------------------

def joined_2024(name: str) -> Person:
    return make_member(datetime(2024, 3, 1, tzinfo=PARIS), email=f"{name}@exemple.fr",
                       first_name=name.capitalize())


def test_a_renewal_reminder_to_an_anonymised_member_does_not_stop_the_tick(app, smtp, caplog):
    anne, basile, chloe = (joined_2024(name) for name in ("anne", "basile", "chloe"))
    run_tick(OPENS)
    request_id = db.session.scalar(select(RenewalRequest.id).where(
        RenewalRequest.person_id == chloe.id))
    chloe_id = chloe.id
    anonymise(chloe)

    with caplog.at_level(logging.INFO):
        run = run_guarded(app, lambda: run_tick(DEADLINE - timedelta(days=14)))
    assert_tick_ended(run)
    reminder = "Rappel : renouvelez votre participation au réseau avant le 22/12"
    assert [m["To"] for m in smtp.messages if m["Subject"] == reminder] == [
        anne.email, basile.email]
    no_recipientless_rows()
    assert skip_logged(caplog.records, run.ident, {chloe_id, request_id}), (
        "a log line names the skipped member by ids only")


def test_the_campaign_opening_skips_a_member_without_an_address(app, smtp, caplog):
    anne, basile, chloe = (joined_2024(name) for name in ("anne", "basile", "chloe"))
    chloe_id = chloe.id
    anonymise(chloe)

    with caplog.at_level(logging.INFO):
        run = run_guarded(app, lambda: run_tick(OPENS))
    assert_tick_ended(run)
    form = "Renouvellement 2026 : restez-vous dans le réseau ?"
    assert sorted(m["To"] for m in smtp.messages if m["Subject"] == form) == [
        anne.email, basile.email]
    no_recipientless_rows()
    assert skip_logged(caplog.records, run.ident, {chloe_id})


def test_a_mailing_batch_skips_a_member_without_an_address(app, caplog):
    """queue_to_people, which queues the mailings, fed a person its batch cannot queue."""
    people = [make_member(email=f"{name}@exemple.fr") for name in ("anne", "basile", "chloe")]
    gone = people[1].id
    anonymise(people[1])

    def email_for(person: Person) -> Email:
        return Email(f"test-mailing:{person.id}", person.email, "already_member", "Sujet",
                     person)

    members = select(Person).where(Person.status == Status.MEMBER).order_by(Person.id)
    with caplog.at_level(logging.INFO):
        run = run_guarded(app, lambda: queue_to_people(members, email_for, NOW, batch_size=2))
    assert_tick_ended(run)
    assert sorted(row.recipient for row in outbox("test-mailing")) == [
        "anne@exemple.fr", "chloe@exemple.fr"]
    no_recipientless_rows()
    assert skip_logged(caplog.records, run.ident, {gone})


def test_an_event_reminder_skips_a_registered_person_without_an_address(app, smtp, caplog):
    app.config["RENEWAL_OPENS"] = "06-01"
    workshop = make_event()
    people = [make_member(email=f"{name}@exemple.fr") for name in ("anne", "basile", "chloe")]
    registrations = [register_member(workshop, person, EVENTS_NOW) for person in people]
    db.session.commit()
    gone, gone_registration = people[2].id, registrations[2].id
    anonymise(people[2])

    with caplog.at_level(logging.INFO):
        run = run_guarded(app, lambda: run_tick(STARTS - timedelta(hours=23)))
    assert_tick_ended(run)
    reminder = f"Rappel : {workshop.title}"
    assert sorted(m["To"] for m in smtp.messages if m["Subject"] == reminder) == [
        "anne@exemple.fr", "basile@exemple.fr"]
    no_recipientless_rows()
    assert skip_logged(caplog.records, run.ident, {gone, gone_registration})


# --- Row 6: one scheduler -----------------------------------------------------------------------

def lease_name(name: str):
    module = importlib.import_module("network.scheduler.lease")
    assert hasattr(module, name), f"network.scheduler.lease.{name} does not exist"
    return getattr(module, name)


def test_a_released_lease_is_taken_at_once_by_the_next_scheduler(app):
    release_lease = lease_name("release_lease")
    assert hold_lease("host-a:1", T, 180)
    assert not hold_lease("host-b:2", T + timedelta(seconds=1), 180)
    release_lease("host-a:1")
    assert hold_lease("host-b:2", T + timedelta(seconds=2), 180), "no wait for the old lease"


def test_a_tick_that_lost_its_lease_stops_before_its_next_step(app, smtp):
    lease_lost = lease_name("LeaseLost")
    queue(3, T - timedelta(minutes=1))
    asked = []

    def keep_lease():
        asked.append(True)
        return False

    with pytest.raises(lease_lost):
        run_tick(at(app, T), keep_lease=keep_lease)
    assert asked, "run_tick asked whether it still holds the lease"
    assert smtp.messages == [], "no e-mail delivered by a tick without the lease"


def test_a_tick_asks_to_keep_its_lease_between_its_steps(app, smtp):
    messages = queue(3, T - timedelta(minutes=1))
    asked = []

    def keep_lease():
        asked.append(True)
        return True

    run_tick(at(app, T), keep_lease=keep_lease)
    assert len(asked) >= 2, "between steps, not once"
    assert smtp.count_by_message_id() == once_each(messages)


# --- Quotas -------------------------------------------------------------------------------------

def test_the_minute_quota_is_counted_in_real_time_and_nothing_waiting_is_charged(app, smtp):
    app.config["MAIL_RATE_PER_MINUTE"] = 30
    queue(100, T - timedelta(minutes=1))

    assert deliver_pending(now=at(app, T)).sent == 30
    assert len(smtp.messages) == 30
    assert deliver_pending(now=at(app, T + timedelta(seconds=30))).sent == 0
    # The tick's `now` says nothing of the relay's minute: the real time does.
    assert deliver_pending(now=T + timedelta(minutes=5)).sent == 0
    assert len(smtp.messages) == 30
    waiting = [row for row in outbox("fiab") if row.status != OutboxStatus.SENT]
    assert len(waiting) == 70
    assert {(row.status, row.attempts) for row in waiting} == {(OutboxStatus.PENDING, 0)}

    assert deliver_pending(now=at(app, T + timedelta(seconds=61))).sent == 30
    assert len(smtp.messages) == 60
    assert set(smtp.count_by_message_id().values()) == {1}


def test_a_tick_under_a_quota_sends_its_share_and_ends(app, smtp):
    app.config["MAIL_RATE_PER_MINUTE"] = 30
    queue(100, T - timedelta(minutes=1))
    at(app, T)
    run = run_guarded(app, lambda: run_tick(T))
    assert_tick_ended(run)
    assert len(smtp.messages) == 30


def test_two_processes_share_the_minute_quota(make_app, smtp):
    apps = [make_app(MAIL_RATE_PER_MINUTE=30, FROZEN_NOW=T) for _ in range(2)]
    with apps[0].app_context():
        queue(100, T - timedelta(minutes=1))
    start, errors = threading.Barrier(2), []

    def deliver(app):
        with app.app_context():
            try:
                start.wait(10)
                deliver_pending()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(smtp.messages) == 30
    with apps[1].app_context():
        assert sum(row.status == OutboxStatus.SENT for row in outbox("fiab")) == 30


def test_the_day_quota(app, smtp):
    app.config["MAIL_RATE_PER_DAY"] = 12
    queue(30, T - timedelta(minutes=1))
    assert deliver_pending(now=at(app, T)).sent == 12
    assert deliver_pending(now=at(app, T + timedelta(hours=2))).sent == 0
    assert {(row.status, row.attempts) for row in outbox("fiab")
            if row.status != OutboxStatus.SENT} == {(OutboxStatus.PENDING, 0)}
    assert deliver_pending(now=at(app, T + timedelta(days=1, minutes=1))).sent == 12
    assert len(smtp.messages) == 24


# --- Headers (RFC 3834, RFC 8058, RFC 2919) -----------------------------------------------------

def draft_and_send(admin_client) -> int:
    response = admin_client.post("/admin/envois/nouveau", data={
        "subject": MAILING_SUBJECT, "body": "Le **FACT** est ouvert."})
    assert response.status_code == 302
    mailing_id = int(re.search(r"/admin/envois/(\d+)", response.headers["Location"]).group(1))
    sent = admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"})
    assert sent.status_code == 302
    return mailing_id


@pytest.fixture
def mailing_and_sign_in(app, admin_client, smtp):
    """A mailing to two members, and a sign-in link, delivered."""
    app.config["RENEWAL_OPENS"] = "06-01"
    make_member(email="a@exemple.fr")
    make_member(email="b@exemple.fr")
    draft_and_send(admin_client)
    app.test_client().post("/connexion", data={"email": "a@exemple.fr"}).close()
    run_tick(NOW)
    mailing = [m for m in smtp.messages if m["Subject"] == MAILING_SUBJECT]
    sign_in = [m for m in smtp.messages if m["Subject"] == SIGN_IN_SUBJECT]
    assert sorted(m["To"] for m in mailing) == ["a@exemple.fr", "b@exemple.fr"]
    assert [m["To"] for m in sign_in] == ["a@exemple.fr"]
    return mailing, sign_in


def test_a_mailing_carries_one_click_unsubscribe_its_list_id_and_bulk(app, mailing_and_sign_in):
    mailing, _ = mailing_and_sign_in
    base = app.config["BASE_URL"].rstrip("/")
    links = []
    for message in mailing:
        targets = re.findall(r"<([^>]+)>", str(message["List-Unsubscribe"] or ""))
        web = [target for target in targets if target.startswith(f"{base}/")
               and target.split(":")[0] in ("http", "https")]
        assert web, f"List-Unsubscribe: {message['List-Unsubscribe']!r}"
        links.append(web[0])
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "<reseau.intervenants-qvt-occitanie.fr>" in str(message["List-Id"] or "")
        assert message["Precedence"] == "bulk"
    assert len(set(links)) == 2, "each member's own link"


def test_every_e_mail_is_automatic_and_only_mailings_carry_list_headers(mailing_and_sign_in,
                                                                        smtp):
    _, [sign_in] = mailing_and_sign_in
    assert {m["Auto-Submitted"] for m in smtp.messages} == {"auto-generated"}
    assert {name: sign_in[name] for name in LIST_HEADERS} == dict.fromkeys(LIST_HEADERS)



# --- The relay's state row, raced ------------------------------------------------------------

@pytest.mark.parametrize("move", ["relay_failed", "relay_answered"])
def test_two_senders_recording_the_relay_at_once_both_succeed(app, move):
    """Two ticks found no row for the relay and both created it: the second one's insert broke
    its tick with a duplicate key (seen on PostgreSQL in CI). Here the other sender's row is
    committed just before this sender writes its own."""
    from network.mail import delivery
    from network.mail.models import RelayState

    raced = []

    def other_sender_first(session, flush_context, instances):
        if raced:
            return
        raced.append(True)
        with db.engine.begin() as other:
            other.execute(RelayState.__table__.insert().values(
                name=delivery.RELAY, failing_since=T - timedelta(minutes=5),
                next_try_at=T - timedelta(minutes=1)))

    with app.app_context():
        event.listen(db.session(), "before_flush", other_sender_first)
        if move == "relay_failed":
            delivery.relay_failed(T, "connexion refusée")
        else:
            delivery.relay_answered(T)

        db.session.expire_all()
        state = db.session.get(RelayState, delivery.RELAY)
        if move == "relay_failed":
            assert state.last_error == "connexion refusée" and state.next_try_at is not None
            assert state.failing_since.replace(tzinfo=None) == (T - timedelta(minutes=5)).replace(
                tzinfo=None), "the outage goes on from when the other sender saw it start"
        else:
            assert state.failing_since is None and state.next_try_at is None
            assert state.last_success_at is not None
