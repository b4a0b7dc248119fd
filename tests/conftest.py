import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import delete

from network import create_app
from network.extensions import db
from network.membership.models import CharterVersion
from tests.support.dovecot import dovecot_server
from tests.support.postgres import create_database, free_port, postgres_cluster
from tests.support.smtp import SmtpServer
from tests.support.typography import AsTypedClient
from tests.support.wsgi import close_after_body

# In CI these must run: a missing PostgreSQL, browser or Dovecot fails the run instead of skipping.
REQUIRED = set(filter(None, os.environ.get("NETWORK_TEST_REQUIRE", "").split(",")))
REFERENCE_TABLES = {"department", "qvt_field", "alembic_version"}
# SQLite in memory-backed files where the machine has them: its many commits wait for no disk.
MEMORY_DISK = "/dev/shm" if os.path.isdir("/dev/shm") else None
CHROMIUM = os.environ.get("NETWORK_TEST_CHROMIUM", "/usr/bin/chromium")


def unavailable(what: str, why: str):
    if what in REQUIRED:
        pytest.fail(f"{what} is required here (NETWORK_TEST_REQUIRE) but unavailable: {why}")
    pytest.skip(f"{what} unavailable: {why}")


# CI's production job (NETWORK_TEST_SETTINGS=production): the production settings a test harness
# can keep. Secure cookies and TLS to the SMTP sink stay off; gunicorn and scheduler processes are
# started with the full production configuration by tests/app/test_gunicorn.py.
PRODUCTION_LIKE = {"LOG_FORMAT": "json", "RATELIMIT_STORAGE_URI": "database://",
                   "PROXY_FIX_HOPS": 1, "SCHEDULER_IN_APP": False}


# The instant every page sees: an hour before the fixed times the tests act at
# (tests.factories.NOW, tests.events.helpers.NOW), so what a page queues is due when a test then
# ticks at those. The suite behaves the same whatever the day and hour it runs.
FROZEN_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def base_config(database_url: str) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        # Flask-Mail reads this once at init_app and defaults it to app.testing.
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT": 2.0,
        "ADMIN_NOTIFICATION_EMAILS": ["gt-qvt@exemple.fr"],
        "BASE_URL": "http://reseau.test",
        "FROZEN_NOW": FROZEN_NOW,
    }
    if os.environ.get("NETWORK_TEST_SETTINGS") == "production":
        config.update(PRODUCTION_LIKE)
    return config


def migrate_to_head(database_url: str) -> None:
    app = create_app(base_config(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def pages_read_as_typed():
    """The test clients of every app read a page's .text as the templates type it, French
    typography undone (tests/support/typography.py)."""
    Flask.test_client_class = AsTypedClient
    yield
    Flask.test_client_class = None


@pytest.fixture(scope="session")
def postgres_server():
    try:
        with postgres_cluster() as url:
            yield url
    except FileNotFoundError as error:
        unavailable("postgresql", str(error))


@pytest.fixture(scope="session")
def sqlite_url():
    folder = tempfile.mkdtemp(prefix="network-test-", dir=MEMORY_DISK)
    url = f"sqlite:///{folder}/network.sqlite"
    migrate_to_head(url)
    yield url
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_url(postgres_server):
    url = create_database(postgres_server, "network_test")
    migrate_to_head(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request):
    """Every test that touches the database runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def smtp():
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def imap_server():
    """A Dovecot of the session, with one mailbox (tests.support.dovecot.ImapAccount)."""
    try:
        with dovecot_server() as account:
            yield account
    except FileNotFoundError as error:
        unavailable("dovecot", str(error))


@pytest.fixture
def make_app(database_url, smtp):
    apps = []

    def make(**overrides):
        app = create_app({**base_config(database_url), "MAIL_PORT": smtp.port, **overrides})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            empty_tables()
            db.engine.dispose()


def empty_tables():
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES | {"charter_version"}:
            db.session.execute(table.delete())
    db.session.execute(delete(CharterVersion).where(CharterVersion.number > 1))
    db.session.commit()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server(make_app):
    """The app served over HTTP in a thread, as a browser sees it (CSRF on)."""
    from werkzeug.serving import make_server

    app = make_app(WTF_CSRF_ENABLED=True)
    app.wsgi_app = close_after_body(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable("browser", f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@contextmanager
def browsing_as(browser):
    """A page with cookies of its own (one visitor). Whatever a browser test does, nothing the
    pages ask for may be refused by their Content-Security-Policy (an inline style or script, a
    resource from elsewhere)."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not refused, "\n".join(refused)


@pytest.fixture
def page(browser):
    with browsing_as(browser) as page:
        yield page


ADMIN_EMAIL = "admin@gt-qvt.fr"
ADMIN_PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def admin(app):
    from network.admin.services import create_admin

    account = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    db.session.commit()
    return account


@pytest.fixture
def admin_client(app, admin):
    """A test client signed in to the back-office."""
    client = app.test_client()
    response = client.post("/admin/connexion",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.text
    return client
