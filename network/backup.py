"""Backups: the database and the library's files in one archive, and their restore.

``flask backup create`` writes ``reseau-qvt-<date>.tar.gz`` holding
- ``manifest.json``: when, which database engine, which migration, the rows of every table;
- ``database.pgdump`` (pg_dump's custom format) or ``database.sqlite3`` (SQLite's online
  backup): a consistent snapshot taken while the site keeps running;
- ``ressources/ab/abcd…``: the uploaded files, named by their SHA-256 as in the storage folder.

``flask backup restore ARCHIVE`` restores into an empty database (created for the purpose) and
the storage folder, never over live data; it checks every table's row count and every file's
digest against the archive, then upgrades the schema if the backup is older than the code.
"""

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

import click
import flask_migrate
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import Connection, make_url

from network.extensions import db, utcnow
from network.resources.files import storage_folder, stored_path, write_whole

MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
STORED_FILE = re.compile(r"ressources/[0-9a-f]{2}/([0-9a-f]{64})")


class BackupError(Exception):
    """A backup or restore that cannot go on, said in French for the operator."""


def create_backup(folder: Path, now: datetime, progress=print) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    archive_path = folder / f"reseau-qvt-{now:%Y%m%d-%H%M%S}.tar.gz"
    dialect = db.engine.dialect.name
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DUMPS[dialect]
        progress("Base de données…")
        revision, rows = DUMPERS[dialect](dump)
        manifest = {"created_at": now.isoformat(), "database": dialect, "revision": revision,
                    "rows": rows, "files": 0}
        partial = archive_path.with_suffix(".part")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(dump, DUMPS[dialect])
                progress("Fichiers de la bibliothèque…")
                for path in sorted(storage_folder().glob("*/*")):
                    if STORED_FILE.fullmatch(f"ressources/{path.parent.name}/{path.name}"):
                        archive.add(path, f"ressources/{path.parent.name}/{path.name}")
                        manifest["files"] += 1
                _add_json(archive, MANIFEST, manifest)
            partial.replace(archive_path)
        finally:
            # A full disk (or any failure) leaves no half archive filling it further.
            partial.unlink(missing_ok=True)
    progress(f"Sauvegarde écrite : {archive_path} ({sum(rows.values())} lignes, "
             f"{manifest['files']} fichiers)")
    return archive_path


def restore_backup(archive_path: Path, progress=print) -> dict:
    with tarfile.open(archive_path, "r:gz") as archive:
        manifest = json.load(archive.extractfile(MANIFEST))
        dialect = db.engine.dialect.name
        if manifest["database"] != dialect:
            raise BackupError(f"Cette sauvegarde vient d'une base {manifest['database']} : "
                              f"elle ne se restaure pas dans une base {dialect}.")
        if tables := inspect(db.engine).get_table_names():
            raise BackupError(f"La base cible n'est pas vide ({len(tables)} tables) : créez une "
                              "base vide, indiquez-la dans FLASK_SQLALCHEMY_DATABASE_URI, "
                              "puis relancez la restauration.")
        with tempfile.TemporaryDirectory() as scratch:
            dump = Path(scratch) / DUMPS[dialect]
            with open(dump, "wb") as target:
                shutil.copyfileobj(archive.extractfile(DUMPS[dialect]), target)
            progress("Base de données…")
            RESTORERS[dialect](dump)
        with db.engine.connect() as connection:
            restored = table_counts(connection, manifest["rows"])
        if restored != manifest["rows"]:
            raise BackupError("La base restaurée ne contient pas les lignes de la sauvegarde : "
                              f"{_differences(manifest['rows'], restored)}.")
        progress("Fichiers de la bibliothèque…")
        files = _restore_files(archive)
    if files != manifest["files"]:
        raise BackupError(f"La sauvegarde annonce {manifest['files']} fichiers, "
                          f"{files} ont été restaurés.")
    progress("Schéma mis à jour…")
    flask_migrate.upgrade()
    return manifest


def table_counts(connection: Connection, tables=None) -> dict[str, int]:
    names = tables or [t.name for t in db.metadata.sorted_tables]
    return {name: connection.scalar(select(func.count()).select_from(table(name)))
            for name in names}


