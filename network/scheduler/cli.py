import logging
import os
import signal
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from werkzeug.serving import run_simple

from network.extensions import utcnow
from network.logs import log_event
from network.scheduler.runner import build_scheduler, stop
from network.scheduler.tick import run_tick
from network.templating import PARIS, plural

log = logging.getLogger("network.scheduler")


def parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        # Operators think in the network's time zone.
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)


@click.command("tick")
@click.option("--now", "now_text", help="Moment du tick, ISO 8601 (heure de Paris par défaut).")
@with_appcontext
def tick_command(now_text):
    """Run one tick of the scheduler now (or at --now)."""
    with force_locale("fr"):
        report = run_tick(parse_now(now_text),
                          progress=lambda step, done: click.echo(f"  … {step} : {done}"))
    click.echo(f"Candidatures expirées : {report.expired_applications}")
    click.echo("Candidatures à valider rappelées aux administrateurs : "
               f"{report.admission_reminders}")
    renewal = report.renewal
    click.echo(f"Renouvellement : "
               f"{plural(renewal['forms'], 'membre sollicité', 'membres sollicités')}, "
               f"{plural(renewal['reminders'], 'rappel')}, {plural(renewal['dropped'], 'sortie')}")
    click.echo(f"Événements : {plural(report.event_invitations, 'invitation')}, "
               f"{plural(report.event_reminders, 'rappel')}")
    click.echo(f"Questionnaires envoyés : {report.evaluations} après des événements, "
               f"{report.needs_surveys} pour le recueil des besoins")
    click.echo(f"E-mails envoyés : {report.delivery.sent}, à réessayer : "
               f"{report.delivery.retried}, en échec : {report.delivery.failed}")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler alone, in the foreground (the production scheduler process)."""
    app = current_app._get_current_object()
    scheduler = build_scheduler(app, blocking=True)
    # systemd stops the service with SIGTERM: the tick under way finishes first, rather than
    # dying between sending an e-mail and recording it as sent (it would go again); then the
    # lease is released, so that the next scheduler (a restart) ticks at once.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop(app, scheduler, scheduler.holder))
    scheduler.start()
    log_event(log, "scheduler.stopped")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--reload/--no-reload", default=False, help="Restart when the code changes.")
@with_appcontext
def serve_command(host, port, reload):
    """Serve the site for development, with the scheduler inside (one instance)."""
    app = current_app._get_current_object()
    # With the reloader this command runs twice (a watcher, then the server): the scheduler
    # must start in the server process only, or every tick runs twice.
    serving_process = not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
    if app.config["SCHEDULER_IN_APP"] and serving_process:
        build_scheduler(app, blocking=False).start()
    run_simple(host, port, app, use_reloader=reload, use_debugger=app.debug, threaded=True)
