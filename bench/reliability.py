"""Reliability benchmark of e-mail delivery (issue 14): each e-mail once, whatever the relay does.

    .venv/bin/python bench/reliability.py [--quick] [--only 1,2,3,4,5,6,7,extra,rate,campaign]
                                          [--kills 3] [--keep-logs]

Starts an SMTP sink (aiosmtpd, in a process of its own) that plays the relays of real life:
latency per message, refused connections, 421 at the greeting, 451 to every message, a
connection dropped or left hanging on one recipient, a greeting that never comes. Then runs each
experiment and prints, for each, the e-mails queued, delivered, lost and delivered twice, counted
by Message-ID at the sink (the Message-ID names the outbox row):

1. kill -9 of `flask scheduler` mid-batch (relay at 0.1 s a message), then a new scheduler,
   --kills times; 1b. the same kill forced into the moment the relay has taken a message and its
   sender has not heard it yet (SMTP has no idempotency: that message goes twice);
2. a tick much longer than OUTBOX_LEASE_SECONDS (5 s; relay at 0.35 s a message) while gunicorn
   serves sign-in requests, which queue an e-mail each and deliver it after the response;
3. the relay refusing connections for 2 hours and for 2 days (simulated time: `run_tick(now)`
   with FROZEN_NOW moved along), a 421 greeting for an hour, a 451 to every message for 2 hours;
4. a poison message among 100 (the relay drops, or leaves hanging, the connection on its DATA);
5. a hanging relay (the greeting never comes) while gunicorn (2 workers, MAIL_TIMEOUT 10 s)
   serves sign-in requests: their latency, and when the e-mails leave once the relay is back;
6. two `flask scheduler` processes at once, with a tick longer than the scheduler's lease;
7. a graceful restart (SIGTERM, then a new scheduler, as `systemctl restart` does; and a new one
   started while the old one finishes its tick).
extra: beyond the issue's list, a relay failing the DATA of every message (hanging, or dropping
the connection) for half an hour, and a relay slower to answer a DATA than the web budget.

Then two figures: the delivery rate through a relay at 100 ms a message, and the time to send
the renewal campaign to 10,000 members under a quota of 30 messages a minute (simulated minutes;
the real time the simulation took too).

The processes (`flask scheduler`, gunicorn with deploy/gunicorn.conf.py) run with
NETWORK_CONFIG=production on a throwaway PostgreSQL cluster (tests/support/postgres.py), one
database per experiment; the simulated experiments run in this process on the same cluster.
Everything listens on 127.0.0.1; progress goes to stderr, the tables to stdout. The exit status
is 1 when an e-mail was lost or delivered twice (but for the doubles a kill -9 explains, shown in
the notes). About 10 minutes on two cores; --quick: about 4.
"""

import argparse
import asyncio
import http.client
import io
import json
import logging
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager, redirect_stderr, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import psycopg  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from network import create_app  # noqa: E402
from network.demo import generate_demo_members  # noqa: E402
from network.extensions import db  # noqa: E402
from network.mail.delivery import deliver_pending, outbox_counts, quota_wait  # noqa: E402
from network.mail.models import OutboxMessage, OutboxStatus, message_id  # noqa: E402
from network.mail.services import Email, queue_emails  # noqa: E402
from network.membership.models import Person, Status  # noqa: E402
from network.renewal.campaign import campaign_dates  # noqa: E402
from network.scheduler.tick import deliver_all, run_tick  # noqa: E402
from tests.support.postgres import free_port, postgres_cluster  # noqa: E402
from tests.support.production import production_env  # noqa: E402

BIN = Path(sys.executable).parent
# Simulated experiments: a Tuesday in March, far from the renewal campaign.
SIMULATED_START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
MEMBERS_FOR_SIGN_IN = 150
NO_LIMIT = "100000 per hour"


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def wait_until(condition, seconds: float, every: float = 0.1) -> bool:
    """Poll `condition` until it holds (True) or `seconds` have passed (False)."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


# --- The SMTP sink: a relay with modes, in a process of its own ------------------------------

MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Modes:
    """What the relay does; every mode off after reset()."""

    def __init__(self):
        self.sessions = set()
        self.reset()

    def reset(self):
        self.latency = 0.0           # seconds before answering each DATA
        self.connect_reply = None    # "421 …" instead of the greeting, then close
        self.hang_at_connect = False  # accept the connection, never greet
        self.data_reply = None       # "451 …" to every DATA
        self.stall_once = 0.0        # seconds between accepting one message and saying so
        self.drop_on = set()         # recipients whose DATA closes the connection, unanswered
        self.hang_on = set()         # recipients whose DATA is never answered
        self.accepted = []           # (time.time(), Message-ID, recipient) of each 250
        self.incidents = Counter()

    def close_sessions(self):
        for session in list(self.sessions):
            if session.transport is not None and not session.transport.is_closing():
                session.transport.close()

    async def handle_DATA(self, server, session, envelope):
        recipients = set(envelope.rcpt_tos)
        if recipients & self.drop_on:
            self.incidents["dropped at DATA"] += 1
            server.transport.close()
            await _forever()  # cancelled as the connection is lost
        if recipients & self.hang_on:
            self.incidents["hung at DATA"] += 1
            await _forever()  # cancelled when the client gives up
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.data_reply:
            self.incidents[self.data_reply[:3]] += 1
            return self.data_reply
        found = MESSAGE_ID.search(envelope.content)
        self.accepted.append((time.time(), found.group(1).decode() if found else None,
                              envelope.rcpt_tos[0]))
        if self.stall_once:
            # The message is the relay's now; the sender does not know it yet.
            stall, self.stall_once = self.stall_once, 0.0
            self.incidents["stalled after accepting"] += 1
            await asyncio.sleep(stall)
        return "250 2.0.0 Accepted"


async def _forever():
    await asyncio.Event().wait()


class _Relay(SMTP):
    """aiosmtpd's server with the connection-level modes."""

    async def _handle_client(self):
        modes = self.event_handler
        modes.sessions.add(self)
        try:
            if modes.hang_at_connect:
                modes.incidents["hung at greeting"] += 1
                await _forever()
            if modes.connect_reply:
                modes.incidents[f"{modes.connect_reply[:3]} at greeting"] += 1
                await self.push(modes.connect_reply)
                self.transport.close()
                return
            await super()._handle_client()
        finally:
            modes.sessions.discard(self)
            if self.transport is not None and not self.transport.is_closing():
                self.transport.close()


