"""`flask db upgrade` from empty produces exactly the models, on SQLite and PostgreSQL."""

import warnings

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from network import create_app
from network.evaluations.models import Question, Questionnaire
from network.events.models import EventKind
from network.extensions import db
from network.membership.models import CharterVersion, Department, QvtField
from network.resources.search import is_search_table
from tests.conftest import base_config
from tests.support.postgres import create_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/empty.sqlite"
    return create_database(request.getfixturevalue("postgres_server"), "network_migrations")


def include_name(name, type_, parent_names):
    return not (type_ == "table" and is_search_table(name))


def test_upgrade_from_empty_matches_the_models_and_seeds_reference_data(empty_database):
    app = create_app(base_config(empty_database))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": include_name})
            with warnings.catch_warnings():
                if connection.dialect.name == "sqlite":
                    # PostgreSQL's indexes of the people search are on an expression, and only
                    # PostgreSQL's (ddl_if): alembic cannot compare those on SQLite, and says so.
                    warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified "
                                            "expression-based index 'ix_person_")
                assert compare_metadata(context, db.metadata) == []
        assert db.session.scalar(select(func.count()).select_from(Department)) == 13
        assert db.session.scalar(select(func.count()).select_from(QvtField)) == 7
        charter = db.session.scalar(select(CharterVersion))
        assert charter.number == 1 and "trois principes" in charter.text_markdown
        # A questionnaire for each kind of event and the needs survey, each with its questions.
        assert set(db.session.scalars(select(Questionnaire.key))) == {
            *(f"evaluation:{kind.value}" for kind in EventKind), "besoins"}
        assert db.session.scalar(select(func.count()).select_from(Question).where(
            Question.overall)) == len(EventKind)
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        db.engine.dispose()
