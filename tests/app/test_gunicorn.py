"""Production as deployed, on PostgreSQL: gunicorn with deploy/gunicorn.conf.py and two
workers, and `flask scheduler` processes, all with NETWORK_CONFIG=production."""

import json
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import select

from network.extensions import db
from network.mail.models import OutboxMessage, OutboxStatus
from network.scheduler.heartbeat import last_tick
from network.scheduler.models import SchedulerLease
from tests.factories import make_applicant
from tests.support.postgres import free_port
from tests.support.production import production_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> list[dict]:
    """Stop a process and return its JSON log lines."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0]
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def wait_for(condition, what: str, seconds: float = 30):
    # Waiting on another process's progress, polled: nothing here depends on the clock.
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"still waiting: {what}"
        time.sleep(0.1)
    return result


def http(url: str, data: dict | None = None, cookie: str = ""):
    # As behind nginx with TLS: Flask-WTF then also checks that forms come from the site.
    request = Request(url, data=urlencode(data).encode() if data else None,
                      headers={"Cookie": cookie, "X-Forwarded-Proto": "https",
                               "Referer": url.replace("http://", "https://")})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except HTTPError as error:
        return error.code, error.read().decode(), error.headers


def answers(url: str):
    try:
        return http(url)
    except OSError:
        return None


@ON_POSTGRESQL
def test_gunicorn_and_the_scheduler_serve_the_site_with_the_production_settings(
        app, database_url, smtp):
    # `app` empties the tables afterwards (the scheduler leaves its lease and heartbeat).
    port = free_port()
    env = production_env(database_url, smtp.port, GUNICORN_BIND=f"127.0.0.1:{port}",
                         FLASK_SCHEDULER_TICK_SECONDS="1",
                         FLASK_SIGN_IN_RATE_LIMIT_PER_ADDRESS="3 per hour")
    site = f"http://127.0.0.1:{port}"
    server = start([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"], env)
    scheduler = None
    try:
        status, body, _ = wait_for(lambda: answers(f"{site}/healthz"), "gunicorn")
        assert status == 503 and json.loads(body)["database"] == "ok", "no scheduler yet"
        scheduler = start([str(BIN / "flask"), "scheduler"], env)
        wait_for(lambda: http(f"{site}/healthz")[0] == 200, "the scheduler's first tick")

        for path in ("/", "/evenements", "/ressources", "/rejoindre", "/connexion",
                     "/ressources?q=mot-cherche-secret"):
            assert http(f"{site}{path}")[0] == 200, path
        assert "Connexion" in http(f"{site}/admin/membres")[1], "the sign-in page"

        # The sign-in limit is counted in the database: the workers share it.
        codes = []
        for _ in range(4):
            _, form, headers = http(f"{site}/connexion")
            cookie = headers["Set-Cookie"].split(";")[0]
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
            codes.append(http(f"{site}/connexion", {"csrf_token": token,
                                                    "email": "claire@exemple.fr"}, cookie)[0])
        assert codes == [200, 200, 200, 429]
    finally:
        server_log = stop(server)
        scheduler_log = stop(scheduler) if scheduler else []

    requests = [line for line in server_log if line["event"] == "request"]
    assert {"/", "/evenements", "/ressources", "/healthz"} <= {line["rule"] for line in requests}
    assert "mot-cherche-secret" not in json.dumps(server_log), "no query string in the logs"
    assert "claire@" not in json.dumps(server_log)
    assert any(line["event"] == "job.done" for line in scheduler_log)


@ON_POSTGRESQL
def test_a_second_scheduler_process_stays_idle_and_takes_over_when_the_first_stops(
        app, database_url, smtp):
    # Her charter e-mail waits in the outbox; the processes tick in real time.
    make_applicant(datetime.now(UTC), email="anne.martin@exemple.fr")
    env = production_env(database_url, smtp.port, FLASK_SCHEDULER_TICK_SECONDS="2")
    first = start([str(BIN / "flask"), "scheduler"], env)
    second = None
    try:
        holder = wait_for(lambda: db.session.scalar(select(SchedulerLease.holder)),
                          "the first scheduler takes the lease")
        assert holder.endswith(f":{first.pid}")
        second = start([str(BIN / "flask"), "scheduler"], env)
        wait_for(lambda: len(smtp.messages) == 1, "the charter e-mail")
        # The second one has started and found the lease taken (its first tick is immediate,
        # the next ones every 2 s): it stays idle.
        second_started = time.monotonic()
        wait_for(lambda: time.monotonic() - second_started > 3, "the second one's idle ticks")

        # Stopped right after the e-mail went out, before its tick ends (as systemd would).
        first_log = stop(first)
        assert first.returncode == 0
        # The lease lasts three ticks, but the first one released it as it stopped: nobody
        # holds it (or the second one already does), and the second takes over at its next tick.
        db.session.rollback()
        holder = db.session.scalar(select(SchedulerLease.holder))
        assert holder is None or holder.endswith(f":{second.pid}"), holder
        wait_for(lambda: (db.session.scalar(select(SchedulerLease.holder)) or "").endswith(
            f":{second.pid}"), "the second takes over")
        taken_over_at = datetime.now(UTC)
        wait_for(lambda: last_tick() > taken_over_at, "the second one's first tick")
    finally:
        if first.poll() is None:
            stop(first)
        second_log = stop(second) if second else []

    # It finished the tick under way, gave the lease up, then stopped.
    assert [line["event"] for line in first_log][-3:] == [
        "job.done", "scheduler.lease_released", "scheduler.stopped"]
    # The second one stayed idle until it took over: then it ran its first tick.
    events = [line["event"] for line in second_log]
    took_over = events.index("job.done")
    assert "scheduler.idle" in events[:took_over]
    assert "job.step" not in events[:took_over]
    assert len(smtp.messages) == 1, "sent once, by the scheduler holding the lease"
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT
