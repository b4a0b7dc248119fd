import sys

import click
from flask.cli import AppGroup

from network.admin import services
from network.admin.models import AdminUser
from network.extensions import db

admin_cli = AppGroup("admin", help="Manage the back-office accounts of the GT QVT.")


@admin_cli.command("create")
@click.argument("email")
def create(email):
    """Create an admin account; the password is asked twice, or read from stdin."""
    if sys.stdin.isatty():
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
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
    """Disable an admin account: it can no longer sign in."""
    try:
        services.disable_admin(email)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Compte désactivé : {email.strip().lower()}")
