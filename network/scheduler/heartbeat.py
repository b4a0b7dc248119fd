"""The scheduler's sign of life: the last tick's time, and whether it is overdue."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from network.extensions import db
from network.scheduler.models import SchedulerHeartbeat

TICK = "tick"


def record_tick(at: datetime) -> None:
    """Note that a tick finished at `at`, and commit."""
    updated = db.session.execute(
        update(SchedulerHeartbeat).where(SchedulerHeartbeat.name == TICK)
        .values(last_tick_at=at).execution_options(synchronize_session=False))
    if not updated.rowcount:
        try:
            with db.session.begin_nested():
                db.session.add(SchedulerHeartbeat(name=TICK, last_tick_at=at))
        except IntegrityError:
            pass  # another process noted its tick at the same moment: that is a sign of life
    db.session.commit()


def last_tick() -> datetime | None:
    return db.session.scalar(select(SchedulerHeartbeat.last_tick_at).where(
        SchedulerHeartbeat.name == TICK))


def tick_is_late(last: datetime | None, now: datetime) -> bool:
    """No tick for more than two intervals: the scheduler is down, or stuck."""
    interval = timedelta(seconds=current_app.config["SCHEDULER_TICK_SECONDS"])
    return last is None or now - last > 2 * interval
