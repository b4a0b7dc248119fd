from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db


class SchedulerLease(db.Model):
    """Held by the one scheduler process that runs ticks; a second one waits, idle."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime]


class SchedulerHeartbeat(db.Model):
    """When the last tick finished (real time): for /healthz and the dashboard."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_tick_at: Mapped[datetime]
