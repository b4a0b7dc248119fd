import logging
import os
import socket

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask_babel import force_locale

from network.extensions import db, utcnow
from network.logs import log_event
from network.scheduler.lease import hold_lease
from network.scheduler.tick import run_tick

log = logging.getLogger("network.scheduler")


def tick_job(app, holder: str) -> None:
    # APScheduler runs jobs in its own threads, outside any app context.
    with app.app_context(), force_locale("fr"):
        try:
            now = utcnow()
            # Lease for three intervals: a scheduler that dies is replaced soon after.
            if not hold_lease(holder, now, 3 * app.config["SCHEDULER_TICK_SECONDS"]):
                log_event(log, "scheduler.idle", holder=holder)
                return
            run_tick(now)
        except Exception:
            # The next tick catches up from the database state.
            log_event(log, "job.failed", logging.ERROR, exc_info=True, job="tick")
            db.session.rollback()


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
    return scheduler
