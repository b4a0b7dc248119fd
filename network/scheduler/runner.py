import logging
import os
import socket

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask_babel import force_locale

from network.extensions import db, utcnow
from network.logs import log_event
from network.scheduler.heartbeat import record_tick
from network.scheduler.lease import LeaseLost, hold_lease, release_lease
from network.scheduler.tick import deliver_all, run_tick

log = logging.getLogger("network.scheduler")


def keep_lease(app, holder: str) -> bool:
    """Take or renew the lease for three intervals: a scheduler that dies is soon replaced.
    Each renewal is a sign of life too: /healthz stays green while a long tick works."""
    now = utcnow()
    if not hold_lease(holder, now, 3 * app.config["SCHEDULER_TICK_SECONDS"]):
        return False
    record_tick(now)
    return True


def tick_job(app, holder: str) -> None:
    # APScheduler runs jobs in its own threads, outside any app context.
    with app.app_context(), force_locale("fr"):
        try:
            if not keep_lease(app, holder):
                log_event(log, "scheduler.idle", holder=holder)
                return
            # Renewed between steps: a long tick keeps it, a tick that lost it stops.
            run_tick(utcnow(), keep_lease=lambda: keep_lease(app, holder))
        except LeaseLost:
            log_event(log, "scheduler.lease_lost", logging.WARNING, holder=holder)
            db.session.rollback()
        except Exception:
            # The next tick catches up from the database state.
            log_event(log, "job.failed", logging.ERROR, exc_info=True, job="tick")
            db.session.rollback()


def outbox_job(app, holder: str) -> None:
    """Between ticks, new e-mails (a sign-in link) leave within seconds."""
    with app.app_context(), force_locale("fr"):
        try:
            if keep_lease(app, holder):
                deliver_all(utcnow())
        except Exception:
            log_event(log, "job.failed", logging.ERROR, exc_info=True, job="outbox")
            db.session.rollback()


def stop(app, scheduler, holder: str) -> None:
    """A graceful stop: the tick under way finishes, then the lease goes to the next one."""
    scheduler.shutdown(wait=True)
    with app.app_context():
        release_lease(holder)
    log_event(log, "scheduler.lease_released", holder=holder)


def build_scheduler(app, blocking: bool):
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone="Europe/Paris",
        # The tick derives what is due from the database: a late run is worth running, once.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    holder = f"{socket.gethostname()}:{os.getpid()}"
    log_event(log, "scheduler.started", holder=holder,
              interval=app.config["SCHEDULER_TICK_SECONDS"])
    scheduler.add_job(tick_job, "interval", args=[app, holder], id="tick", replace_existing=True,
                      seconds=app.config["SCHEDULER_TICK_SECONDS"], next_run_time=utcnow())
    scheduler.add_job(outbox_job, "interval", args=[app, holder], id="outbox",
                      replace_existing=True, seconds=app.config["OUTBOX_POLL_SECONDS"])
    scheduler.holder = holder
    return scheduler
