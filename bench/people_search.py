"""Timing of the people search (issue 17): the back-office list on N demo people, in one process.

    .venv/bin/python bench/people_search.py [--members 10000] [--repeat 200] [--sqlite]
                                            [--plans] [--before REVISION]

Starts a throwaway PostgreSQL cluster (as the tests do; --sqlite: a SQLite file instead), runs
the migrations, fills it with network.demo.generate_demo_members, runs ANALYZE, signs an admin in
and requests each page through the Flask test client, one request at a time after a warm-up:
p50, p95 and the slowest, in milliseconds, the SQL statements of the page and the rows it
lists. Then, on PostgreSQL, the plan and execution time of each page's search query and count
(EXPLAIN ANALYZE), and the indexes each plan uses.

--before REVISION: the search of that revision (its network/membership/search.py, read with
git) against this one, on the same database (on PostgreSQL, 0010's trigram indexes on the plain
columns added back): each page's query and count of one, then of the other, --repeat times, so
that both see the same machine (a shared one's load comes and goes).

It measures the application and the database, not a server under load (bench/load.py does:
gunicorn, 8 clients); run nothing else meanwhile.
"""

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from network import create_app  # noqa: E402
from network.admin.member_forms import MemberFilterForm  # noqa: E402
from network.admin.services import create_admin  # noqa: E402
from network.demo import generate_demo_members  # noqa: E402
from network.extensions import db  # noqa: E402
from network.membership.models import SEARCHED_COLUMNS  # noqa: E402
from network.membership.search import filtered_people  # noqa: E402
from tests.support.postgres import create_database, postgres_cluster  # noqa: E402
from tests.support.queries import count_queries  # noqa: E402

ADMIN_EMAIL, ADMIN_PASSWORD = "bench@gt-qvt.fr", "un-mot-de-passe-de-banc"
PAGES = [
    # bench/load.py's page.
    "/admin/membres?q=martin&statut=member&departement=31",
    # A word alone: the search decides, no other filter narrows it.
    "/admin/membres?q=martin",
    # Without its accents and capitals: « Éric », « Frédéric », « Cédric »…
    "/admin/membres?q=eric",
    # The consultancy « Équilibres Travail ».
    "/admin/membres?q=EQUILIBRES",
    # Two words, both required.
    "/admin/membres?q=toulouse%20helene",
    # Two letters: most people match, the trigram indexes cannot narrow.
    "/admin/membres?q=de",
    # No search: the first page in the order of names.
    "/admin/membres",
    "/admin/membres?tri=nom&ordre=desc",
    "/admin/membres?tri=structure",
]


