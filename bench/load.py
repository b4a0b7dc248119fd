"""Load benchmark: the main pages served as in production, against the server's own ceiling.

    .venv/bin/python bench/load.py [--members 10000 --events 300 --resources 3000 --clients 8
                                    --duration 20] [--skip-renewal]

Starts a throwaway PostgreSQL cluster (as the tests do), fills it with `flask demo` (members,
the network's calendar plus --events events, --resources resources), creates an admin with
`flask admin create`, and serves the application with gunicorn and deploy/gunicorn.conf.py
(2 workers, NETWORK_CONFIG=production), through bench/ceiling.py, which adds one path answered
with a fixed string: the ceiling. A second process (wrk, or Python threads when wrk is missing)
then loads each page with --clients concurrent connections for --duration seconds. The member
space is visited with the session of a member who followed a sign-in link; the back-office with
the session of the admin signed in through the form.

Prints, for each page, requests/s, p50/p95/p99 latencies, the ratio to the ceiling, the SQL
statements it runs (counted in this process, with the same settings and database) and whether
it meets the target: at least a quarter of the ceiling's rate and p95 under 100 ms. Then the
time of the back-office CSV export of every person, and the renewal benchmark (bench/renewal.py)
on a database of its own in the same cluster. The machine is shared by the server, PostgreSQL
and the load generator, as it would be by nginx and PostgreSQL in production: run nothing else
meanwhile.
"""

import argparse
import http.client
import json
import logging
import math
import multiprocessing
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench import renewal  # noqa: E402
from network import create_app  # noqa: E402
from network.events.models import Event, Registration  # noqa: E402
from network.extensions import db, utcnow  # noqa: E402
from network.mail.models import OutboxMessage  # noqa: E402
from network.members_space.services import request_sign_in_link  # noqa: E402
from network.membership.models import Person, Status  # noqa: E402
from network.resources.models import Resource  # noqa: E402
from tests.support.postgres import create_database, free_port, postgres_cluster  # noqa: E402
from tests.support.production import production_env  # noqa: E402
from tests.support.queries import count_queries  # noqa: E402

BIN = Path(sys.executable).parent
CEILING_PATH = "/_bench/plafond"  # bench/ceiling.py
SEARCHED_WORD = "télétravail"
ADMIN_EMAIL, ADMIN_PASSWORD = "banc-de-charge@exemple.fr", secrets.token_urlsafe(16)
# (label, path, session): the pages a visitor, an admin and a member open most.
PAGES = [
    ("ceiling: trivial Flask route, same gunicorn", CEILING_PATH, None),
    ("/", "/", None),
    ("/evenements", "/evenements", None),
    (f"/ressources?q={SEARCHED_WORD}", f"/ressources?q={quote(SEARCHED_WORD)}", None),
    # A name typed in the search box, among the members of Haute-Garonne.
    ("/admin/membres?q=martin&statut=member&departement=31",
     "/admin/membres?q=martin&statut=member&departement=31", "admin"),
    ("/espace", "/espace", "member"),
]
TARGET_SHARE, TARGET_P95_MS = 0.25, 100


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# --- The site -------------------------------------------------------------------------------

def flask_cli(env: dict, *args: str, stdin: str | None = None) -> None:
    result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, input=stdin,
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


@contextmanager
def gunicorn(env: dict, log_path: Path):
    """The production server, as `make serve-prod` runs it, with bench/ceiling.py's path."""
    with open(log_path, "w") as log_file:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "bench.ceiling:app"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    host, port = env["GUNICORN_BIND"].split(":")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, CEILING_PATH)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start:\n{log_path.read_text()}") from None
                time.sleep(0.2)
        yield int(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def request(port: int, method: str, path: str, cookie: str | None = None,
            form: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
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


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    status, _, body = request(port, "GET", path, cookie)
    return status, body


def session_cookie(headers: http.client.HTTPMessage) -> str:
    for header in headers.get_all("Set-Cookie") or []:
        if match := re.match(r"session=([^;]*)", header):
            return match.group(1)
    raise SystemExit("no session cookie in the response")


def submit_form(port: int, path: str, fields: dict) -> str:
    """Open a form, post it back with its CSRF token as a browser would; the session after."""
    status, headers, body = request(port, "GET", path)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise SystemExit(f"GET {path}: {status}, no form")
    status, headers, _ = request(port, "POST", path, session_cookie(headers),
                                 {**fields, "csrf_token": token.group(1).decode()})
    if status != 302:
        raise SystemExit(f"POST {path}: {status} instead of a redirect")
    return session_cookie(headers)


def member_session(app, port: int) -> str:
    """A member asks for a sign-in link (the app's service) and follows the link it mails."""
    with app.app_context():
        member = db.session.scalar(select(Person).where(Person.status == Status.MEMBER)
                                   .order_by(Person.id))
        request_sign_in_link(member.email, utcnow())
        db.session.commit()
        mail = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.person_id == member.id, OutboxMessage.template == "sign_in_link")
            .order_by(OutboxMessage.id.desc()))
    link = re.search(r"https?://[^/\s]+(/connexion/\S+)", mail.body_text).group(1)
    return submit_form(port, link, {})