def _sink_main(port: int, connection) -> None:
    """The sink's process: an asyncio loop serving SMTP, commands read from a pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops it
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    modes = _Modes()
    listening = {}

    async def listen(on: bool):
        if on and "server" not in listening:
            listening["server"] = await loop.create_server(
                lambda: _Relay(modes, hostname="relais.test", ident="bench relay"),
                "127.0.0.1", port, reuse_address=True)
        elif not on and "server" in listening:
            server = listening.pop("server")
            server.close()
            modes.close_sessions()
            await server.wait_closed()

    async def handle(command: str, args: dict):
        if command == "reset":
            modes.close_sessions()
            modes.reset()
            await listen(True)
        elif command == "set":
            for name, value in args.items():
                setattr(modes, name, set(value) if name in ("drop_on", "hang_on") else value)
        elif command == "listen":
            await listen(args["on"])
        elif command == "drop_sessions":
            modes.close_sessions()
        elif command == "count":
            return len(modes.accepted)
        elif command == "received":
            return list(modes.accepted)
        elif command == "incidents":
            return dict(modes.incidents)
        else:
            raise ValueError(command)

    def control():
        while True:
            try:
                command, args = connection.recv()
            except EOFError:
                break
            if command == "quit":
                break
            future = asyncio.run_coroutine_threadsafe(handle(command, args), loop)
            try:
                connection.send((True, future.result(30)))
            except Exception as error:  # noqa: BLE001 - reported to the parent
                connection.send((False, repr(error)))
        loop.call_soon_threadsafe(loop.stop)

    loop.run_until_complete(listen(True))
    threading.Thread(target=control, daemon=True).start()
    connection.send((True, "ready"))
    loop.run_forever()


class Sink:
    """The parent's side of the sink process."""

    def __init__(self):
        self.port = free_port()
        self.connection, child = multiprocessing.Pipe()
        # Forked before any thread or database connection of this process exists.
        self.process = multiprocessing.get_context("fork").Process(
            target=_sink_main, args=(self.port, child), daemon=True)
        self.process.start()
        self.lock = threading.Lock()
        self._answer()

    def _answer(self):
        if not self.connection.poll(30):
            raise RuntimeError("the SMTP sink does not answer")
        ok, value = self.connection.recv()
        if not ok:
            raise RuntimeError(f"SMTP sink: {value}")
        return value

    def call(self, command: str, **args):
        with self.lock:
            self.connection.send((command, args))
            return self._answer()

    def reset(self, **modes) -> None:
        self.call("reset")
        if modes:
            self.call("set", **modes)

    def set(self, **modes) -> None:
        self.call("set", **modes)

    def count(self) -> int:
        return self.call("count")

    def received(self) -> list:
        return self.call("received")

    def close(self) -> None:
        with suppress(Exception), self.lock:
            self.connection.send(("quit", {}))
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


# --- Databases, the application in this process, the outbox ----------------------------------

class Cluster:
    """Databases of the throwaway cluster: two templates, then one copy per experiment."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.plain = server_url.replace("postgresql+psycopg://", "postgresql://")

    def url(self, name: str) -> str:
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def create(self, name: str, template: str | None = None) -> str:
        with psycopg.connect(self.plain, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"'
                               + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def prepare_templates(self, sink: "Sink") -> None:
        """`bare`: migrated; `members`: with demo people (members to sign in)."""
        for name in ("bare", "members"):
            url = self.create(name)
            app = make_app(url, sink)
            # The migrations configure logging to stderr (alembic.ini): keep it for their lines.
            with app.app_context(), redirect_stderr(io.StringIO()):
                flask_migrate.upgrade()
            with app.app_context():
                if name == "members":
                    generate_demo_members(MEMBERS_FOR_SIGN_IN, datetime.now(UTC),
                                          random.Random(14))
                    db.session.execute(delete(OutboxMessage))
                    db.session.commit()
                db.session.remove()
                db.engine.dispose()

    def database(self, name: str, template: str = "members") -> str:
        return self.create(name, template)


class EventCounter(logging.Handler):
    """Counts the application's log events of this process (their lines stay off stderr)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.events = Counter()

    def emit(self, record):
        self.events[record.getMessage()] += 1


def make_app(url: str, sink: Sink, **config):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "banc-de-fiabilite",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port,
        "MAIL_USE_TLS": False, "MAIL_SUPPRESS_SEND": False, "BASE_URL": "https://reseau.test",
        "OUTBOX_DELIVER_AFTER_REQUEST": False, "RATELIMIT_ENABLED": False, **config})
    logger = logging.getLogger("network")
    # Not to the root logger either (the migrations' logging configuration prints there).
    logger.propagate = False
    for handler in logger.handlers:
        handler.setLevel(logging.ERROR)
    counter = EventCounter()
    logger.addHandler(counter)
    app.extensions["bench_events"] = counter.events
    return app


def queue_messages(count: int, now: datetime, prefix: str,
                   recipient=lambda n: f"destinataire{n}@exemple.fr") -> None:
    """`count` e-mails due from `now`, to stand-in people (as tests/mail/test_reliability.py)."""
    someone = SimpleNamespace(id=None, first_name="Anne", member_since=now, status="exited")
    emails = [Email(f"{prefix}:{n}", recipient(n), "already_member", f"Essai {prefix} {n}",
                    person=someone) for n in range(count)]
    for start in range(0, count, 500):
        queue_emails(emails[start:start + 500], now)
    db.session.commit()


def statuses() -> Counter:
    db.session.expire_all()
    counts = outbox_counts()
    db.session.commit()
    return Counter({str(status): n for status, n in counts.items() if n})


def all_sent() -> bool:
    counts = statuses()
    return sum(counts.values()) > 0 and set(counts) == {OutboxStatus.SENT.value}


def at(app, moment: datetime) -> datetime:
    """The app's real time (utcnow()) is now `moment`."""
    app.config["FROZEN_NOW"] = moment
    return moment


# --- Counting ----------------------------------------------------------------------------------

@dataclass
class Outcome:
    experiment: str
    queued: int = 0
    delivered: int = 0
    lost: int = 0
    doubled: int = 0
    note: str = ""
    notes: list = field(default_factory=list)
    # A known limit shown on purpose (1b): that many doubles are the expected result.
    expected_doubles: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.lost) or self.doubled > self.expected_doubles

    def add(self, text: str) -> None:
        self.notes.append(text)


