import sys

import click
from flask import current_app
from flask.cli import AppGroup

from network.admin import services, team, two_factor
from network.admin.models import AdminUser
from network.admin.roles import ADMINISTRATEUR, DESCRIPTIONS, ROLES, required_role
from network.extensions import db, utcnow

admin_cli = AppGroup("admin", help="Manage the back-office accounts of the GT QVT.")


def read_password() -> str:
    """Asked twice on a terminal, or read from stdin."""
    if sys.stdin.isatty():
        return click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


def _apply(action, done: str) -> None:
    """Run an account change, say it, commit it; a refused one is a clean error message."""
    try:
        action()
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(done)


@admin_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default=ADMINISTRATEUR, show_default=True,
              help="lecture: dashboard and report; animation: events, library, news, mailings; "
                   "administrateur: everything.")
def create(email, role):
    """Create an admin account; the password is asked twice, or read from stdin."""
    password = read_password()
    _apply(lambda: services.create_admin(email, password, role),
           f"Compte {role} créé : {email.strip().lower()}")


@admin_cli.command("list")
def list_admins():
    """List the admin accounts."""
    states = {team.ACTIVE: "actif", team.INVITED: "invité", team.INVITATION_EXPIRED:
              "invitation expirée", team.DISABLED: "désactivé"}
    for admin in team.team():
        state = states[team.state(admin, utcnow())]
        last = admin.last_login_at.isoformat(timespec="minutes") if admin.last_login_at else "—"
        click.echo(f"{admin.email}\t{state}\t{admin.role}\tdernière connexion : {last}")


@admin_cli.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def role(email, role):
    """Change the role of an account (as « Équipe » does): in force from its next request; the
    last active administrateur keeps theirs."""
    account = db.session.scalar(db.select(AdminUser).where(
        AdminUser.email == email.strip().lower()))
    if account is None:
        raise click.ClickException(f"Aucun compte {email}.")
    _apply(lambda: team.change_role(account, role, None, utcnow()),
           f"Rôle de {account.email} : {role}")


@admin_cli.command("disable")
@click.argument("email")
def disable(email):
    """Disable an admin account: it can no longer sign in, and its sessions end."""
    _apply(lambda: services.disable_admin(email), f"Compte désactivé : {email.strip().lower()}")


@admin_cli.command("password")
@click.argument("email")
def password(email):
    """Change the password of an account (asked twice, or read from stdin); its sessions end."""
    new_password = read_password()
    _apply(lambda: services.change_password(email, new_password),
           f"Mot de passe changé, sessions terminées : {email.strip().lower()}")


@admin_cli.command("sign-out")
@click.argument("email")
def sign_out(email):
    """End every session of an account, in every browser (a lost laptop, a shared computer)."""
    _apply(lambda: services.sign_out_everywhere(email),
           f"Sessions terminées : {email.strip().lower()}")


@admin_cli.command("routes")
def routes():
    """List the back-office's routes by the role each needs (each role also has those above)."""
    by_role: dict[str, list[str]] = {role: [] for role in ROLES}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule):
        role = required_role(rule.endpoint)
        if rule.endpoint.startswith("admin.") and role:
            methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
            by_role[role].append(f"{methods}\t{rule.rule}")
    for role in ROLES:
        click.echo(f"# {role} ({DESCRIPTIONS[role]})")
        for line in by_role[role]:
            click.echo(line)


@admin_cli.command("two-factor-reset")
@click.argument("email")
def two_factor_reset(email):
    """Remove the second factor of an account (a lost phone and lost recovery codes, with no
    other administrator to do it from the team page); its sessions end. In the journal."""
    address = email.strip().lower()

    def reset():
        account = db.session.scalar(db.select(AdminUser).where(AdminUser.email == address))
        if account is None:
            raise services.AdminError(f"Aucun compte {address}.")
        two_factor.reset(account, "ligne de commande (flask admin)", utcnow())

    _apply(reset, f"Double authentification réinitialisée, sessions terminées : {address}")
