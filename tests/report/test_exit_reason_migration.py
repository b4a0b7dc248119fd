"""Migration 0020 gives the exits already in the history the reason the person still holds: that
of their latest exit, as long as they have not come back since."""

from datetime import UTC, datetime

import flask_migrate
import pytest
from sqlalchemy import text

from network import create_app
from network.extensions import db
from tests.conftest import base_config
from tests.support.postgres import create_database


def utc(*fields) -> datetime:
    return datetime(*fields, tzinfo=UTC)


@pytest.fixture
def database_before_0020(database_url, request, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/before-0020.sqlite"
    else:
        url = create_database(request.getfixturevalue("postgres_server"), "network_0020")
    app = create_app(base_config(url))
    with app.app_context():
        flask_migrate.upgrade(revision="0019")
        yield app
        db.session.remove()
        db.engine.dispose()


PERSON = """INSERT INTO person (id, status, exit_reason, email, profile, listed_on_reflex_qvt,
    directory_opt_in, mailings_opt_out, created_at, applied_at, member_since, exited_at,
    session_generation) VALUES (:id, :status, :reason, :email, 'consultant', false, false, false,
    :created, :created, :since, :exited, 0)"""
CHANGE = """INSERT INTO status_change (person_id, from_status, to_status, reason, changed_by,
    changed_at) VALUES (:person, :from_status, :to_status, 'motif', 'système', :at)"""


def test_0020_writes_each_person_s_latest_exit_reason(database_before_0020):
    with db.engine.begin() as connection:
        # Claire left in 2023, came back, and left again in 2025 for no answer.
        connection.execute(text(PERSON), {
            "id": 1, "status": "exited", "reason": "no_renewal_answer",
            "email": "claire@exemple.fr", "created": utc(2022, 1, 3), "since": utc(2024, 2, 1),
            "exited": utc(2025, 12, 23, 8)})
        # Paul left in 2024 and is a member again.
        connection.execute(text(PERSON), {
            "id": 2, "status": "member", "reason": None, "email": "paul@exemple.fr",
            "created": utc(2022, 1, 3), "since": utc(2025, 1, 5), "exited": None})
        for person, from_status, to_status, at in [
                (1, "applicant", "member", utc(2022, 1, 4)),
                (1, "member", "exited", utc(2023, 5, 1)),
                (1, "exited", "member", utc(2024, 2, 1)),
                (1, "member", "exited", utc(2025, 12, 23, 8)),
                (2, "applicant", "member", utc(2022, 1, 4)),
                (2, "member", "exited", utc(2024, 3, 1)),
                (2, "exited", "member", utc(2025, 1, 5))]:
            connection.execute(text(CHANGE), {"person": person, "from_status": from_status,
                                              "to_status": to_status, "at": at})

    flask_migrate.upgrade(revision="0020")

    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT person_id, from_status, to_status, exit_reason FROM status_change "
            "ORDER BY person_id, id")).all()
    assert [tuple(row) for row in rows] == [
        (1, "applicant", "member", None), (1, "member", "exited", None),
        (1, "exited", "member", None), (1, "member", "exited", "no_renewal_answer"),
        (2, "applicant", "member", None), (2, "member", "exited", None),
        (2, "exited", "member", None)]
