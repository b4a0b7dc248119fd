from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from network.admin import services
from network.admin.roles import LECTURE, requires
from network.admin.views import bp, sign_in
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


def _failed(response) -> bool:
    # Only failed sign-ins count towards the throttle.
    return response.status_code != 302


def _limit(name: str):
    return lambda: current_app.config[f"ADMIN_SIGN_IN_RATE_LIMIT_{name}"]


def _account_from_address() -> str:
    return f"{submitted_email()}|{get_remote_address()}"


# A browser an admin signed in with keeps a signed note of it: the slow-down of an account under
# attack from many addresses spares that browser, so the GT QVT is never locked out.
KNOWN_BROWSER_COOKIE = "admin_navigateur"
KNOWN_BROWSER_DAYS = 180


def _known_browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="admin-known-browser")


def _known_browser() -> bool:
    """This browser signed in before to the account whose address is typed."""
    note = request.cookies.get(KNOWN_BROWSER_COOKIE, "")
    try:
        email = _known_browser_serializer().loads(note, max_age=KNOWN_BROWSER_DAYS * 86400)
    except BadSignature:
        return False
    return email == submitted_email()


# Failures count per address, per account from one address, and per account from everywhere;
# the last is a slow-down (a short window) rather than a lock, and spares known browsers.
@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_limit("PER_IP"), methods=["POST"], deduct_when=_failed)
@limiter.limit(_limit("PER_ACCOUNT_AND_IP"), methods=["POST"], key_func=_account_from_address,
               deduct_when=_failed)
@limiter.limit(_limit("PER_ACCOUNT"), methods=["POST"], key_func=submitted_email,
               deduct_when=_failed, exempt_when=_known_browser)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        admin = services.authenticate(form.email.data, form.password.data, now)
        if admin is not None:
            db.session.commit()
            sign_in(admin, now)
            response = redirect(_safe_next(request.args.get("next")))
            response.set_cookie(
                KNOWN_BROWSER_COOKIE, _known_browser_serializer().dumps(submitted_email()),
                max_age=KNOWN_BROWSER_DAYS * 86400, path=url_for(".login"), httponly=True,
                secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
            return response
        form.password.errors.append("Adresse e-mail ou mot de passe incorrect.")
    return render_template("admin/login.html", form=form), 400 if form.errors else 200


def _safe_next(target: str | None) -> str:
    """Only a path of the back-office: never send a signed-in admin elsewhere."""
    return same_site_path(target, under="/admin") or url_for("admin.dashboard")


@bp.post("/deconnexion")
@requires(LECTURE)
def logout():
    # Every session of the account ends, this one and any copy of its cookie.
    services.sign_out_everywhere(g.admin.email)
    db.session.commit()
    session.clear()
    flash("Vous êtes déconnecté·e, sur tous vos appareils.", "success")
    return redirect(url_for("admin.login"))
