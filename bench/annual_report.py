"""Timing of the annual report (issue 18) on N demo members, in one process.

    .venv/bin/python bench/annual_report.py [--members 10000] [--repeat 20] [--sqlite]

Starts a throwaway PostgreSQL cluster (as the tests do; --sqlite: a SQLite file instead), runs
the migrations and fills it with `flask demo`'s generators: N people and their history since
2019, the network's calendar and --events more events with their registrations, the library
and --resources more resources, a download count for every resource and month, and last year's
renewal campaign with a request for each member of its opening. Then, for last year and for this
year: each figure's service alone, and the page, its PDF and its workbook through the Flask test
client, one request at a time after a warm-up: p50, p95 and the slowest, in milliseconds, and
the SQL statements of each request.

It measures the application and the database, not a server under load; run nothing else
meanwhile.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from network import create_app  # noqa: E402
from network.admin import stats  # noqa: E402
from network.admin.services import create_admin  # noqa: E402
from network.demo import generate_demo_members  # noqa: E402
from network.events.demo import generate_demo_events, generate_extra_events  # noqa: E402
from network.extensions import db  # noqa: E402
from network.membership.models import Person, Status  # noqa: E402
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus  # noqa: E402
from network.report import activity, members  # noqa: E402
from network.report.period import Period  # noqa: E402
from network.report.services import annual_report  # noqa: E402
from network.resources.demo import generate_demo_resources  # noqa: E402
from network.resources.demo_library import generate_seed_library  # noqa: E402
from network.resources.models import DownloadCount, Resource  # noqa: E402
from network.templating import PARIS  # noqa: E402
from tests.support.postgres import create_database, postgres_cluster  # noqa: E402
from tests.support.queries import count_queries  # noqa: E402

ADMIN_EMAIL, ADMIN_PASSWORD = "bench@gt-qvt.fr", "un-mot-de-passe-de-banc"


def milliseconds(seconds: list[float], share: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def timed(call, repeat: int) -> dict:
    for _ in range(2):
        call()
    durations = []
    for _ in range(repeat):
        db.session.expire_all()
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return {"p50": statistics.median(durations) * 1000, "p95": milliseconds(durations, 0.95),
            "max": max(durations) * 1000}


def fill(args, now: datetime) -> dict:
    rng = random.Random(2019)
    started = time.perf_counter()
    generate_demo_members(args.members, now, rng)
    generate_demo_events(now, random.Random(2019))
    generate_extra_events(args.events, now, random.Random("2019-events"))
    generate_seed_library(now)
    generate_demo_resources(args.resources, now, random.Random("2019-resources"))
    # Downloads: every published resource, every month since its publication.
    this_month = now.astimezone(PARIS).strftime("%Y-%m")
    rows = []
    for resource_id, published in db.session.execute(
            select(Resource.id, Resource.published_at).where(Resource.published_at.is_not(None))):
        month = published.astimezone(PARIS).replace(day=1)
        while month.strftime("%Y-%m") <= this_month:
            rows.append({"resource_id": resource_id, "month": month.strftime("%Y-%m"),
                         "count": rng.randint(0, 40)})
            month = (month + timedelta(days=32)).replace(day=1)
    db.session.execute(insert(DownloadCount), rows)
    # Last year's campaign, settled: a request for each member of its opening.
    year = now.astimezone(PARIS).year - 1
    opened = datetime(year, 11, 22, 9, tzinfo=PARIS)
    campaign = RenewalCampaign(year=year, opens_at=opened, deadline=opened + timedelta(days=30),
                               opened_at=opened, requests_complete_at=opened,
                               closed_at=opened + timedelta(days=31))
    db.session.add(campaign)
    db.session.flush()
    asked = db.session.scalars(select(Person.id).where(
        Person.member_since <= opened, Person.status != Status.APPLICANT)).all()
    outcomes = [RequestStatus.RENEWED] * 80 + [RequestStatus.LEFT] * 6 + [
        RequestStatus.DROPPED] * 8 + [RequestStatus.EXEMPT] * 5 + [RequestStatus.UNREACHED]
    db.session.execute(insert(RenewalRequest), [
        {"campaign_id": campaign.id, "person_id": person_id, "status": rng.choice(outcomes),
         "created_at": opened} for person_id in asked])
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    print(f"{args.members} demo people, {len(rows)} monthly download counts, "
          f"{len(asked)} renewal requests, events and resources in "
          f"{time.perf_counter() - started:.1f} s ({db.engine.dialect.name})")
    return {"year": year}


def time_year(client, year: int, now: datetime, repeat: int) -> None:
    """Each figure's service, then the page, the PDF and the workbook of `year`."""
    period = Period(year, now)
    report = annual_report(year, now)
    print(f"\n{year}: {report.membership.at_start} members on 1 January, "
          f"{report.membership.at_end} at the end, {report.membership.joins} joins, "
          f"{report.membership.exit_count} exits, {report.events_total.events} events, "
          f"{report.library.downloads} downloads\n")
    at_end = members.members_at_end(period)
    parts = {
        "members (start, end, months, exits)": lambda: members.membership(period),
        "renewal campaign": lambda: activity.renewal(period),
        "events by kind": lambda: activity.events_by_kind(period),
        "welcome module's reach": lambda: activity.welcome_reach(period, 0),
        "library": lambda: activity.library(period),
        "profiles, departments, fields": lambda: (
            stats.members_by_profile(at_end), stats.members_by_department(at_end),
            stats.members_by_qvt_field(at_end)),
        "the whole report (annual_report)": lambda: annual_report(year, now)}
    print("| figures | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    for name, call in parts.items():
        timing = timed(call, repeat)
        print(f"| {name} | {timing['p50']:.1f} | {timing['p95']:.1f} | {timing['max']:.1f} |")
    print("\n| request | p50 ms | p95 ms | max ms | SQL queries | bytes |")
    print("|---|---|---|---|---|---|")
    for url in (f"/admin/bilan/{year}", f"/admin/bilan/{year}.pdf", f"/admin/bilan/{year}.xlsx"):
        size = len(client.get(url).data)

        def get(url=url):
            assert client.get(url).status_code == 200

        timing = timed(get, repeat)
        print(f"| {url} | {timing['p50']:.1f} | {timing['p95']:.1f} | {timing['max']:.1f} "
              f"| {count_queries(client, url)} | {size} |")


def run(args, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "MAIL_BACKEND": "console", "RESOURCE_STORAGE_DIR": tempfile.mkdtemp()})
    with app.app_context():
        flask_migrate.upgrade()
        now = datetime.now(UTC)
        last_year = fill(args, now)["year"]
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        client = app.test_client()
        response = client.post("/admin/connexion",
                               data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert response.status_code == 302, response.status_code
        for year in (last_year, last_year + 1):
            time_year(client, year, now, args.repeat)
        db.session.remove()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=300, help="extra demo events")
    parser.add_argument("--resources", type=int, default=300, help="extra demo resources")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.sqlite:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-report-')}/network.sqlite"
        else:
            url = create_database(stack.enter_context(postgres_cluster()), "network")
        run(args, url)


if __name__ == "__main__":
    main()
