"""The admin blueprint and the guard in front of every one of its routes."""

from datetime import datetime

from flask import Blueprint, flash, g, redirect, request, session, url_for

from network.admin.models import AdminUser
from network.admin.roles import LABELS, can, check_role
from network.extensions import db, utcnow
from network.sessions import IDLE, TOO_OLD, forget_session, session_problem, start_session

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The sign-in, and the page where an invited person sets the password of their new account.
OPEN_ENDPOINTS = {"admin.login", "admin.invitation"}
# Menus and links show only what the signed-in admin's role opens.
bp.add_app_template_global(can, "can")
bp.add_app_template_global(LABELS, "role_labels")


@bp.before_request
def admin_required():
    """Every back-office page needs a signed-in, active admin whose session still holds."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    admin = signed_in_admin()
    if admin is None:
        return redirect(url_for("admin.login", next=request.full_path))
    g.admin = admin
    g.admin_id = admin.id
    check_role(request.endpoint)
    return None


def signed_in_admin() -> AdminUser | None:
    """The admin of this browser's session, if it still holds (and then it is marked seen)."""
    if "admin_id" not in session:
        return None
    admin = db.session.get(AdminUser, session.get("admin_id") or 0)
    problem = session_problem("admin", admin if admin and admin.active else None, utcnow())
    if problem is None:
        return admin
    forget_session("admin")
    if problem == IDLE:
        flash("Votre session a expiré après une période d'inactivité : reconnectez-vous.",
              "warning")
    elif problem == TOO_OLD:
        flash("Votre session a expiré : reconnectez-vous.", "warning")
    return None


def sign_in(admin: AdminUser, now: datetime) -> None:
    start_session("admin", admin, now)
