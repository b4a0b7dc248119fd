"""`/healthz` for monitoring: the database answers, the outbox drains, the scheduler ticks."""

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from network.extensions import db, utcnow
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
    late = tick_is_late(last, utcnow())
    return jsonify(status="late_scheduler" if late else "ok", database="ok",
                   outbox_pending=pending,
                   last_tick_at=last.isoformat() if last else None), 503 if late else 200
