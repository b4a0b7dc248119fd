"""`flask members import FILE`: the same import as the back-office's, from the command line."""

from pathlib import Path

import click
from flask.cli import AppGroup

from network.extensions import db, utcnow
from network.imports.plan import plan_import
from network.imports.reading import UnreadableFile, read_sheet
from network.imports.services import ImportRefused, import_counts, run_import
from network.templating import PARIS, plural

members_cli = AppGroup("members", help="Les membres du réseau : import des fichiers existants.")


@members_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Lire et vérifier le fichier sans rien écrire.")
@click.option("--valid-only", is_flag=True, help="Importer les lignes valides malgré les erreurs.")
@click.option("--complete-known", is_flag=True,
              help="Compléter les champs vides des personnes déjà connues (sinon : ignorées).")
@click.option("--by", "by", default="ligne de commande", show_default=True,
              help="Qui fait l'import (inscrit dans l'historique des membres).")
def import_command(file: Path, dry_run: bool, valid_only: bool, complete_known: bool, by: str):
    """Importer les membres existants d'un fichier CSV, XLSX ou ODS."""
    now = utcnow()
    try:
        plan = plan_import(read_sheet(file.name, file.read_bytes()), file.name,
                           now.astimezone(PARIS).date())
    except UnreadableFile as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{plural(len(plan.rows), 'ligne lue', 'lignes lues')} : "
               f"{plural(plan.count('new'), 'nouvelle')}, "
               f"{plural(plan.count('known'), 'déjà connue', 'déjà connues')}, "
               f"{plan.count('duplicate')} en double dans le fichier, "
               f"{plan.count('error')} en erreur.")
    for header in plan.unmapped_headers:
        click.echo(f"Colonne ignorée : « {header} »")
    for error in plan.errors:
        click.echo(f"Ligne {error.line}, colonne « {error.column} », valeur « {error.value} » : "
                   f"{error.why}", err=True)
    if dry_run:
        click.echo("Essai : rien n'a été écrit.")
        return
    total = plan.count("new")
    try:
        record = run_import(plan, by=by, now=now, complete_known=complete_known,
                            valid_only=valid_only,
                            progress=lambda done: click.echo(f"  {done}/{total} membres écrits"))
    except ImportRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"Import n° {record.id} : {import_counts(record)}.")
