"""`flask backup create` and `flask backup restore`: the database and the library's files."""

import errno
import io
import json
import tarfile
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from network import backup, create_app
from network.backup import BackupError, create_backup, restore_backup
from network.extensions import db, utcnow
from network.membership.models import Person
from network.resources import files, services
from network.resources.files import store_upload, stored_path
from network.resources.models import Resource
from tests.conftest import base_config
from tests.factories import NOW, make_member
from tests.resources.samples import pdf
from tests.resources.test_upload_safety import full_disk_open
from tests.support.postgres import create_database


@pytest.fixture
def empty_database(database_url, request, tmp_path):
    """A new, empty database of the same engine, as an operator would create for a restore."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored.sqlite"
    else:
        yield create_database(request.getfixturevalue("postgres_server"), "network_restored")


def fill(app) -> int:
    make_member(NOW - timedelta(days=400), email="anne.martin@exemple.fr")
    make_member(NOW - timedelta(days=30), email="paul.durand@exemple.fr")
    upload = FileStorage(io.BytesIO(pdf("Guide du télétravail")), "guide.pdf")
    resource = Resource(title="Guide du télétravail", kind="outil", summary="",
                        description_markdown="", dated=date(2026, 10, 1), visibility="public")
    services.save_resource(resource, "Télétravail", store_upload(upload), None)
    services.publish(resource, utcnow())
    db.session.commit()
    return resource.id


@contextmanager
def restored_site(url: str, files):
    app = create_app({**base_config(url), "RESOURCE_STORAGE_DIR": str(files)})
    with app.app_context():
        yield app
    # After the context: its session has handed its connection back to the pool.
    with app.app_context():
        db.engine.dispose()


def test_a_backup_restores_into_an_empty_database_with_its_files(
        make_app, empty_database, tmp_path):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))
    with app.app_context():
        resource_id = fill(app)
        archive = create_backup(tmp_path / "sauvegardes", NOW, progress=lambda _: None)
        file_hash = db.session.get(Resource, resource_id).file_hash

    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert archive.name == "reseau-qvt-20261123-100000.tar.gz"
    assert manifest["rows"]["person"] == 2 and manifest["rows"]["resource"] == 1
    assert manifest["files"] == 1 and manifest["revision"]

    with restored_site(empty_database, tmp_path / "restored-files") as restored:
        steps = []
        restore_backup(archive, progress=steps.append)
        assert steps == ["Base de données…", "Fichiers de la bibliothèque…", "Schéma mis à jour…"]
        emails = db.session.scalars(select(Person.email).order_by(Person.email)).all()
        assert emails == ["anne.martin@exemple.fr", "paul.durand@exemple.fr"]
        assert stored_path(file_hash).read_bytes() == pdf("Guide du télétravail")
        # The restored site works: the file downloads, the search finds it by its text.
        client = restored.test_client()
        download = client.get(f"/ressources/{resource_id}/fichier")
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
        download.close()
        assert "Guide du télétravail" in client.get("/ressources?q=teletravail").text


def test_a_restore_never_writes_over_a_database_in_use(make_app, tmp_path, database_url):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))
    with app.app_context():
        fill(app)
        archive = create_backup(tmp_path, NOW, progress=lambda _: None)
        make_member(NOW, email="apres.la.sauvegarde@exemple.fr")

        with pytest.raises(BackupError, match="La base cible n'est pas vide"):
            restore_backup(archive, progress=lambda _: None)

        assert db.session.scalar(select(func.count()).select_from(Person)) == 3


def test_an_altered_file_in_the_archive_is_refused(make_app, empty_database, tmp_path):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))
    with app.app_context():
        fill(app)
        archive = create_backup(tmp_path, NOW, progress=lambda _: None)
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(altered, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name.startswith("ressources/"):
                content = content.replace(b"Guide", b"Faux!")
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))

    with restored_site(empty_database, tmp_path / "restored-files"), pytest.raises(
            BackupError, match="est altéré"):
        restore_backup(altered, progress=lambda _: None)


def test_a_backup_of_one_engine_does_not_restore_into_the_other(make_app, tmp_path,
                                                                database_url):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))
    with app.app_context():
        archive = create_backup(tmp_path, NOW, progress=lambda _: None)
    with tarfile.open(archive) as opened:
        engine = json.load(opened.extractfile("manifest.json"))["database"]
    other = "postgresql+psycopg://u@127.0.0.1:1/x" if engine == "sqlite" else (
        f"sqlite:///{tmp_path}/other.sqlite")
    with restored_site(other, tmp_path), pytest.raises(
            BackupError, match=f"Cette sauvegarde vient d'une base {engine}"):
        restore_backup(archive, progress=lambda _: None)


def test_the_commands_say_what_they_do(make_app, tmp_path):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))
    with app.app_context():
        fill(app)
    runner = app.test_cli_runner()
    created = runner.invoke(args=["backup", "create", "--dir", str(tmp_path / "s")])
    assert created.exit_code == 0, created.output
    assert "Sauvegarde écrite" in created.output and "1 fichiers" in created.output
    archive = next((tmp_path / "s").glob("*.tar.gz"))
    refused = runner.invoke(args=["backup", "restore", str(archive)])
    assert refused.exit_code == 1
    assert "La base cible n'est pas vide" in refused.output


def test_a_full_disk_during_a_backup_leaves_no_partial_archive(make_app, tmp_path, monkeypatch):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    with app.app_context():
        fill(app)
        monkeypatch.setattr(backup, "_add_json", disk_full)
        with pytest.raises(OSError):
            create_backup(tmp_path / "sauvegardes", NOW, progress=lambda _: None)
    assert list((tmp_path / "sauvegardes").iterdir()) == []


def test_a_full_disk_during_a_restore_leaves_no_partial_file(
        make_app, empty_database, tmp_path, monkeypatch):
    app = make_app(RESOURCE_STORAGE_DIR=str(tmp_path / "files"))
    with app.app_context():
        fill(app)
        archive = create_backup(tmp_path / "sauvegardes", NOW, progress=lambda _: None)

    with restored_site(empty_database, tmp_path / "restored-files"):
        # A half-written file under its hash would pass for the real one from then on.
        monkeypatch.setattr(files, "open", full_disk_open, raising=False)
        with pytest.raises(OSError):
            restore_backup(archive, progress=lambda _: None)
    assert [path for path in (tmp_path / "restored-files").rglob("*") if path.is_file()] == []