def tally(outcome: Outcome, app, sink: Sink, expected_failures: set[str] = frozenset()) -> None:
    """Compare the outbox with what the sink accepted, by Message-ID."""
    received = Counter(mid for _, mid, _ in sink.received())
    with app.app_context():
        rows = db.session.execute(select(
            OutboxMessage.id, OutboxMessage.dedup_key, OutboxMessage.status,
            OutboxMessage.recipient, OutboxMessage.template)).all()
        db.session.remove()
    ids = {message_id(row.id, row.dedup_key): row for row in rows}
    outcome.queued = len(rows)
    outcome.delivered = sum(1 for mid in ids if received[mid])
    outcome.doubled = sum(1 for mid in ids if received[mid] > 1)
    outcome.lost = sum(1 for mid, row in ids.items()
                       if not received[mid] and row.recipient not in expected_failures)
    templates = Counter(row.template for row in rows)
    if len(templates) > 1:
        outcome.add("queued: " + ", ".join(f"{n} {TEMPLATES.get(name, name)}"
                                           for name, n in templates.most_common()))
    if more := sum(received[mid] - 2 for mid in ids if received[mid] > 2):
        outcome.add(f"{more} copies beyond the second")
    if doubled := [mid for mid in ids if received[mid] > 1]:
        outcome.add("delivered twice: " + ", ".join(doubled[:5]))
    if unknown := sum(n for mid, n in received.items() if mid not in ids):
        outcome.add(f"{unknown} messages at the sink match no outbox row")
    unrecorded = Counter(row.status for mid, row in ids.items()
                         if received[mid] and row.status != OutboxStatus.SENT)
    if unrecorded:
        outcome.add("accepted by the relay but not recorded as sent: " + ", ".join(
            f"{n} {status}" for status, n in unrecorded.items()))
    sent_not_received = sum(1 for mid, row in ids.items()
                            if row.status == OutboxStatus.SENT and not received[mid])
    if sent_not_received:
        outcome.add(f"{sent_not_received} recorded as sent, never received")
    left = Counter(row.status for mid, row in ids.items()
                   if not received[mid] and row.recipient not in expected_failures)
    if left:
        outcome.add("not delivered: " + ", ".join(f"{n} {status}" for status, n in left.items()))


TEMPLATES = {"already_member": "by the benchmark", "sign_in_link": "sign-in links",
             "renewal_form": "renewal forms (the tick's campaign: today is in its window)"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] if ordered else 0


# --- Processes: `flask scheduler` and gunicorn, with the production settings ------------------

class Processes:
    """Every process started here, stopped (killed if need be) at the end, even on failure."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        path = self.folder / f"{name}-{len(self.started)}.log"
        with open(path, "w") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = path
        self.started.append((process, path))
        return process

    def scheduler(self, env: dict, name: str = "scheduler") -> subprocess.Popen:
        return self.start(name, [str(BIN / "flask"), "scheduler"], env)

    def gunicorn(self, env: dict) -> tuple[subprocess.Popen, int]:
        port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        process = self.start("gunicorn", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                          "wsgi:app"], env)

        def answers():
            try:
                return http_request(port, "GET", "/healthz")[0] in (200, 503)
            except OSError:
                return False
        if not wait_until(answers, 60, 0.2) or process.poll() is not None:
            raise RuntimeError(f"gunicorn did not start:\n{process.log_path.read_text()[-3000:]}")
        return process, port

    @staticmethod
    def stop(process: subprocess.Popen, seconds: float = 60) -> None:
        """SIGTERM, as systemd stops a service; SIGKILL to the group if it is still there."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(seconds)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def cleanup(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                with suppress(subprocess.TimeoutExpired):
                    process.wait(10)


def log_lines(process: subprocess.Popen) -> list[dict]:
    lines = []
    for line in process.log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with suppress(ValueError):
                lines.append(json.loads(line))
    return lines


def at_of(line: dict) -> float:
    return datetime.fromisoformat(line["at"]).timestamp()


def problems_logged(*processes: subprocess.Popen) -> Counter:
    """Warnings and errors of the processes' logs, by event."""
    return Counter(line["event"] for process in processes for line in log_lines(process)
                   if line.get("level") in ("WARNING", "ERROR", "CRITICAL"))


def describe(events: Counter, skip=("mail.relay_failing",)) -> str:
    return ", ".join(f"{event} ×{n}" for event, n in sorted(events.items()) if event not in skip)


# --- HTTP: members asking for a sign-in link ------------------------------------------------

def http_request(port: int, method: str, path: str, cookie: str = "", form: dict | None = None,
                 timeout: float = 60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    # As behind nginx with TLS: Flask-WTF then also checks that forms come from the site.
    headers = {"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{port}{path}"}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in form.items())
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class SignInTraffic:
    """Threads posting the sign-in form for members, one after the other, until stopped."""

    def __init__(self, port: int, emails: list[str], threads: int, pause: float):
        self.port, self.emails, self.pause = port, emails, pause
        self.stop_event = threading.Event()
        self.latencies: list[float] = []
        self.posted: list[tuple[float, str]] = []
        self.errors = Counter()
        self.lock = threading.Lock()
        self.counter = 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> "SignInTraffic":
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(90)

    def take(self) -> list[float]:
        """The latencies measured since the last call."""
        with self.lock:
            taken, self.latencies = self.latencies, []
        return taken

    def _form(self) -> tuple[str, str]:
        status, headers, body = http_request(self.port, "GET", "/connexion")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise RuntimeError(f"GET /connexion: {status}")
        cookie = headers["Set-Cookie"].split(";")[0]
        return cookie, token.group(1).decode()

    def _run(self) -> None:
        try:
            cookie, token = self._form()
        except (OSError, RuntimeError) as error:
            with self.lock:
                self.errors[repr(error)] += 1
            return
        while not self.stop_event.is_set():
            with self.lock:
                email = self.emails[self.counter % len(self.emails)]
                self.counter += 1
            started = time.monotonic()
            try:
                status, _, _ = http_request(self.port, "POST", "/connexion", cookie,
                                            {"csrf_token": token, "email": email})
            except OSError as error:
                status = repr(error)
            took = time.monotonic() - started
            with self.lock:
                if status == 200:
                    self.latencies.append(took)
                    self.posted.append((time.time(), email))
                else:
                    self.errors[str(status)] += 1
            self.stop_event.wait(self.pause)


