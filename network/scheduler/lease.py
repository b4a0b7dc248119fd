"""One scheduler at a time: a lease row in the database, renewed at every tick."""

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from network.extensions import db
from network.scheduler.models import SchedulerLease

LEASE = "tick"


class LeaseLost(Exception):
    """Another scheduler holds the lease now: this one stops its tick before the next step."""


def hold_lease(holder: str, now: datetime, seconds: int) -> bool:
    """Take or renew the lease; False while another live scheduler holds it."""
    expires_at = now + timedelta(seconds=seconds)
    renewed = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE,
               or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires_at)
        .execution_options(synchronize_session=False))
    if renewed.rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(SchedulerLease(name=LEASE, holder=holder, expires_at=expires_at))
        except IntegrityError:
            db.session.commit()
            return False
    db.session.commit()
    return True


def release_lease(holder: str) -> None:
    """Give the lease up (a graceful stop): the next scheduler starts at once, not after it."""
    db.session.execute(delete(SchedulerLease).where(SchedulerLease.name == LEASE,
                                                    SchedulerLease.holder == holder))
    db.session.commit()
