"""The sign-in's second step: after a right password, the code of the authenticator app (or a
recovery code) before the session opens."""

from flask import current_app, flash, redirect, render_template, url_for

from network.admin import two_factor
from network.admin.auth import (
    complete_sign_in,
    failed_sign_in,
    known_browser,
    sign_in_throttle,
    signing_in_account,
)
from network.admin.two_factor_forms import SignInCodeForm
from network.admin.views import bp, forget_pending_sign_in, pending_sign_in
from network.extensions import limiter, utcnow
from network.templating import plural


# No role: nobody is signed in yet (an open endpoint of the guard, as the password's page).
@bp.route("/connexion/code", methods=["GET", "POST"])
@sign_in_throttle
# Whoever has the password could try ten codes a minute from many addresses, days on end: wrong
# codes also run out for the day (the admin's own browsers are spared, as with the password).
@limiter.limit(lambda: current_app.config["ADMIN_TWO_FACTOR_RATE_LIMIT_PER_ACCOUNT"],
               methods=["POST"], key_func=signing_in_account, deduct_when=failed_sign_in,
               exempt_when=known_browser)
def login_code():
    now = utcnow()
    pending = pending_sign_in()
    admin = two_factor.pending_admin(pending, now)
    if admin is None:
        forget_pending_sign_in()
        if pending is not None:
            flash("Le délai pour saisir le code est dépassé : saisissez à nouveau votre mot de "
                  "passe.", "warning")
        return redirect(url_for(".login", next=pending.target if pending else None))
    form = SignInCodeForm()
    if form.validate_on_submit():
        # A recovery code typed in the app's field is taken for what it is.
        field = (form.recovery_code if (form.recovery_code.data or "").strip() else form.code)
        recovery = field is form.recovery_code or two_factor.looks_like_recovery_code(field.data)
        try:
            if recovery:
                left = two_factor.use_recovery_code(admin, field.data, now)
            else:
                two_factor.check_code(admin, field.data, now)
        except two_factor.TwoFactorError as error:
            field.errors.append(str(error))
        else:
            response = complete_sign_in(admin, now, pending.target)
            if recovery:
                flash(_recovery_code_used(left), "warning" if left <= 3 else "success")
            return response
    return render_template("admin/login_code.html", form=form,
                           recovery_open=bool(form.recovery_code.errors),
                           ), 400 if form.errors else 200


def _recovery_code_used(left: int) -> str:
    if left == 0:
        return ("Vous vous êtes connecté·e avec votre dernier code de secours : générez-en de "
                "nouveaux dès maintenant, depuis la page « Double authentification ».")
    message = (f"Vous vous êtes connecté·e avec un code de secours, qui ne servira plus. Il vous "
               f"en reste {plural(left, 'code')}.")
    if left <= 3:
        message += " Pensez à en générer de nouveaux, depuis la page « Double authentification »."
    return message