def member_emails(app) -> list[str]:
    with app.app_context():
        emails = list(db.session.scalars(select(Person.email).where(
            Person.status == Status.MEMBER, Person.email.is_not(None)).order_by(Person.id)))
        db.session.remove()
    return emails


# --- The experiments ----------------------------------------------------------------------------

class Bench:
    def __init__(self, args, cluster: Cluster, sink: Sink, processes: Processes):
        self.args, self.cluster, self.sink, self.processes = args, cluster, sink, processes

    def n(self, default: int, quick: int) -> int:
        return quick if self.args.quick else default

    def env(self, url: str, **settings) -> dict:
        variables = {f"FLASK_{name}" if not name.startswith("GUNICORN_") else name: str(value)
                     for name, value in settings.items()}
        return production_env(url, self.sink.port, **variables)

    def fresh(self, name: str, template: str = "members", **config):
        url = self.cluster.database(name, template)
        return url, make_app(url, self.sink, **config)

    # 1 -----------------------------------------------------------------------------------------
    def kill_scheduler(self) -> Outcome:
        count, kills = self.n(300, 100), self.args.kills
        outcome = Outcome(f"1. kill -9 of `flask scheduler` mid-batch ×{kills}, then a new one")
        url, app = self.fresh("kill", "bare")
        self.sink.reset(latency=0.1)
        with app.app_context():
            queue_messages(count, datetime.now(UTC) - timedelta(seconds=1), "kill")
        # A batch of 10 with MAIL_TIMEOUT 1 s: a claim of 10 s (production: 100 × 10 s), so that
        # the claims the dead scheduler left are taken back within the benchmark's time.
        env = self.env(url, SCHEDULER_TICK_SECONDS=2, OUTBOX_POLL_SECONDS=1,
                       OUTBOX_BATCH_SIZE=10, MAIL_TIMEOUT=1, OUTBOX_LEASE_SECONDS=5)
        started = time.monotonic()
        scheduler = self.processes.scheduler(env)
        killed = []
        for k in range(kills):
            threshold = count * (k + 1) // (kills + 1) + random.randint(-5, 5)
            if not wait_until(lambda t=threshold: self.sink.count() >= t, 120, 0.02):
                outcome.add(f"kill {k + 1}: the sink never reached {threshold}")
                break
            # At a moment unrelated to the relay's answers (the threshold is one): anywhere in
            # the time a message takes.
            time.sleep(random.uniform(0, 0.1))
            kill_at = time.time()
            os.kill(scheduler.pid, signal.SIGKILL)
            scheduler.wait(10)
            with app.app_context():
                claimed = statuses()[OutboxStatus.SENDING.value]
            killed.append((self.sink.count(), claimed, kill_at))
            log(f"kill -9 after {killed[-1][0]} accepted; {claimed} left claimed")
            scheduler = self.processes.scheduler(env)
        with app.app_context():
            done = wait_until(all_sent, 240, 0.5)
        took = time.monotonic() - started
        self.processes.stop(scheduler)
        tally(outcome, app, self.sink)
        notes, outcome.expected_doubles = explain_doubles(self.sink.received(),
                                                          [t for _, _, t in killed])
        outcome.notes[:0] = notes
        outcome.note = (f"relay 0.1 s/message; killed after "
                        f"{', '.join(str(a) for a, _, _ in killed)} accepted, leaving "
                        f"{', '.join(str(c) for _, c, _ in killed)} claimed; "
                        f"claims taken back after their lease (batch 10 × MAIL_TIMEOUT 1 s = "
                        f"10 s); all sent {took:.0f} s after the start"
                        + ("" if done else " (**not all sent**)"))
        return outcome

    def kill_in_the_window(self) -> Outcome:
        """The worst moment for a kill, forced: the relay has accepted a message, the sender has
        not heard it yet. SMTP has no idempotency: that one message goes again."""
        count = 40
        outcome = Outcome("1b. kill -9 forced between the relay's acceptance and the commit "
                          "(known limit)", expected_doubles=1)
        url, app = self.fresh("kill_window", "bare")
        self.sink.reset(latency=0.05)
        with app.app_context():
            queue_messages(count, datetime.now(UTC) - timedelta(seconds=1), "window")
        env = self.env(url, SCHEDULER_TICK_SECONDS=2, OUTBOX_POLL_SECONDS=1,
                       OUTBOX_BATCH_SIZE=5, MAIL_TIMEOUT=3, OUTBOX_LEASE_SECONDS=5)
        scheduler = self.processes.scheduler(env)
        wait_until(lambda: self.sink.count() >= count // 4, 60, 0.02)
        self.sink.set(stall_once=2.0)
        stalled = wait_until(lambda: self.sink.call("incidents").get(
            "stalled after accepting"), 30, 0.01)
        os.kill(scheduler.pid, signal.SIGKILL)
        scheduler.wait(10)
        scheduler = self.processes.scheduler(env)
        with app.app_context():
            done = wait_until(all_sent, 120, 0.5)
        self.processes.stop(scheduler)
        tally(outcome, app, self.sink)
        outcome.note = ("the relay held its 250 for 2 s after taking the message; killed then"
                        + ("" if stalled else " (**the stall never came**)")
                        + "; the new scheduler sent that message again once the dead one's "
                        "claim ran out: SMTP has no idempotency, the copy is recognisable by its "
                        "Message-ID"
                        + ("" if done else " (**not all sent**)"))
        return outcome

    # 2 -----------------------------------------------------------------------------------------
    def long_tick(self) -> Outcome:
        count = self.n(200, 60)
        outcome = Outcome("2. tick longer than OUTBOX_LEASE_SECONDS (5 s), sign-ins on gunicorn")
        url, app = self.fresh("long_tick")
        emails = member_emails(app)
        self.sink.reset(latency=0.35)
        with app.app_context():
            queue_messages(count, datetime.now(UTC) - timedelta(seconds=1), "long")
        port = free_port()
        # The claim: max(OUTBOX_LEASE_SECONDS, batch × MAIL_TIMEOUT) = 5 s, renewed as it goes.
        env = self.env(url, OUTBOX_LEASE_SECONDS=5, MAIL_TIMEOUT=1, OUTBOX_BATCH_SIZE=5,
                       SCHEDULER_TICK_SECONDS=2, SIGN_IN_RATE_LIMIT_PER_IP=NO_LIMIT,
                       SIGN_IN_RATE_LIMIT_PER_ADDRESS=NO_LIMIT, GUNICORN_BIND=f"127.0.0.1:{port}")
        server, port = self.processes.gunicorn(env)
        scheduler = self.processes.scheduler(env)
        traffic = SignInTraffic(port, emails, threads=1, pause=0.7).start()
        try:
            with app.app_context():
                wait_until(lambda: statuses()[OutboxStatus.PENDING.value] < count // 10, 300, 0.5)
        finally:
            traffic.stop()
        with app.app_context():
            done = wait_until(all_sent, 120, 0.5)
        self.processes.stop(scheduler)
        self.processes.stop(server)
        tally(outcome, app, self.sink)
        ticks = [line for line in log_lines(scheduler) if line["event"] == "job.done"]
        longest = max((line.get("ms", 0) for line in ticks), default=0) / 1000
        latencies = [*traffic.latencies]
        arrival = sign_in_delays(traffic.posted, self.sink.received())
        outcome.note = (f"relay 0.35 s/message, claim 5 s; longest tick {longest:.0f} s; "
                        f"{len(latencies)} sign-ins during it (POST p95 "
                        f"{percentile(latencies, 0.95) * 1000:.0f} ms), their e-mail at the sink "
                        f"after {percentile(arrival, 0.5):.1f} s (median), "
                        f"{max(arrival, default=0):.1f} s at most"
                        + ("" if done else " (**not all sent**)"))
        if traffic.errors:
            outcome.add(f"sign-in errors: {dict(traffic.errors)}")
        if events := describe(problems_logged(scheduler, server)):
            outcome.add(f"logged: {events}")
        return outcome

    # 3 -----------------------------------------------------------------------------------------
    def outage(self, label: str, kind: str, step: timedelta, duration: timedelta) -> Outcome:
        count = self.n(50, 20)
        outcome = Outcome(f"3. {label}")
        _, app = self.fresh(f"outage_{kind}_{int(duration.total_seconds())}", "bare")
        self.sink.reset()
        client = app.test_client()
        moment = at(app, SIMULATED_START)
        with app.app_context():
            queue_messages(count, moment, "outage")
            if kind == "refused":
                self.sink.call("listen", on=False)
            elif kind == "421":
                self.sink.set(connect_reply="421 4.3.2 Service not available, closing channel")
            else:
                self.sink.set(data_reply="451 4.7.500 Server busy, try again later")
            alert_at = worst_failed = worst_attempts = 0
            ticks = 0
            while moment <= SIMULATED_START + duration:
                run_tick(at(app, moment))
                ticks += 1
                counts = statuses()
                worst_failed = max(worst_failed, counts[OutboxStatus.FAILED.value])
                worst_attempts = max(worst_attempts, db.session.scalar(
                    select(func.max(OutboxMessage.attempts))))
                health = client.get("/healthz")
                if not alert_at and health.json["status"] == "smtp_failing":
                    alert_at = moment - SIMULATED_START
                moment += step
            if kind == "refused":
                self.sink.call("listen", on=True)
            else:
                self.sink.set(connect_reply=None, data_reply=None)
            # The relay is back from `back` on; a tick a minute until everything has left.
            back = last = moment
            while not all_sent() and moment <= back + timedelta(hours=12):
                run_tick(at(app, moment))
                last = moment
                moment += timedelta(minutes=1)
            health = client.get("/healthz").json["status"]
            db.session.remove()
        tally(outcome, app, self.sink)
        spent = ("no attempt spent" if worst_attempts == 0
                 else f"up to {worst_attempts} attempts spent (per-message 4xx)")
        outcome.note = (f"{ticks} ticks over {hours(duration)}, {spent}, "
                        f"{worst_failed} failed; /healthz smtp_failing "
                        + (f"from +{hours(alert_at)}" if alert_at else "never")
                        + f"; all sent by the tick {hours(last - back)} after the relay came "
                        f"back (a tick a minute), /healthz then {health}")
        return outcome

    # 4 -----------------------------------------------------------------------------------------
    def poison(self, mode: str) -> Outcome:
        count, poison = 100, "poison@exemple.fr"
        outcome = Outcome(f"4. poison message among 100 ({mode} on its DATA)")
        # MAIL_TIMEOUT 1 s: a message left hanging costs a second, not ten.
        _, app = self.fresh(f"poison_{mode}", "bare", MAIL_TIMEOUT=1.0)
        self.sink.reset(**{"drop_on" if mode == "connection dropped" else "hang_on": [poison]})
        moment = at(app, SIMULATED_START)
        with app.app_context():
            queue_messages(count, moment, "poison",
                           lambda n: poison if n == 10 else f"destinataire{n}@exemple.fr")
            first = deliver_pending(now=moment, limit=count)
            first_pass = self.sink.count()
            passes = 1
            row = lambda: db.session.execute(select(  # noqa: E731
                OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.connection_drops,
                OutboxMessage.next_attempt_at).where(OutboxMessage.recipient == poison)).one()
            db.session.expire_all()
            while row().status == OutboxStatus.PENDING and passes < 20:
                moment = at(app, max(moment + timedelta(minutes=1), row().next_attempt_at))
                deliver_pending(now=moment)
                db.session.expire_all()
                passes += 1
            final = row()
            others = Counter((r.status, r.connection_drops) for r in db.session.execute(select(
                OutboxMessage.status, OutboxMessage.connection_drops).where(
                OutboxMessage.recipient != poison)))
            db.session.remove()
        tally(outcome, app, self.sink, expected_failures={poison})
        outcome.note = (f"{first_pass} delivered in the first pass ({first.sent} sent, "
                        f"{first.retried} to retry); the poison {final.status} after {passes} "
                        f"passes ({final.connection_drops} drops, {final.attempts} attempts); "
                        f"no drop charged to another: {others == Counter({('sent', 0): 99})}")
        if final.status != OutboxStatus.FAILED or first_pass != count - 1:
            outcome.add("**the poison was not isolated as expected**")
        return outcome

    def relay_failing_at_data(self, mode: str) -> Outcome:
        """Beyond the issue's list: the relay takes the connection and the envelope, then fails
        every message at DATA (left hanging, or the connection dropped), for half an hour."""
        count, timeout = 10, 0.5
        outcome = Outcome(f"X. relay {mode} at the DATA of every message for 30 min")
        _, app = self.fresh(f"data_{mode.split()[0]}", "bare", MAIL_TIMEOUT=timeout)
        recipients = [f"destinataire{n}@exemple.fr" for n in range(count)]
        self.sink.reset(**{"hang_on" if "hang" in mode else "drop_on": recipients})
        client = app.test_client()
        moment = at(app, SIMULATED_START)
        with app.app_context():
            queue_messages(count, moment, "data")
            all_failed_at, alerts = None, set()
            for minute in range(31):
                run_tick(at(app, SIMULATED_START + timedelta(minutes=minute)))
                alerts.add(client.get("/healthz").json["status"])
                if all_failed_at is None and statuses()[OutboxStatus.FAILED.value] == count:
                    all_failed_at = minute
            self.sink.set(hang_on=[], drop_on=[])
            for minute in range(31, 61):
                run_tick(at(app, SIMULATED_START + timedelta(minutes=minute)))
            final = statuses()
            db.session.remove()
        tally(outcome, app, self.sink)
        outcome.note = (f"MAIL_TIMEOUT {timeout} s, a tick a minute, then 30 min with the relay "
                        f"well: {describe(final) or 'nothing left'}"
                        + (f"; every message failed for good by minute {all_failed_at}, each "
                           f"charged one connection drop a pass as if it were a poison"
                           if all_failed_at is not None else "")
                        + f"; /healthz said {', '.join(sorted(alerts))} meanwhile")
        return outcome

    def slow_answer_after_a_request(self) -> Outcome:
        """Beyond the issue's list: a relay that takes a message, then answers its DATA after
        more than the web budget left (a slow relay); the request's worker stops waiting."""
        outcome = Outcome("X. a sign-in e-mail through a relay that answers its DATA 3 s after "
                          "taking it, web budget 2 s")
        _, app = self.fresh("slow_answer", OUTBOX_DELIVER_AFTER_REQUEST=True,
                            WTF_CSRF_ENABLED=False)
        email = member_emails(app)[0]
        self.sink.reset(stall_once=3.0)
        started = time.monotonic()
        # The request in an app context of its own, as a worker serves it; closing the
        # response runs the delivery after it (network.register_outbox_delivery).
        response = app.test_client().post("/connexion", data={"email": email})
        response.close()
        worker = time.monotonic() - started
        with app.app_context():
            after = db.session.execute(select(
                OutboxMessage.status, OutboxMessage.connection_drops)).one()
            # The scheduler's next pass, once the message's retry is due.
            deliver_pending(now=datetime.now(UTC) + timedelta(minutes=2))
            db.session.remove()
        tally(outcome, app, self.sink)
        outcome.note = (f"POST {response.status_code}; the worker gave up after {worker:.1f} s "
                        f"with the message taken by the relay: left {after.status} with "
                        f"{after.connection_drops} connection drop charged, then the scheduler "
                        f"sent it again")
        return outcome

    # 5 -----------------------------------------------------------------------------------------
    def hanging_relay(self) -> Outcome:
        hang_seconds = self.n(30, 12)
        outcome = Outcome("5. hanging relay (no greeting) with sign-ins on gunicorn")
        url, app = self.fresh("hanging")
        emails = member_emails(app)
        self.sink.reset()
        port = free_port()
        env = self.env(url, MAIL_TIMEOUT=10, GUNICORN_WORKERS=2,
                       SIGN_IN_RATE_LIMIT_PER_IP=NO_LIMIT, SIGN_IN_RATE_LIMIT_PER_ADDRESS=NO_LIMIT,
                       GUNICORN_BIND=f"127.0.0.1:{port}")
        server, port = self.processes.gunicorn(env)
        scheduler = self.processes.scheduler(env)
        traffic = SignInTraffic(port, emails, threads=2, pause=0.2).start()
        try:
            time.sleep(self.n(10, 5))
            healthy = traffic.take()
            log(f"relay hanging for {hang_seconds} s")
            self.sink.set(hang_at_connect=True)
            time.sleep(hang_seconds)
            hanging = traffic.take()
        finally:
            traffic.stop()
        self.sink.set(hang_at_connect=False)
        self.sink.call("drop_sessions")
        recovered = time.time()
        log("relay back")
        with app.app_context():
            done = wait_until(all_sent, 300, 0.5)
        last = max((t for t, _, _ in self.sink.received()), default=recovered)
        self.processes.stop(scheduler)
        self.processes.stop(server)
        tally(outcome, app, self.sink)
        incidents = self.sink.call("incidents")
        outcome.note = (
            f"MAIL_TIMEOUT 10 s, web budget 2 s; {len(hanging)} sign-in POSTs while it hung: "
            f"p95 {percentile(hanging, 0.95) * 1000:.0f} ms, "
            f"max {max(hanging, default=0) * 1000:.0f} ms (relay well: {len(healthy)} POSTs, "
            f"p95 {percentile(healthy, 0.95) * 1000:.0f} ms)"
            f"; {incidents.get('hung at greeting', 0)} connections left hanging; the last e-mail "
            f"left {last - recovered:.0f} s after the relay came back"
            + ("" if done else " (**not all sent**)"))
        if traffic.errors:
            outcome.add(f"sign-in errors: {dict(traffic.errors)}")
        if events := describe(problems_logged(scheduler, server)):
            outcome.add(f"logged: {events}")
        return outcome

    # 6 -----------------------------------------------------------------------------------------
    def two_schedulers(self) -> Outcome:
        count = self.n(300, 100)
        outcome = Outcome("6. two `flask scheduler` processes at once")
        url, app = self.fresh("two", "bare")
        self.sink.reset(latency=0.05)
        with app.app_context():
            queue_messages(count, datetime.now(UTC) - timedelta(seconds=1), "two")
        # A tick every second: the scheduler's lease (3 ticks) is over long before a batch of
        # 100 at 0.05 s a message is: the lease changes hands in the middle of ticks.
        env = self.env(url, SCHEDULER_TICK_SECONDS=1, OUTBOX_POLL_SECONDS=1)
        first, second = self.processes.scheduler(env), self.processes.scheduler(env)
        with app.app_context():
            done = wait_until(all_sent, 180, 0.5)
        time.sleep(2)
        for process in (first, second):
            self.processes.stop(process)
        tally(outcome, app, self.sink)
        ticks = [sum(1 for line in log_lines(p) if line["event"] == "job.done")
                 for p in (first, second)]
        problems = problems_logged(first, second)
        outcome.note = (f"relay 0.05 s/message, tick 1 s (lease 3 s, shorter than a batch); "
                        f"ticks done: {ticks[0]} and {ticks[1]}; lease lost mid-tick "
                        f"{problems['scheduler.lease_lost']} times, claims lost "
                        f"{problems['mail.claim_lost']}"
                        + ("" if done else " (**not all sent**)"))
        if events := describe(problems, skip=("scheduler.lease_lost", "mail.claim_lost")):
            outcome.add(f"logged: {events}")
        return outcome

    # 7 -----------------------------------------------------------------------------------------
    def graceful_restart(self, overlap: bool) -> Outcome:
        count = self.n(200, 60)
        label = ("a new one started at once, while the old one finishes its tick" if overlap
                 else "the new one started once the old one has stopped (systemctl restart)")
        outcome = Outcome(f"7. graceful restart (SIGTERM): {label}")
        url, app = self.fresh("restart_overlap" if overlap else "restart", "bare")
        self.sink.reset(latency=0.05)
        with app.app_context():
            queue_messages(count, datetime.now(UTC) - timedelta(seconds=1), "restart")
        # The production interval: a minute between ticks, a lease of three.
        env = self.env(url, SCHEDULER_TICK_SECONDS=60)
        old = self.processes.scheduler(env, "old")
        wait_until(lambda: self.sink.count() >= count // 4, 60, 0.02)
        old.send_signal(signal.SIGTERM)
        signalled = time.time()
        new = None
        if overlap:
            new = self.processes.scheduler(env, "new")
        try:
            old.wait(120)
        except subprocess.TimeoutExpired:
            outcome.add("**the old scheduler did not stop within 120 s**")
        stopped = time.time()
        if not overlap:
            new = self.processes.scheduler(env, "new")
        with app.app_context():
            queue_messages(count // 10, datetime.now(UTC) - timedelta(seconds=1), "after")

        def new_ticked():
            return any(line["event"] == "job.done" for line in log_lines(new))
        ticked = wait_until(new_ticked, 150, 0.2)
        with app.app_context():
            done = wait_until(all_sent, 60, 0.5)
        self.processes.stop(new)
        tally(outcome, app, self.sink)
        old_events = log_lines(old)
        old_ticks = [at_of(line) for line in old_events if line["event"] == "job.done"]
        new_ticks = [at_of(line) for line in log_lines(new) if line["event"] == "job.done"]
        released = any(line["event"] == "scheduler.lease_released" for line in old_events)
        if old_ticks and new_ticks:
            gap = f"{new_ticks[0] - old_ticks[-1]:.1f} s"
        else:
            gap = "no tick" if not ticked else "?"
        outcome.note = (f"tick every 60 s; the old one stopped {stopped - signalled:.1f} s after "
                        f"SIGTERM (its tick finished, lease released: {released}, exit "
                        f"{old.returncode}); gap between its last tick and the new one's first: "
                        f"**{gap}**" + ("" if done else " (**not all sent**)"))
        if events := describe(problems_logged(old, new)):
            outcome.add(f"logged: {events}")
        return outcome

    # Figures ----------------------------------------------------------------------------------
    def delivery_rate(self) -> str:
        count = self.n(200, 50)
        _, app = self.fresh("rate", "bare")
        self.sink.reset(latency=0.1)
        with app.app_context():
            queue_messages(count, datetime.now(UTC) - timedelta(seconds=1), "rate")
            started = time.perf_counter()
            sent = 0
            for _ in range(count):
                report = deliver_all(datetime.now(UTC))
                sent += report.sent
                if sent >= count or not report.sent:
                    break
            seconds = time.perf_counter() - started
            db.session.remove()
        outcome = Outcome("rate")
        tally(outcome, app, self.sink)
        self.figure_checks.append(("delivery rate", outcome))
        return (f"{sent / seconds:.1f} messages/s ({sent} messages in {seconds:.1f} s, one "
                f"connection, one sender; the relay's 0.1 s is {0.1 * sent / seconds:.0%} of it)")

    def campaign(self) -> tuple[str, str]:
        members = self.n(10_000, 1000)
        url = self.cluster.database("campaign", "bare")
        app = make_app(url, self.sink, MAIL_RATE_PER_MINUTE=30)
        self.sink.reset()
        with app.app_context():
            opens, _ = campaign_dates(2026)
            log(f"campaign: {members} members")
            generate_demo_members(math.ceil(members / 0.82), datetime(2026, 11, 1, tzinfo=UTC),
                                  random.Random(2019))
            db.session.execute(delete(OutboxMessage))
            db.session.commit()
            started = time.perf_counter()
            moment = opens
            run_tick(at(app, moment))
            queued = sum(statuses().values())
            estimate = quota_wait(queued)
            last_sent = moment
            ticks = 1
            while not all_sent() and ticks < 2 * queued // 30 + 60:
                moment += timedelta(minutes=1)
                report = run_tick(at(app, moment))
                ticks += 1
                if report.delivery.sent:
                    last_sent = moment
                if ticks % 60 == 0:
                    log(f"campaign: {hours(moment - opens)} simulated, "
                        f"{self.sink.count()} sent")
            seconds = time.perf_counter() - started
            db.session.remove()
        outcome = Outcome("campaign")
        tally(outcome, app, self.sink)
        self.figure_checks.append(("campaign", outcome))
        # The tick at `last_sent` sent the last ones: the campaign took until the end of it.
        duration = last_sent - opens + timedelta(minutes=1)
        return (f"{hours(duration)} simulated ({queued} e-mails to {members} members, 30 a "
                f"minute, one tick a minute; the campaign page's estimate, quota_wait: "
                f"{hours(estimate)})",
                f"{seconds:.0f} s of real time for {ticks} ticks")


def explain_doubles(received: list, kills: list[float]) -> tuple[list[str], int]:
    """For each message accepted twice: its first copy against the nearest kill. A kill while
    the relay takes a message, before its sender has recorded it, sends that message again.
    Returns the notes and how many doubles a kill explains."""
    copies: dict[str, list[float]] = {}
    for moment, mid, _ in received:
        copies.setdefault(mid, []).append(moment)
    notes, explained = [], 0
    for mid, times in copies.items():
        if len(times) < 2:
            continue
        first, second = sorted(times)[:2]
        n, kill = min(enumerate(kills, 1), key=lambda pair: abs(pair[1] - first),
                      default=(0, None))
        if kill is not None and abs(first - kill) < 0.5:
            explained += 1
            when = (f"{(first - kill) * 1000:.0f} ms after" if first >= kill
                    else f"{(kill - first) * 1000:.0f} ms before")
            notes.append(f"{mid}: its first copy was accepted by the relay {when} kill {n}, as "
                         f"the killed process's connection was still open (its sockets close "
                         f"as the kernel tears it down): the row stayed claimed, not sent, and "
                         f"the next scheduler sent it again {second - kill:.0f} s after the "
                         f"kill, once the claim ran out")
        else:
            notes.append(f"{mid}: **two copies {second - first:.1f} s apart with no kill "
                         f"near the first**")
    return notes, explained


def hours(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes % 60 == 0 and minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} days"
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} h"


def sign_in_delays(posted: list[tuple[float, str]], received: list) -> list[float]:
    """Seconds from each sign-in POST to its e-mail's arrival at the sink (the first one for
    that address after the POST)."""
    arrivals: dict[str, list[float]] = {}
    for moment, _, recipient in received:
        arrivals.setdefault(recipient, []).append(moment)
    delays = []
    for moment, email in posted:
        later = [t for t in arrivals.get(email, []) if t >= moment - 0.5]
        if later:
            delays.append(min(later) - moment)
    return delays


@contextmanager
def sink_process():
    sink = Sink()
    try:
        yield sink
    finally:
        sink.close()


EXPERIMENTS = ["1", "2", "3", "4", "5", "6", "7", "extra", "rate", "campaign"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (about 3 minutes)")
    parser.add_argument("--only", default=",".join(EXPERIMENTS),
                        help=f"comma-separated, among {', '.join(EXPERIMENTS)}")
    parser.add_argument("--kills", type=int, default=None,
                        help="kill -9 of experiment 1 (default 3, --quick 1)")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the processes' logs (their folder is printed on stderr)")
    args = parser.parse_args()
    if args.kills is None:
        args.kills = 1 if args.quick else 3
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := set(chosen) - set(EXPERIMENTS):
        parser.error(f"unknown experiments: {', '.join(sorted(unknown))}")
    for name in list(os.environ):
        # This process's app takes its settings from create_app, not from the shell.
        if name.startswith("FLASK_") or name == "NETWORK_CONFIG":
            del os.environ[name]

    folder = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    processes = Processes(folder)
    outcomes, figures = [], []
    started = time.perf_counter()
    try:
        with sink_process() as sink, postgres_cluster() as server:
            cluster = Cluster(server)
            log("databases: migrating the templates")
            cluster.prepare_templates(sink)
            bench = Bench(args, cluster, sink, processes)
            bench.figure_checks = []
            steps = {
                "1": [bench.kill_scheduler, bench.kill_in_the_window],
                "2": [bench.long_tick],
                "3": [lambda: bench.outage("relay refusing connections for 2 hours", "refused",
                                           timedelta(minutes=10), timedelta(hours=2)),
                      lambda: bench.outage("relay refusing connections for 2 days", "refused",
                                           timedelta(hours=1), timedelta(days=2)),
                      lambda: bench.outage("relay greeting with 421 for 1 hour", "421",
                                           timedelta(minutes=10), timedelta(hours=1)),
                      lambda: bench.outage("relay answering 451 to every message for 2 hours",
                                           "451", timedelta(minutes=10), timedelta(hours=2))],
                "4": [lambda: bench.poison("connection dropped"),
                      lambda: bench.poison("connection left hanging")],
                "5": [bench.hanging_relay],
                "6": [bench.two_schedulers],
                "7": [lambda: bench.graceful_restart(overlap=False),
                      lambda: bench.graceful_restart(overlap=True)],
                "extra": [lambda: bench.relay_failing_at_data("leaving the connection hanging"),
                          lambda: bench.relay_failing_at_data("dropping the connection"),
                          bench.slow_answer_after_a_request],
            }
            for name in chosen:
                if name == "rate":
                    log("figure: delivery rate through a relay at 100 ms a message")
                    figures.append(("Delivery rate through a relay at 100 ms a message",
                                    bench.delivery_rate()))
                elif name == "campaign":
                    log("figure: renewal campaign under 30 messages a minute")
                    simulated, real = bench.campaign()
                    figures.append(("Renewal campaign under MAIL_RATE_PER_MINUTE=30", simulated))
                    figures.append(("… time the simulation took", real))
                else:
                    for step in steps[name]:
                        step_started = time.perf_counter()
                        outcome = step()
                        log(f"{outcome.experiment}: {outcome.delivered}/{outcome.queued} "
                            f"delivered, {outcome.lost} lost, {outcome.doubled} doubled "
                            f"({time.perf_counter() - step_started:.0f} s)")
                        outcomes.append(outcome)
            checks = bench.figure_checks
    finally:
        processes.cleanup()
        if args.keep_logs:
            log(f"the processes' logs: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"Reliability of e-mail delivery: {os.cpu_count()} cores, PostgreSQL, "
          f"NETWORK_CONFIG=production for the processes"
          f"{' (--quick)' if args.quick else ''}; {time.perf_counter() - started:.0f} s in all.\n")
    listed = [o for o in outcomes if not o.experiment.startswith("X.")]
    extras = [o for o in outcomes if o.experiment.startswith("X.")]
    for title, rows in (("", listed), ("\nBeyond the issue's list:\n", extras)):
        if not rows:
            continue
        print(f"{title}| experiment | queued | delivered | lost | delivered twice | note |")
        print("|---|---|---|---|---|---|")
        for outcome in rows:
            note = "; ".join([outcome.note, *outcome.notes]).replace("|", "/")
            print(f"| {outcome.experiment.removeprefix('X. ')} | {outcome.queued} | "
                  f"{outcome.delivered} | {outcome.lost} | {outcome.doubled} | {note} |")
    if figures:
        print("\n| figure | value |\n|---|---|")
        for name, value in figures:
            print(f"| {name} | {value} |")
    bad = [o for o in outcomes if o.failed] + [o for _, o in checks if o.failed]
    for name, outcome in checks:
        if outcome.failed:
            print(f"\n{name}: {outcome.lost} lost, {outcome.doubled} delivered twice "
                  f"({'; '.join(outcome.notes)})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