def _dump_postgresql(dump: Path) -> tuple[str, dict]:
    # The counts and pg_dump read the same snapshot: the restore can check every table.
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
        rows = table_counts(connection)
        _run_pg("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}")
    return revision, rows


def _restore_postgresql(dump: Path) -> None:
    # A comment on an extension needs its owner (a superuser): leave it out, keep the rest.
    listing = _run_pg("pg_restore", "--list", str(dump), database=False)
    wanted = dump.with_suffix(".list")
    wanted.write_text("".join(line + "\n" for line in listing.splitlines()
                              if "COMMENT - EXTENSION" not in line))
    db.engine.dispose()
    _run_pg("pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error", f"--use-list={wanted}", str(dump))


def _dump_sqlite(dump: Path) -> tuple[str, dict]:
    with db.engine.connect() as connection:
        target = sqlite3.connect(dump)
        try:
            connection.connection.driver_connection.backup(target)
        finally:
            target.close()
    copy = create_engine(f"sqlite:///{dump}")
    try:
        with copy.connect() as connection:
            revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
            return revision, table_counts(connection)
    finally:
        copy.dispose()


def _restore_sqlite(dump: Path) -> None:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    db.engine.dispose()
    # The empty target may exist (it was inspected): its WAL files must not outlive it.
    for leftover in (f"{database}-wal", f"{database}-shm"):
        Path(leftover).unlink(missing_ok=True)
    shutil.copyfile(dump, database)


DUMPERS = {"postgresql": _dump_postgresql, "sqlite": _dump_sqlite}
RESTORERS = {"postgresql": _restore_postgresql, "sqlite": _restore_sqlite}


def _run_pg(tool: str, *arguments: str, database: bool = True) -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    # The password goes through the environment, never on a command line others can read.
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string()
    command = [_pg_program(tool), *arguments, *([f"--dbname={libpq_url}"] if database else [])]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{tool} a échoué : {result.stderr.strip()}")
    return result.stdout


def _pg_program(tool: str) -> str:
    # The client of the newest PostgreSQL installed reads dumps of every older server.
    found = shutil.which(tool) or next(iter(sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), reverse=True)), None)
    if found is None:
        raise BackupError(f"{tool} est introuvable : installez le client PostgreSQL "
                          "(paquet postgresql-client).")
    return found


def _restore_files(archive: tarfile.TarFile) -> int:
    restored = 0
    for member in archive.getmembers():
        match = STORED_FILE.fullmatch(member.name)
        if not match or not member.isfile():
            continue
        content = archive.extractfile(member).read()
        if hashlib.sha256(content).hexdigest() != match[1]:
            raise BackupError(f"Le fichier {member.name} de la sauvegarde est altéré.")
        # Whole or not at all: a half-written file under its hash would pass for the real one.
        write_whole(stored_path(match[1]), content)
        restored += 1
    return restored


def _add_json(archive: tarfile.TarFile, name: str, value: dict) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(value, file, ensure_ascii=False, indent=2)
    try:
        archive.add(file.name, name)
    finally:
        os.unlink(file.name)


def _differences(expected: dict, found: dict) -> str:
    return ", ".join(f"{name} : {found.get(name)} au lieu de {count}"
                     for name, count in expected.items() if found.get(name) != count)


backup_cli = AppGroup("backup", help="Sauvegarder et restaurer la base et les fichiers.")


@backup_cli.command("create")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Dossier des sauvegardes (par défaut : instance/sauvegardes).")
def create_command(folder):
    """Write an archive of the database and the library's files."""
    folder = folder or Path(current_app.instance_path) / "sauvegardes"
    try:
        create_backup(folder, utcnow(), progress=click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive):
    """Restore an archive into an empty database and the storage folder."""
    try:
        manifest = restore_backup(archive, progress=click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restauration vérifiée : sauvegarde du {manifest['created_at']}, "
               f"{sum(manifest['rows'].values())} lignes, {manifest['files']} fichiers.")
