"""The membership and event manager of the Occitanie QVT practitioners' network."""

import os
from functools import partial
from pathlib import Path

from flask import Flask, current_app, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, production_problems
from network import extensions as ext
from network import ratelimit  # noqa: F401  (registers the database:// rate-limit storage)
from network.headers import register_security_headers
from network.inputs import register_input_checks
from network.logs import configure_logging, register_request_log
from network.typography import register_typography

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    load_config(app, test_config)
    configure_logging(app.config["LOG_FORMAT"])
    register_request_log(app)
    register_input_checks(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_typography(app)
    register_outbox_delivery(app)
    register_commands(app)
    if hops := app.config["PROXY_FIX_HOPS"]:
        # The client's address and scheme as the proxy saw them (rate limits, secure cookies).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    config_name = os.environ.get("NETWORK_CONFIG", "development")
    app.config.from_object(CONFIGS[config_name])
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{os.path.join(app.instance_path, 'network.sqlite')}")
    if config_name == "production" and (problems := production_problems(app.config)):
        raise RuntimeError("Refusing to start in production:\n- " + "\n- ".join(problems))


# The forms that take a file, and the largest one each takes (plus a megabyte for its fields).
UPLOAD_LIMITS = {
    "admin.resources_edit": lambda config: config["RESOURCE_MAX_UPLOAD_MB"] * 1024 * 1024,
    "admin.members_import": lambda config: config["IMPORT_MAX_BYTES"],
}


def allow_resource_uploads() -> None:
    """The resource form and the members' import take a file (see UPLOAD_LIMITS) from a
    signed-in admin; anyone else, and every other request, keeps MAX_CONTENT_LENGTH. Both are
    checked before the body is read."""
    from network.admin.views import signed_in_admin

    limit = UPLOAD_LIMITS.get(request.endpoint)
    if limit is not None and signed_in_admin() is not None:
        request.max_content_length = int(limit(current_app.config) + 1024 * 1024)


def register_extensions(app: Flask) -> None:
    # `network.mail` is also a subpackage: the extensions are named through their module.
    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"))
    ext.mail.init_app(app)
    # Before CSRFProtect, which reads the form: the upload routes accept bigger bodies.
    app.before_request(allow_resource_uploads)
    ext.csrf.init_app(app)
    ext.babel.init_app(app, locale_selector=ext.locale_selector)
    ext.bootstrap.init_app(app)
    ext.limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from network.admin.routes import bp as admin_bp
    from network.attestations.views import bp as attestations_bp
    from network.evaluations.views import bp as evaluations_bp
    from network.events.views import bp as events_bp
    from network.golive.views import bp as golive_bp
    from network.health import bp as health_bp
    from network.mailings.views import bp as mailings_bp
    from network.members_space.views import bp as members_space_bp
    from network.membership.views import bp as membership_bp
    from network.news.views import bp as news_bp
    from network.renewal.views import bp as renewal_bp
    from network.resources.views import bp as resources_bp
    from network.themes.views import bp as themes_bp

    app.register_blueprint(membership_bp)
    app.register_blueprint(members_space_bp)
    app.register_blueprint(renewal_bp)
    app.register_blueprint(golive_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(attestations_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(news_bp)
    app.register_blueprint(themes_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(mailings_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp)


def register_error_handlers(app: Flask) -> None:
    from network.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from network.templating import register_filters

    register_filters(app)


def register_outbox_delivery(app: Flask) -> None:
    """Deliver the e-mails a request queued right after it, within a small time budget; the
    scheduler delivers the rest."""
    from network.mail.delivery import deliver_after_response

    @app.after_request
    def deliver_queued_email(response):
        keys = g.pop("outbox_keys", None)
        if keys and app.config["OUTBOX_DELIVER_AFTER_REQUEST"]:
            response.call_on_close(partial(deliver_after_response, app, keys))
        return response


def register_commands(app: Flask) -> None:
    from network.admin.cli import admin_cli
    from network.backup import backup_cli
    from network.demo import demo_command
    from network.imports.cli import members_cli
    from network.scheduler.cli import scheduler_command, serve_command, tick_command

    for command in (tick_command, scheduler_command, serve_command, admin_cli, demo_command,
                    backup_cli, members_cli):
        app.cli.add_command(command)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys unless asked, per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead log: pages keep being read while the scheduler writes, and a commit costs
        # one sync instead of several (the outbox commits once per message sent).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
