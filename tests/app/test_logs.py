"""Structured logs: a line per request and per job step, with ids and never personal data."""

import json
import logging
import sys
from datetime import timedelta

import pytest

from config import Config, ProductionConfig
from network.extensions import db
from network.logs import JsonLineFormatter, TextLineFormatter
from network.membership.models import Person
from network.scheduler.runner import tick_job
from network.scheduler.tick import run_tick
from tests.factories import NOW, make_applicant, make_member, member_session


def log_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_each_request_is_one_json_line_with_its_rule_and_ids_only(make_app, capsys):
    app = make_app(LOG_FORMAT="json")
    with app.app_context():
        member = make_member(NOW - timedelta(days=100), email="anne.martin@exemple.fr")
        member_id = member.id
        client = app.test_client()
        with client.session_transaction() as session:
            member_session(session, member)
        capsys.readouterr()
        client.get("/espace")
        client.get("/evenements/424242?recherche=anne.martin@exemple.fr",
                   headers={"X-Request-ID": "nginx-abc"})
        client.get("/connexion/jeton-secret-de-connexion")
        client.post("/connexion", data={"email": "anne.martin@exemple.fr"})

    captured = capsys.readouterr().err
    space, event, link, form = [line for line in log_lines(captured) if line["event"] == "request"]
    assert space["rule"] == "/espace" and space["status"] == 200
    assert space["member_id"] == member_id and space["admin_id"] is None
    assert space["ms"] > 0 and space["level"] == "INFO" and space["at"].startswith("20")
    assert event["rule"] == "/evenements/<int:event_id>" and event["event_id"] == 424242
    assert event["status"] == 404 and event["trace_id"] == "nginx-abc"
    assert link["rule"] == "/connexion/<token>"
    assert form["method"] == "POST" and form["status"] == 200
    for secret in ("anne.martin", "jeton-secret", "recherche", "127.0.0.1", "Martin"):
        assert secret not in captured


def test_development_logs_read_as_text(make_app, capsys):
    app = make_app(LOG_FORMAT="text")
    capsys.readouterr()
    app.test_client().get("/evenements")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert " INFO request " in line
    assert "method=GET rule=/evenements status=200 ms=" in line


def test_each_step_of_a_tick_is_a_line_with_its_counts(make_app, capsys):
    app = make_app(LOG_FORMAT="json")
    with app.app_context():
        make_applicant(NOW - timedelta(days=40), email="oubli@exemple.fr")
        make_member(NOW - timedelta(days=1), email="nouvelle@exemple.fr")
        capsys.readouterr()
        run_tick(NOW)

    lines = log_lines(capsys.readouterr().err)
    steps = {line["step"]: line for line in lines if line["event"] == "job.step"}
    # Steps with nothing to do (mailings, events…) stay quiet.
    assert list(steps) == ["applications", "renewal", "delivery"]
    assert steps["applications"]["expired"] == 1
    assert steps["renewal"]["forms"] == 1 and steps["renewal"]["dropped"] == 0
    assert steps["delivery"]["sent"] >= 1, "the newcomer's welcome was sent"
    assert lines[-1]["event"] == "job.done" and lines[-1]["job"] == "tick"
    assert lines[-1]["now"] == NOW.isoformat() and lines[-1]["ms"] > 0
    assert "oubli@" not in json.dumps(lines) and "nouvelle@" not in json.dumps(lines)


def test_a_failed_tick_is_one_error_line_with_its_traceback(make_app, capsys, monkeypatch):
    app = make_app(LOG_FORMAT="json")

    def broken_tick(now, **options):
        raise RuntimeError("panne du serveur SMTP")

    monkeypatch.setattr("network.scheduler.runner.run_tick", broken_tick)
    capsys.readouterr()
    tick_job(app, "hote:1")

    [failed] = [line for line in log_lines(capsys.readouterr().err)
                if line["event"] == "job.failed"]
    assert failed["level"] == "ERROR" and failed["job"] == "tick"
    assert "RuntimeError: panne du serveur SMTP" in failed["exception"]


# What a failing request had in hand: the stored person's address and name, a link's nonce, and
# the signed token of its path. None of it may reach a log line.
KNOWN_ADDRESS, FIRST_NAME, LAST_NAME = "anne.martin@exemple.fr", "Annabelle", "Martineau"
NONCE, LINK_TOKEN = "9f86d081884c7d65", "eyJwIjo0MiwibiI6IjlmODYifQ.Zk3xQ2pLr8sW1vB7yT0uNcA4mEo"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_database_error_in_a_request_logs_no_personal_data(make_app, capsys, log_format):
    # Errors reach the log as in production, not the test runner.
    app = make_app(LOG_FORMAT=log_format, PROPAGATE_EXCEPTIONS=False)

    @app.post("/essai-erreur/<token>")
    def duplicate_person(token):
        db.session.add(Person(email=KNOWN_ADDRESS, first_name=FIRST_NAME, last_name=LAST_NAME,
                              charter_nonce=NONCE, status="applicant", profile="consultant"))
        db.session.flush()  # a real IntegrityError: the address is already someone's

    with app.app_context():
        make_member(NOW - timedelta(days=100), email=KNOWN_ADDRESS, first_name=FIRST_NAME,
                    last_name=LAST_NAME)
        capsys.readouterr()
        response = app.test_client().post(f"/essai-erreur/{LINK_TOKEN}")

    assert response.status_code == 500 and "Erreur du site" in response.text
    captured = capsys.readouterr().err
    assert "IntegrityError" in captured and "Traceback" in captured, captured
    assert "INSERT INTO person" in captured, "the statement stays, for the developers"
    assert "/essai-erreur/<token>" in captured, "the failing rule is named, not its path"
    for secret in (KNOWN_ADDRESS, "anne.martin", FIRST_NAME, LAST_NAME, NONCE, LINK_TOKEN):
        assert secret not in captured, f"{secret!r} in the log:\n{captured}"


def test_every_environment_hides_sql_parameters():
    for config in (Config, ProductionConfig):
        assert config.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True


def test_exception_messages_are_scrubbed_of_addresses_and_tokens():
    try:
        raise ValueError(f"adresse {KNOWN_ADDRESS} déjà prise, lien {LINK_TOKEN}, "
                         f"jeton {NONCE}")
    except ValueError:
        record = logging.LogRecord("network", logging.ERROR, __file__, 1, "x", None,
                                   sys.exc_info())
    for formatter in (JsonLineFormatter(), TextLineFormatter()):
        text = formatter.format(record)
        assert "ValueError: adresse <adresse> déjà prise" in text
        for secret in (KNOWN_ADDRESS, LINK_TOKEN, NONCE):
            assert secret not in text