def milliseconds(seconds: list[float], share: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def time_page(client, url: str, repeat: int) -> dict:
    for _ in range(5):
        client.get(url)
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    found = re.search(r"(\d[\d\u202f\u00a0 ]*) (?:personne|résultat)", response.text)
    return {"p50": statistics.median(durations) * 1000, "p95": milliseconds(durations, 0.95),
            "max": max(durations) * 1000, "queries": count_queries(client, url),
            "found": found.group(1) if found else "?"}


def page_query(url: str):
    """The search query and its count, as /admin/membres builds them for `url`."""
    arguments = MultiDict(parse_qs(urlsplit(url).query))
    query = filtered_people(MemberFilterForm(formdata=arguments).criteria(), with_lists=False)
    count = select(func.count()).select_from(query.order_by(None).subquery())
    return query.limit(50), count


def explain(query) -> tuple[float, list[str], str]:
    """Planned and run with its parameters bound, as the application sends it."""
    compiled = query.compile(dialect=db.engine.dialect,
                             compile_kwargs={"render_postcompile": True})
    plan = [row[0] for row in db.session.connection().exec_driver_sql(
        f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", compiled.params)]
    executed = float(re.search(r"Execution Time: ([\d.]+) ms", plan[-1]).group(1))
    indexes = sorted(set(re.findall(r"(?:Index|Bitmap Index) (?:Only )?Scan(?: Backward)? "
                                    r"(?:using|on) (\w+)", "\n".join(plan))))
    return executed, indexes, "\n".join(plan)


def search_module_at(revision: str) -> types.ModuleType:
    """network/membership/search.py as it was at `revision`."""
    source = subprocess.run(["git", "show", f"{revision}:network/membership/search.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"search_at_{revision}")
    exec(compile(source, f"{revision}:network/membership/search.py", "exec"), module.__dict__)
    return module


def run_page(query, count) -> float:
    started = time.perf_counter()
    db.session.execute(query).all()
    db.session.execute(count).scalar_one()
    return time.perf_counter() - started


def compare(revision: str, repeat: int) -> None:
    before = search_module_at(revision)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            for column in SEARCHED_COLUMNS:
                connection.execute(text(f"CREATE INDEX ix_before_{column} ON person "
                                        f"USING gin ({column} gin_trgm_ops)"))
            connection.execute(text("ANALYZE person"))
            connection.commit()
    print(f"\nQuery and count of each page, {repeat} times each, alternately "
          f"({revision} then this tree): median and p95, ms\n")
    print(f"| page | {revision}: median | p95 | this tree: median | p95 |")
    print("|---|---|---|---|---|")
    for page in PAGES:
        arguments = MultiDict(parse_qs(urlsplit(page).query))
        criteria = MemberFilterForm(formdata=arguments).criteria()
        queries = {"before": before.filtered_people(criteria, with_lists=False),
                   "after": filtered_people(criteria, with_lists=False)}
        statements = {name: (query.limit(50), select(func.count()).select_from(
            query.order_by(None).subquery())) for name, query in queries.items()}
        durations = {"before": [], "after": []}
        for _ in range(repeat):
            for name in ("before", "after"):
                durations[name].append(run_page(*statements[name]))
        print(f"| {page} | " + " | ".join(
            f"{statistics.median(durations[name]) * 1000:.1f} | "
            f"{milliseconds(durations[name], 0.95):.1f}" for name in ("before", "after")) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--plans", action="store_true", help="print each query's whole plan")
    parser.add_argument("--before", metavar="REVISION",
                        help="also time the search of this git revision")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.sqlite:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-people-')}/network.sqlite"
        else:
            url = create_database(stack.enter_context(postgres_cluster()), "network")
        run(args, url)


def run(args, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "MAIL_BACKEND": "console"})
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        generate_demo_members(args.members, datetime.now(UTC), random.Random(2019))
        print(f"{args.members} demo people in {time.perf_counter() - started:.1f} s "
              f"({db.engine.dialect.name})")
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
        client = app.test_client()
        response = client.post("/admin/connexion",
                               data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert response.status_code == 302, response.status_code
        print("\n| page | p50 ms | p95 ms | max ms | SQL queries | people found |")
        print("|---|---|---|---|---|---|")
        for page in PAGES:
            timing = time_page(client, page, args.repeat)
            print(f"| {page} | {timing['p50']:.1f} | {timing['p95']:.1f} | {timing['max']:.1f} "
                  f"| {timing['queries']} | {timing['found']} |")
        if args.before:
            compare(args.before, args.repeat)
        if db.engine.dialect.name != "postgresql":
            return
        print("\n| page | search query ms | count ms | indexes used (query; count) |")
        print("|---|---|---|---|")
        for page in PAGES:
            query, count = page_query(page)
            (query_ms, query_indexes, query_plan), (count_ms, count_indexes, count_plan) = (
                explain(query), explain(count))
            print(f"| {page} | {query_ms:.2f} | {count_ms:.2f} | "
                  f"{', '.join(query_indexes) or 'none'}; {', '.join(count_indexes) or 'none'} |")
            if args.plans:
                print(f"\n{query_plan}\n\n{count_plan}\n")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
