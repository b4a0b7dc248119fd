"""`flask demo`: fill an empty database with realistic fake members (placeholder)."""

import click
from flask.cli import with_appcontext


@click.command("demo")
@click.option("--members", default=300, show_default=True)
@click.option("--force", is_flag=True)
@with_appcontext
def demo_command(members, force):
    """Fill the database with fake members, for demonstrations and load tests."""
    raise click.ClickException("Pas encore disponible.")
