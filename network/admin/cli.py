import sys

import click
from flask.cli import AppGroup

from network.admin import services
from network.admin.models import AdminUser
from network.extensions import db

admin_cli = AppGroup("admin", help="Manage the back-office accounts of the GT QVT.")


def read_password() -> str:
    """Asked twice on a terminal, or read from stdin."""
    if sys.stdin.isatty():
        return click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@admin_cli.command("create")
@click.argument("email")
def create(email):
    """Create an admin account; the password is asked twice, or read from stdin."""
    password = read_password()
    try:
        services.create_admin(email, password)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Compte administrateur créé : {email.strip().lower()}")


@admin_cli.command("list")
def list_admins():
    """List the admin accounts."""
    for admin in db.session.scalars(db.select(AdminUser).order_by(AdminUser.email)):
        state = "actif" if admin.active else "désactivé"
        last = admin.last_login_at.isoformat(timespec="minutes") if admin.last_login_at else "—"
        click.echo(f"{admin.email}\t{state}\tdernière connexion : {last}")


@admin_cli.command("disable")
@click.argument("email")
def disable(email):
    """Disable an admin account: it can no longer sign in, and its sessions end."""
    try:
        services.disable_admin(email)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Compte désactivé : {email.strip().lower()}")


@admin_cli.command("password")
@click.argument("email")
def password(email):
    """Change the password of an account (asked twice, or read from stdin); its sessions end."""
    new_password = read_password()
    try:
        services.change_password(email, new_password)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Mot de passe changé, sessions terminées : {email.strip().lower()}")


@admin_cli.command("sign-out")
@click.argument("email")
def sign_out(email):
    """End every session of an account, in every browser (a lost laptop, a shared computer)."""
    try:
        services.sign_out_everywhere(email)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Sessions terminées : {email.strip().lower()}")
