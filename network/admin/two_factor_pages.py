"""The second factor of one's own account (set up, recovery codes, turn off), and its reset by an
administrator."""

import secrets

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from network.admin import services, two_factor
from network.admin.auth import sign_in_throttle
from network.admin.models import AdminUser
from network.admin.roles import ADMINISTRATEUR, LECTURE, requires
from network.admin.two_factor_forms import PasswordAgainForm, SetUpForm
from network.admin.views import bp, keep_this_session
from network.extensions import db, utcnow
from network.inputs import same_site_path

# The session keeps a nonce, not the secret: the secret offered is derived from it
# (two_factor.new_secret_for_setup), so a reload shows the same QR code.
SET_UP_NONCE = "admin_totp_setup"


def _set_up_secret(admin: AdminUser) -> str:
    if not isinstance(session.get(SET_UP_NONCE), str):
        session[SET_UP_NONCE] = secrets.token_urlsafe(16)
    return two_factor.new_secret_for_setup(current_app.config["SECRET_KEY"], admin,
                                           session[SET_UP_NONCE])


def _target() -> str | None:
    """Where the admin was going when the set-up was asked of them."""
    return same_site_path(request.args.get("next"), under="/admin")


@bp.route("/compte/double-authentification", methods=["GET", "POST"], endpoint="two_factor")
@requires(LECTURE)
def set_up_or_status():
    admin = g.admin
    if admin.has_second_factor:
        return _status_page()
    form = SetUpForm()
    secret = _set_up_secret(admin)
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(admin, secret, form.code.data, utcnow())
        except two_factor.TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            keep_this_session(admin)
            session.pop(SET_UP_NONCE, None)
            return render_template("admin/two_factor/codes.html", codes=codes, first=True,
                                   target=_target())
    uri = two_factor.provisioning_uri(secret, admin.email)
    return render_template(
        "admin/two_factor/set_up.html", form=form, uri=uri, qr_code=two_factor.qr_code_svg(uri),
        secret=two_factor.grouped_secret(secret), issuer=two_factor.ISSUER,
    ), 400 if form.errors else 200


def _status_page(codes_form=None, disable_form=None):
    refused = bool(codes_form and codes_form.errors or disable_form and disable_form.errors)
    return render_template(
        "admin/two_factor/status.html", left=two_factor.recovery_codes_left(g.admin),
        total=two_factor.RECOVERY_CODES,
        required=current_app.config["ADMIN_TWO_FACTOR_REQUIRED"],
        codes_form=codes_form or PasswordAgainForm(prefix="codes"),
        disable_form=disable_form or PasswordAgainForm(prefix="desactivation"),
    ), 400 if refused else 200


def _password_again(form: PasswordAgainForm) -> bool:
    """The form sent with the account's own password (a wrong one counts as a failed sign-in)."""
    if not form.validate_on_submit():
        return False
    if services.authenticate(g.admin.email, form.password.data) is None:
        form.password.errors.append("Ce mot de passe n'est pas le bon.")
        return False
    return True


# The password asked again is throttled as the sign-in's is: failures count together.
@bp.post("/compte/double-authentification/codes-de-secours")
@sign_in_throttle
@requires(LECTURE)
def two_factor_recovery_codes():
    form = PasswordAgainForm(prefix="codes")
    if not g.admin.has_second_factor:
        return redirect(url_for(".two_factor"))
    if not _password_again(form):
        return _status_page(codes_form=form)
    codes = two_factor.regenerate_recovery_codes(g.admin, utcnow())
    db.session.commit()
    return render_template("admin/two_factor/codes.html", codes=codes, first=False)


@bp.post("/compte/double-authentification/desactiver")
@sign_in_throttle
@requires(LECTURE)
def two_factor_disable():
    form = PasswordAgainForm(prefix="desactivation")
    if not g.admin.has_second_factor:
        return redirect(url_for(".two_factor"))
    if current_app.config["ADMIN_TWO_FACTOR_REQUIRED"]:
        flash("La double authentification est obligatoire : elle ne peut pas être désactivée.",
              "warning")
        return redirect(url_for(".two_factor"))
    if not _password_again(form):
        return _status_page(disable_form=form)
    two_factor.disable(g.admin, utcnow())
    db.session.commit()
    flash("La double authentification est désactivée : votre mot de passe suffit de nouveau "
          "pour vous connecter.", "success")
    return redirect(url_for(".two_factor"))


@bp.post("/equipe/<int:admin_id>/double-authentification/reinitialiser")
@requires(ADMINISTRATEUR)
def two_factor_reset(admin_id: int):
    target = db.get_or_404(AdminUser, admin_id)
    back = same_site_path(request.form.get("next"), under="/admin") or url_for(".dashboard")
    try:
        two_factor.reset(target, g.admin.email, utcnow())
    except two_factor.TwoFactorError as error:
        flash(str(error), "warning")
        return redirect(back)
    db.session.commit()
    then = ("il lui faudra en activer une nouvelle avant d'ouvrir toute autre page"
            if current_app.config["ADMIN_TWO_FACTOR_REQUIRED"] else "son mot de passe suffira")
    flash(f"La double authentification de {target.email} est réinitialisée et ses sessions sont "
          f"terminées. À sa prochaine connexion, {then}.", "success")
    return redirect(back)
