"""« Équipe »: the back-office accounts, for the administrators; the invitation's own page, open
to the invited person (who has no account to sign in with yet)."""

from flask import current_app, flash, g, redirect, render_template, url_for

from network.admin import team
from network.admin.models import AdminUser
from network.admin.roles import ADMINISTRATEUR, DESCRIPTIONS, LABELS, requires
from network.admin.team_forms import InvitationPasswordForm, InviteForm, RoleForm
from network.admin.views import bp, sign_in
from network.extensions import db, utcnow
from network.membership.services import LinkProblem


@bp.route("/equipe", methods=["GET", "POST"], endpoint="team")
@requires(ADMINISTRATEUR)
def team_page():
    form = InviteForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            account = team.invite(form.email.data, form.role.data, g.admin.email, now)
        except team.TeamError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Invitation envoyée à {account.email} : son lien est valable "
                  f"{current_app.config['ADMIN_INVITATION_DAYS']} jours.", "success")
            return redirect(url_for(".team"))
    accounts, now = team.team(), utcnow()
    return render_template("admin/team.html", form=form, accounts=accounts, labels=LABELS,
                           states={account.id: team.state(account, now) for account in accounts}
                           ), 400 if form.errors else 200


@bp.get("/equipe/<int:admin_id>")
@requires(ADMINISTRATEUR)
def team_account(admin_id):
    account = db.get_or_404(AdminUser, admin_id)
    return _account_page(account, RoleForm(data={"role": account.role}))


@bp.post("/equipe/<int:admin_id>/role")
@requires(ADMINISTRATEUR)
def team_role(admin_id):
    account = db.get_or_404(AdminUser, admin_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = team.change_role(account, form.role.data, g.admin, utcnow())
        except team.TeamError as error:
            form.role.errors.append(str(error))
            # One's own page has no role form (nobody lowers their own role): said at the top.
            if account.id == g.admin.id:
                return _account_page(account, form, action_error=str(error)), 409
        else:
            db.session.commit()
            flash(f"{account.email} a maintenant le rôle {LABELS[account.role]}."
                  if changed else "Ce compte avait déjà ce rôle : rien n'a changé.",
                  "success" if changed else "info")
            return redirect(url_for(".team_account", admin_id=account.id))
    return _account_page(account, form), 400


# What each button of an account's page does, and what it says once done.
ACTIONS = {
    "desactiver": (team.disable, "Compte désactivé : ses sessions sont terminées."),
    "reactiver": (team.enable, "Compte réactivé : il peut de nouveau se connecter."),
    "renvoyer-invitation": (
        lambda account, by, now: team.resend_invitation(account, by.email, now),
        "Nouvelle invitation envoyée : le lien précédent ne fonctionne plus."),
}


@bp.post("/equipe/<int:admin_id>/<any('desactiver', 'reactiver', 'renvoyer-invitation'):action>")
@requires(ADMINISTRATEUR)
def team_action(admin_id, action):
    account = db.get_or_404(AdminUser, admin_id)
    run, done = ACTIONS[action]
    try:
        run(account, g.admin, utcnow())
    except team.TeamError as error:
        return _account_page(account, RoleForm(data={"role": account.role}),
                             action_error=str(error)), 409
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".team_account", admin_id=account.id))


def _account_page(account: AdminUser, role_form: RoleForm, action_error: str | None = None):
    return render_template("admin/team_account.html", account=account, role_form=role_form,
                           action_error=action_error, state=team.state(account, utcnow()),
                           has_password=team.has_password(account), labels=LABELS,
                           descriptions=DESCRIPTIONS)


# Open (views.OPEN_ENDPOINTS): the invited person has no password yet. The link is the key.
@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    now = utcnow()
    try:
        account = team.account_for_invitation(token, now)
    except LinkProblem as problem:
        return _invitation_problem(problem.kind)
    form = InvitationPasswordForm()
    if form.validate_on_submit():
        if not team.accept_invitation(account, form.password.data, now):
            return _invitation_problem("used")
        db.session.commit()
        sign_in(account, now)
        flash("Votre compte est activé : bienvenue dans l'administration du réseau.", "success")
        return redirect(url_for(".dashboard"))
    return render_template("admin/team_invitation.html", form=form, account=account,
                           role=LABELS[account.role], description=DESCRIPTIONS[account.role]), (
        400 if form.errors else 200)


def _invitation_problem(kind: str):
    return render_template("admin/team_invitation_problem.html", problem=kind), (
        404 if kind == "invalid" else 410)