def admin_session(port: int) -> str:
    return submit_form(port, "/admin/connexion",
                       {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})


@contextmanager
def environment(values: dict):
    """create_app reads NETWORK_CONFIG and FLASK_* from the environment."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- The load -------------------------------------------------------------------------------

def run_wrk(port: int, path: str, cookie: str | None, clients: int, seconds: int) -> dict:
    # One thread is plenty for wrk at these rates, and leaves more of the machine to the server.
    command = ["wrk", "-t", "1", "-c", str(clients), "-d", f"{seconds}s",
               "--timeout", "10s", "-s", str(ROOT / "bench" / "load.lua")]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                            text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return {"rps": figures["requests"] / (figures["duration_us"] / 1e6),
            "p50": figures["p50"] / 1000, "p95": figures["p95"] / 1000,
            "p99": figures["p99"] / 1000, "requests": figures["requests"],
            "errors": figures["socket_errors"] + figures["http_errors"]}


def run_threads(port: int, path: str, cookie: str | None, clients: int, seconds: int) -> dict:
    """The same measure without wrk: one thread per client, each waiting for its answer."""
    latencies, errors, lock = [], [0], threading.Lock()
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, failed = [], 0
        while (started := time.perf_counter()) < deadline:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                continue
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, math.ceil(share * len(latencies)) - 1)] * 1000

    return {"rps": len(latencies) / elapsed, "p50": percentile(0.50), "p95": percentile(0.95),
            "p99": percentile(0.99), "requests": len(latencies), "errors": errors[0]}


def time_export(port: int, cookie: str) -> tuple[float, int, int]:
    """The back-office CSV export of every person, read to its last byte: seconds, rows, bytes."""
    started = time.perf_counter()
    status, body = get(port, "/admin/membres/export.csv", cookie)
    seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"the CSV export answered {status}")
    return seconds, body.count(b"\r\n") - 1, len(body)


# --- The benchmark --------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--resources", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument("--warm-up", type=int, default=3, help="seconds before each page")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto",
                        help="wrk when installed (apt-get install wrk), else Python threads")
    parser.add_argument("--skip-renewal", action="store_true",
                        help="do not run the renewal benchmark (bench/renewal.py)")
    args = parser.parse_args()
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    load = run_wrk if generator == "wrk" else run_threads
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    mail_port, received, stop = free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    # The SMTP relay production requires; nothing measured here sends mail.
    sink = multiprocessing.Process(target=renewal.run_sink, args=(mail_port, received, stop))
    sink.start()
    renewal.wait_for_port(mail_port)
    try:
        with postgres_cluster() as server:
            report(args, server, folder, mail_port, generator, load)
    finally:
        stop.set()
        sink.join()
        shutil.rmtree(folder, ignore_errors=True)


def report(args, server: str, folder: Path, mail_port: int, generator: str, load) -> None:
    url = create_database(server, "network")
    port = free_port()
    env = production_env(url, mail_port, FLASK_RESOURCE_STORAGE_DIR=str(folder / "ressources"),
                         GUNICORN_BIND=f"127.0.0.1:{port}")
    log("flask db upgrade")
    flask_cli(env, "db", "upgrade")
    log(f"flask demo --members {args.members} --events {args.events} "
        f"--resources {args.resources}")
    started = time.perf_counter()
    flask_cli(env, "demo", "--members", str(args.members), "--events", str(args.events),
              "--resources", str(args.resources))
    demo_seconds = time.perf_counter() - started
    flask_cli(env, "admin", "create", ADMIN_EMAIL, stdin=ADMIN_PASSWORD + "\n")
    # As autovacuum would have done long before on a live database: plans from real statistics.
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    with environment({k: v for k, v in env.items() if k.startswith(("FLASK_", "NETWORK_"))}):
        app = create_app()
    # Its requests are only counted here: their log lines would drown the progress.
    logging.getLogger("network.request").setLevel(logging.WARNING)
    with app.app_context():
        counts = {name: db.session.scalar(select(func.count()).select_from(model).where(*where))
                  for name, model, where in [
                      ("people", Person, []), ("members", Person, [Person.status == Status.MEMBER]),
                      ("events", Event, []), ("registrations", Registration, []),
                      ("resources", Resource, []),
                      ("matching", Resource, [Resource.search_vector.op("@@")(
                          func.plainto_tsquery("french", func.unaccent(SEARCHED_WORD)))])]}
        db.engine.dispose()

    rows = []
    with gunicorn(env, folder / "gunicorn.log") as port:
        cookies = {"admin": admin_session(port), "member": member_session(app, port)}
        # Without a cookie jar of its own, which would drop the Cookie header set here.
        client = app.test_client(use_cookies=False)
        for label, path, who in PAGES:
            cookie = cookies.get(who)
            status, _ = get(port, path, cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            queries = None
            if path != CEILING_PATH:
                client.environ_base["HTTP_COOKIE"] = f"session={cookie}" if cookie else ""
                with app.app_context():
                    queries = count_queries(client, path)
            log(f"{label}: {args.warm_up} s of warm-up, then {args.duration} s")
            load(port, path, cookie, args.clients, args.warm_up)
            figures = load(port, path, cookie, args.clients, args.duration)
            # wrk counts only errors: a session gone would show as redirects, not as errors.
            if get(port, path, cookie)[0] != 200:
                raise SystemExit(f"{path} no longer answers 200 with its session")
            rows.append((label, figures, queries))
        log("CSV export")
        exports = [time_export(port, cookies["admin"]) for _ in range(3)]
    with app.app_context():
        db.engine.dispose()

    renewal_rows = []
    if not args.skip_renewal:
        log(f"renewal benchmark, {args.members} members")
        figures = renewal.measure(args.members, create_database(server, "renewal"))
        renewal_rows = renewal.table_rows(figures)

    ceiling = rows[0][1]["rps"]
    print(f"Load on gunicorn ({env.get('GUNICORN_WORKERS', '2')} workers, deploy/gunicorn.conf.py, "
          f"NETWORK_CONFIG=production) and PostgreSQL, {os.cpu_count()} cores; {generator}, "
          f"{args.clients} clients, {args.duration} s per page after {args.warm_up} s of "
          f"warm-up. Data: {counts['people']} people ({counts['members']} members), "
          f"{counts['events']} events, {counts['registrations']} registrations, "
          f"{counts['resources']} resources ({counts['matching']} match « {SEARCHED_WORD} »).")
    print(f"Target: at least {TARGET_SHARE:.0%} of the ceiling's requests/s and p95 under "
          f"{TARGET_P95_MS} ms.\n")
    print("| page | requests/s | p50 ms | p95 ms | p99 ms | × ceiling | SQL queries | target |")
    print("|---|---|---|---|---|---|---|---|")
    for label, figures, queries in rows:
        share = figures["rps"] / ceiling
        met = share >= TARGET_SHARE and figures["p95"] < TARGET_P95_MS
        verdict = "" if queries is None else ("met" if met else "**MISSED**")
        if figures["errors"]:
            verdict += f" ({figures['errors']} errors)"
        print(f"| {label} | {figures['rps']:.0f} | {figures['p50']:.1f} | {figures['p95']:.1f} "
              f"| {figures['p99']:.1f} | {share:.2f} | {'—' if queries is None else queries} "
              f"| {verdict.strip()} |")
    print("\n| figure | value |\n|---|---|")
    print(f"| flask demo --members {args.members} --events {args.events} "
          f"--resources {args.resources} | {demo_seconds:.1f} s |")
    seconds = sorted(export[0] for export in exports)
    print(f"| CSV export of every person (/admin/membres/export.csv), {exports[0][1]} rows, "
          f"{exports[0][2] / 1e6:.1f} MB | {seconds[1]:.2f} s (median of 3; "
          f"{seconds[0]:.2f} to {seconds[-1]:.2f} s) |")
    for name, value in renewal_rows:
        print(f"| renewal (bench/renewal.py): {name} | {value} |")


if __name__ == "__main__":
    main()
