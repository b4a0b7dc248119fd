"""`/healthz` for monitoring: the database answers, the outbox drains, the scheduler ticks."""

from datetime import timedelta

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from network.extensions import db, utcnow
from network.mail.delivery import relay_failing_for
from network.mail.models import OutboxMessage, OutboxStatus
from network.scheduler.heartbeat import last_tick, tick_is_late

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when all is well; 503, with the reason, when a monitor should call someone."""
    try:
        pending = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
        last = last_tick()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    now = utcnow()
    failing = relay_failing_for(now)
    smtp_failing = failing is not None and failing >= timedelta(
        minutes=current_app.config["SMTP_FAILING_ALERT_MINUTES"])
    status = ("late_scheduler" if tick_is_late(last, now)
              else "smtp_failing" if smtp_failing else "ok")
    return jsonify(status=status, database="ok", outbox_pending=pending,
                   smtp_failing_since=(now - failing).isoformat() if failing else None,
                   last_tick_at=last.isoformat() if last else None), (
        200 if status == "ok" else 503)
