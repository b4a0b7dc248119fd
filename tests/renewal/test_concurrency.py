"""Exactly once, whatever runs at the same time: parallel ticks, a second scheduler, batches."""

import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, event, func, select

from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.models import Person, Status, StatusChange
from network.renewal.campaign import create_requests, open_due_campaign
from network.renewal.models import RenewalRequest, RequestStatus
from network.scheduler.lease import hold_lease
from network.scheduler.models import SchedulerLease
from network.scheduler.runner import tick_job
from network.scheduler.tick import run_tick
from network.templating import PARIS
from tests.factories import make_member

OPENS = datetime(2026, 11, 22, 9, 0, tzinfo=PARIS)
DEADLINE = datetime(2026, 12, 22, 9, 0, tzinfo=PARIS)
FORM = "Renouvellement 2026 : restez-vous dans le réseau ?"
REMINDER = "Rappel : renouvelez votre participation au réseau avant le 22/12"
DROPPED = "Votre participation au réseau a pris fin"


def members(count: int, first: int = 0) -> list[str]:
    joined = datetime(2024, 3, 1, tzinfo=PARIS)
    return [make_member(joined, email=f"m{n}@exemple.fr").email
            for n in range(first, first + count)]


def ticks_in_parallel(app, now: datetime, count: int = 2) -> list[BaseException]:
    """Start `count` ticks at the same instant, each in its own thread, session and connection."""
    start, errors = threading.Barrier(count), []

    def tick():
        with app.app_context():
            try:
                start.wait()
                run_tick(now)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tick) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def received(smtp, subject: str) -> Counter:
    return Counter(m["To"] for m in smtp.messages if m["Subject"] == subject)


# SQLite takes one writer at a time: true parallel writers need PostgreSQL.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_ticks_at_once_on_postgresql_send_everything_once(make_app, smtp):
    app = make_app(RENEWAL_BATCH_SIZE=4, OUTBOX_BATCH_SIZE=5)
    with app.app_context():
        addresses = members(30)
        everyone = Counter(addresses)

        assert ticks_in_parallel(app, OPENS) == []
        assert received(smtp, FORM) == everyone
        assert db.session.scalar(select(func.count()).select_from(RenewalRequest)) == 30

        # Both remind at 14 days before the deadline, then both close at the deadline.
        assert ticks_in_parallel(app, DEADLINE - timedelta(days=14)) == []
        assert received(smtp, REMINDER) == everyone
        assert ticks_in_parallel(app, DEADLINE) == []
        assert received(smtp, DROPPED) == everyone

        exits = db.session.scalars(select(StatusChange.person_id).where(
            StatusChange.to_status == Status.EXITED)).all()
        assert sorted(Counter(exits).values()) == [1] * 30, "one exit in the history each"
        assert set(db.session.scalars(select(RenewalRequest.status))) == {RequestStatus.DROPPED}


def test_a_second_scheduler_stays_idle_while_the_first_holds_the_lease(make_app):
    app = make_app()
    with app.app_context():
        assert hold_lease("host-a:1", OPENS, seconds=180)
        assert not hold_lease("host-b:2", OPENS + timedelta(seconds=60), seconds=180)
        assert hold_lease("host-a:1", OPENS + timedelta(seconds=60), seconds=180), "renewed"
        assert not hold_lease("host-b:2", OPENS + timedelta(seconds=200), seconds=180)
        # The first one stopped renewing: the second takes over once the lease is over.
        assert hold_lease("host-b:2", OPENS + timedelta(seconds=241), seconds=180)
        assert not hold_lease("host-a:1", OPENS + timedelta(seconds=242), seconds=180)


def test_the_idle_scheduler_runs_no_tick(make_app, smtp):
    app = make_app(RENEWAL_OPENS="01-01", RENEWAL_OPENS_AT="00:00", RENEWAL_WINDOW_DAYS=366)
    with app.app_context():
        members(1)
        delivered = len(smtp.messages)
        assert hold_lease("other-host:9", datetime.now(PARIS), seconds=3600)
        tick_job(app, "this-host:1")
        assert len(smtp.messages) == delivered
        assert db.session.scalar(select(func.count()).select_from(RenewalRequest)) == 0

        db.session.execute(delete(SchedulerLease))
        db.session.commit()
        tick_job(app, "this-host:1")
        assert db.session.scalar(select(func.count()).select_from(RenewalRequest)) == 1


def count_statements(action) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_opening_runs_the_same_queries_for_each_batch(app):
    app.config["RENEWAL_BATCH_SIZE"] = 5
    members(5)
    campaign = open_due_campaign(OPENS)
    one_batch = count_statements(lambda: create_requests(campaign, OPENS))
    # Start again from nothing, with more members.
    db.session.execute(delete(RenewalRequest))
    db.session.execute(delete(OutboxMessage))
    db.session.commit()
    members(15, first=5)  # 20 members: four batches
    campaign.requests_complete_at = None
    db.session.commit()
    four_batches = count_statements(lambda: create_requests(campaign, OPENS))
    assert (four_batches - one_batch) % 3 == 0, "each batch runs the same statements"
    per_batch = (four_batches - one_batch) // 3
    # The people, the keys already queued, the e-mails' edited texts, the inserts: constant.
    assert per_batch <= 6, f"{per_batch} statements per batch of 5"
    assert db.session.scalar(select(func.count()).select_from(RenewalRequest)) == 20


def test_flask_tick_opens_the_campaign_and_shows_its_progress(app, smtp):
    app.config["RENEWAL_BATCH_SIZE"] = 2
    addresses = members(3)
    result = app.test_cli_runner().invoke(args=["tick", "--now", "2026-11-22T09:00"])
    assert result.exit_code == 0, result.output
    assert "Renouvellement 2026 : membres sollicités : 2" in result.output
    assert "Renouvellement 2026 : membres sollicités : 3" in result.output
    assert "Renouvellement : 3 membres sollicités" in result.output
    assert received(smtp, FORM) == Counter(addresses)
    assert db.session.scalar(select(func.count()).select_from(Person).where(
        Person.status == Status.MEMBER)) == 3
