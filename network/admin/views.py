"""The admin blueprint and the guard in front of every one of its routes."""

from datetime import datetime

from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for

from network.admin import two_factor
from network.admin.models import AdminUser
from network.admin.roles import LABELS, can, check_role
from network.extensions import db, utcnow
from network.sessions import IDLE, TOO_OLD, forget_session, session_problem, start_session

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The password's page and the second factor's, before any session, and the page where an
# invited person sets the password of their new account.
OPEN_ENDPOINTS = {"admin.login", "admin.login_code", "admin.invitation"}
# While a second factor is mandatory (ADMIN_TWO_FACTOR_REQUIRED), an account without one opens
# only its set-up page, and can sign out.
SET_UP_ENDPOINTS = {"admin.two_factor", "admin.logout"}
PENDING_KEY = "admin_pending"
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
    if must_set_up_second_factor(admin) and request.endpoint not in SET_UP_ENDPOINTS:
        flash("La double authentification est obligatoire pour accéder à l'administration : "
              "activez-la pour continuer.", "warning")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("admin.two_factor", next=target))
    check_role(request.endpoint)
    return None


def must_set_up_second_factor(admin: AdminUser) -> bool:
    return current_app.config["ADMIN_TWO_FACTOR_REQUIRED"] and not admin.has_second_factor


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
    """The admin is signed in: after the password, and the second factor if the account has
    one (the caller commits)."""
    start_session("admin", admin, now)
    admin.last_login_at = now


def keep_this_session(admin: AdminUser) -> None:
    """This browser's session goes on after the account's others were ended (after a commit)."""
    session["admin_generation"] = admin.session_generation


def ask_for_second_factor(admin: AdminUser, now: datetime, target: str | None) -> None:
    """The password was right; the session holds only a pending sign-in until the code comes
    (nothing of an earlier session is kept)."""
    session.clear()
    session[PENDING_KEY] = two_factor.pending_sign_in(admin, now, target).as_session()


def pending_sign_in() -> two_factor.Pending | None:
    return two_factor.read_pending(session.get(PENDING_KEY))


def pending_admin(now: datetime) -> AdminUser | None:
    """The account whose second factor this browser's session waits for, while it may."""
    return two_factor.pending_admin(pending_sign_in(), now)


def forget_pending_sign_in() -> None:
    session.pop(PENDING_KEY, None)
