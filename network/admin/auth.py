from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from network.admin import services
from network.admin.views import bp, sign_in
from network.extensions import db, limiter, submitted_email, utcnow


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Ce champ est obligatoire.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Mot de passe",
                             validators=[DataRequired("Ce champ est obligatoire.")],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Se connecter")


def _failed(response) -> bool:
    # Only failed sign-ins count towards the throttle.
    return response.status_code != 302


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(lambda: "20 per 15 minutes", methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: "5 per 15 minutes", methods=["POST"], key_func=submitted_email,
               deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        admin = services.authenticate(form.email.data, form.password.data, now)
        if admin is not None:
            db.session.commit()
            sign_in(admin, now)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Adresse e-mail ou mot de passe incorrect.")
    return render_template("admin/login.html", form=form), 400 if form.errors else 200


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never send a signed-in admin elsewhere."""
    if target and target.startswith("/admin") and not urlsplit(target).netloc:
        return target
    return url_for("admin.dashboard")


@bp.post("/deconnexion")
def logout():
    # Every session of the account ends, this one and any copy of its cookie.
    services.sign_out_everywhere(g.admin.email)
    db.session.commit()
    session.clear()
    flash("Vous êtes déconnecté·e, sur tous vos appareils.", "success")
    return redirect(url_for("admin.login"))
