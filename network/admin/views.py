"""The admin blueprint and the guard in front of every one of its routes."""

from datetime import datetime

from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for

from network.admin.models import AdminUser
from network.extensions import db, utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")

OPEN_ENDPOINTS = {"admin.login"}


@bp.before_request
def admin_required():
    """Every back-office page needs a signed-in, active admin whose session is still fresh."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    admin = db.session.get(AdminUser, session.get("admin_id") or 0)
    seen = session.get("admin_seen")
    idle_limit = current_app.config["ADMIN_SESSION_IDLE_MINUTES"] * 60
    now = utcnow()
    if admin is None or not admin.active:
        session.pop("admin_id", None)
        return redirect(url_for("admin.login", next=request.full_path))
    if seen is None or now.timestamp() - seen > idle_limit:
        session.pop("admin_id", None)
        flash("Votre session a expiré après une période d'inactivité : reconnectez-vous.",
              "warning")
        return redirect(url_for("admin.login", next=request.full_path))
    session["admin_seen"] = now.timestamp()
    g.admin = admin
    g.admin_id = admin.id
    return None


def sign_in(admin: AdminUser, now: datetime) -> None:
    session.clear()
    session["admin_id"] = admin.id
    session["admin_seen"] = now.timestamp()
