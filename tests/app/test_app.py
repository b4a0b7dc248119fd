"""The application's shell: pages, configuration, scheduler wiring."""

import re
import threading
from pathlib import Path

import pytest

from config import DEV_SECRET_KEY, ProductionConfig, production_problems
from network import create_app
from network.scheduler.runner import build_scheduler
from tests.support.production import LEGAL_NOTICE


@pytest.mark.parametrize("path, text", [
    ("/", "Trois principes de participation"),
    ("/", "Rejoindre le réseau"),
    ("/confidentialite", "Combien de temps"),
    ("/mentions-legales", "Mentions légales"),
])
def test_public_pages_are_in_french_with_the_common_layout(client, path, text):
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.text
    assert '<html lang="fr">' in response.text
    assert "intervenants-qvt-occitanie@anact.fr" in response.text
    assert "/confidentialite" in response.text and "/mentions-legales" in response.text


def test_bootstrap_is_served_by_the_site_itself(client):
    page = client.get("/").text
    assert "cdn" not in page.lower()
    for path in ("/bootstrap/static/css/bootstrap.min.css", "/static/css/network.css"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert response.mimetype == "text/css"


def test_unknown_pages_get_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_production_refuses_unsafe_settings():
    unsafe = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig)
              if key.isupper()}
    problems = production_problems(unsafe)
    assert any("SECRET_KEY" in p for p in problems)
    assert any("DATABASE_URI" in p for p in problems)
    assert any("MAIL_SERVER" in p for p in problems)
    safe = {**unsafe, "SECRET_KEY": "x" * 40, "MAIL_SERVER": "smtp.exemple.fr",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@db/reseau",
            "BASE_URL": "https://reseau-qvt.exemple.fr", **LEGAL_NOTICE}
    assert production_problems(safe) == []
    assert unsafe["SECRET_KEY"] == DEV_SECRET_KEY
    per_process = production_problems({**safe, "RATELIMIT_STORAGE_URI": "memory://"})
    assert per_process == [
        "FLASK_RATELIMIT_STORAGE_URI must be shared by every worker (database://)"]


def test_production_config_refuses_to_start(monkeypatch):
    monkeypatch.setenv("NETWORK_CONFIG", "production")
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        create_app()


def test_settings_come_from_flask_environment_variables(monkeypatch, database_url):
    monkeypatch.setenv("FLASK_CHARTER_LINK_DAYS", "45")
    monkeypatch.setenv("FLASK_ADMIN_NOTIFICATION_EMAILS", '["a@exemple.fr", "b@exemple.fr"]')
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["CHARTER_LINK_DAYS"] == 45
    assert app.config["ADMIN_NOTIFICATION_EMAILS"] == ["a@exemple.fr", "b@exemple.fr"]


def test_the_factory_never_starts_the_scheduler(database_url):
    # Under gunicorn every worker runs the factory: a scheduler there would tick N times.
    create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert not [t for t in threading.enumerate() if t.name == "APScheduler"]
    scheduler = build_scheduler(create_app({"SQLALCHEMY_DATABASE_URI": database_url}), False)
    scheduler.start(paused=True)
    try:
        assert [t for t in threading.enumerate() if t.name == "APScheduler"], "test is blind"
    finally:
        scheduler.shutdown(wait=False)


def test_the_scheduler_runs_one_tick_at_a_time_and_catches_up(app):
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"tick", "outbox"}
        assert jobs["tick"].trigger.interval.total_seconds() == app.config[
            "SCHEDULER_TICK_SECONDS"]
        # New e-mails (a sign-in link) leave within seconds, between ticks.
        assert jobs["outbox"].trigger.interval.total_seconds() == app.config[
            "OUTBOX_POLL_SECONDS"]
        for job in jobs.values():
            assert (job.coalesce, job.max_instances) == (True, 1)
            assert job.misfire_grace_time >= 600
    finally:
        scheduler.shutdown(wait=False)


def test_the_example_environment_file_lists_every_setting_and_only_real_ones():
    example = (Path(__file__).resolve().parents[2] / "deploy" / "env.example").read_text()
    named = set(re.findall(r"^#?FLASK_([A-Z_]+)=", example, re.MULTILINE))
    settings = {key for key in dir(ProductionConfig) if key.isupper()}
    assert settings - named == set(), "settings missing from deploy/env.example"
    assert named - settings == set(), "deploy/env.example names settings that do not exist"
