from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from network.admin import services
from network.admin.models import AdminUser
from network.admin.roles import LECTURE, requires
from network.admin.views import ask_for_second_factor, bp, pending_admin, sign_in
from network.extensions import db, limiter, submitted_email, utcnow
from network.forms import Form
from network.inputs import same_site_path


class LoginForm(Form):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Ce champ est obligatoire.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Mot de passe",
                             validators=[DataRequired("Ce champ est obligatoire.")],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Se connecter")


def failed_sign_in(response) -> bool:
    # Only a refused form counts towards the throttle (a wrong password or code); a sign-in, an
    # expired second step or the recovery codes shown do not.
    return response.status_code == 400


def _limit(name: str):
    return lambda: current_app.config[f"ADMIN_SIGN_IN_RATE_LIMIT_{name}"]


def signing_in_account() -> str:
    """The account a request proving who one is is for (the throttle's key): the address typed
    with the password; on the second step, the account whose code is asked; on the pages that
    ask the password again, the signed-in account."""
    if request.endpoint == "admin.login":
        return submitted_email()
    if request.endpoint == "admin.login_code":
        admin = pending_admin(utcnow())
    else:
        admin = db.session.get(AdminUser, session.get("admin_id") or 0)
    return "email:" + (admin.email if admin else "")


def _account_from_address() -> str:
    return f"{signing_in_account()}|{get_remote_address()}"


# A browser an admin signed in with keeps a signed note of it: the slow-down of an account under
# attack from many addresses spares that browser, so the GT QVT is never locked out.
KNOWN_BROWSER_COOKIE = "admin_navigateur"
KNOWN_BROWSER_DAYS = 180


def _known_browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="admin-known-browser")


def known_browser() -> bool:
    """This browser signed in before to the account signing in."""
    note = request.cookies.get(KNOWN_BROWSER_COOKIE, "")
    try:
        email = _known_browser_serializer().loads(note, max_age=KNOWN_BROWSER_DAYS * 86400)
    except BadSignature:
        return False
    return email == signing_in_account()


def sign_in_throttle(view):
    """Failures count per address, per account from one address, and per account from
    everywhere; the last is a slow-down (a short window) rather than a lock, and spares known
    browsers. The password and the second factor share the counters: a wrong code is a failed
    sign-in too."""
    for name, key_func, exempt_when in (
            ("PER_ACCOUNT", signing_in_account, known_browser),
            ("PER_ACCOUNT_AND_IP", _account_from_address, None),
            ("PER_IP", get_remote_address, None)):
        view = limiter.shared_limit(_limit(name), scope=f"admin-sign-in-{name.lower()}",
                                    methods=["POST"], key_func=key_func, deduct_when=failed_sign_in,
                                    exempt_when=exempt_when)(view)
    return view


@bp.route("/connexion", methods=["GET", "POST"])
@sign_in_throttle
def login():
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        admin = services.authenticate(form.email.data, form.password.data)
        if admin is not None and admin.has_second_factor:
            # Not signed in yet: the code of the authenticator comes next (two_factor_sign_in).
            ask_for_second_factor(admin, now, _safe_target(request.args.get("next")))
            return redirect(url_for(".login_code"))
        if admin is not None:
            return complete_sign_in(admin, now, request.args.get("next"))
        form.password.errors.append("Adresse e-mail ou mot de passe incorrect.")
    return render_template("admin/login.html", form=form), 400 if form.errors else 200


def complete_sign_in(admin, now, target: str | None):
    """Open the session (after the password, and the second factor if the account has one), go
    where the admin was going, and remember this browser."""
    sign_in(admin, now)
    db.session.commit()
    response = redirect(_safe_next(target))
    response.set_cookie(
        KNOWN_BROWSER_COOKIE, _known_browser_serializer().dumps("email:" + admin.email),
        max_age=KNOWN_BROWSER_DAYS * 86400, path=url_for(".login"), httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
    return response


def _safe_target(target: str | None) -> str | None:
    return same_site_path(target, under="/admin")


def _safe_next(target: str | None) -> str:
    """Only a path of the back-office: never send a signed-in admin elsewhere."""
    return _safe_target(target) or url_for("admin.dashboard")


@bp.post("/deconnexion")
@requires(LECTURE)
def logout():
    # Every session of the account ends, this one and any copy of its cookie.
    services.sign_out_everywhere(g.admin.email)
    db.session.commit()
    session.clear()
    flash("Vous êtes déconnecté·e, sur tous vos appareils.", "success")
    return redirect(url_for("admin.login"))
