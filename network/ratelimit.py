"""Rate-limit counters in the application's database, shared by every gunicorn worker.

Flask-Limiter keeps its counters in a `limits` storage; `memory://` is per process, so with
several workers each one would allow the full quota. Production sets
``RATELIMIT_STORAGE_URI = "database://"``: the counters live in the ``rate_limit_counter``
table, one row per key and window, updated in one atomic statement. No Redis to run, back up
or monitor for a few sign-up and sign-in forms.
"""

import hashlib
import time
from datetime import datetime

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db


class RateLimitCounter(db.Model):
    # A digest of the limiter's key, which may hold the e-mail address typed in a form.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as `limits` counts them.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def increment(key: str, now: float, expiry: float, amount: int = 1) -> int:
    """Add to the counter of a fixed window, in one atomic statement; its new count.

    Its own connection and transaction: a counter must count even when the caller's session
    rolls back, and must not commit the caller's work."""
    engine = db.engine
    table = RateLimitCounter.__table__
    inserted = UPSERTS[engine.dialect.name](table).values(
        key=digest(key), count=amount, expires_at=now + expiry)
    window_over = table.c.expires_at <= now
    statement = inserted.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"count": case((window_over, amount), else_=table.c.count + amount),
              "expires_at": case((window_over, now + expiry), else_=table.c.expires_at)},
    ).returning(table.c.count)
    with engine.begin() as connection:
        return connection.scalar(statement)


class DatabaseStorage(Storage):
    """Fixed-window counters (the strategy Flask-Limiter uses by default)."""

    STORAGE_SCHEME = ["database"]
    # Seconds since the epoch, like the rest of `limits`; tests put their own clock here.
    clock = staticmethod(time.time)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return increment(key, self.clock(), expiry, amount)

    def get(self, key: str) -> int:
        with db.engine.connect() as connection:
            return connection.scalar(
                select(RateLimitCounter.count).where(RateLimitCounter.key == digest(key),
                                                     RateLimitCounter.expires_at > self.clock())
            ) or 0

    def get_expiry(self, key: str) -> float:
        with db.engine.connect() as connection:
            expires_at = connection.scalar(
                select(RateLimitCounter.expires_at).where(RateLimitCounter.key == digest(key)))
        return expires_at or self.clock()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == digest(key)))


def purge_expired_counters(now: datetime) -> int:
    """Drop the counters of windows that are over (the tick calls this)."""
    result = db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now.timestamp()))
    db.session.commit()
    return result.rowcount
