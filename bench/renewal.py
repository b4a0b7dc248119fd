"""Benchmark of the yearly renewal: open the campaign for N members, deliver it to an SMTP sink.

    .venv/bin/python bench/renewal.py --members 10000

Creates a scratch SQLite database (or uses --database URL), fills it with `flask demo` members,
opens the campaign at its opening time, then delivers the outbox to a local aiosmtpd sink, and
prints the queue time, the delivery rate and the peak memory; then times the reminders and the
closing of the campaign when nobody answers.
"""

import argparse
import math
import multiprocessing
import random
import socket
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from network import create_app  # noqa: E402
from network.demo import generate_demo_members  # noqa: E402
from network.extensions import db  # noqa: E402
from network.mail.delivery import deliver_pending  # noqa: E402
from network.mail.models import OutboxMessage  # noqa: E402
from network.membership.models import Person, Status  # noqa: E402
from network.renewal.campaign import campaign_dates, run_renewal  # noqa: E402
from network.templating import PARIS  # noqa: E402
from tests.support.postgres import free_port  # noqa: E402


class Sink:
    """Accepts every message and counts it."""

    def __init__(self, received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        with self.received.get_lock():
            self.received.value += 1
        return "250 OK"


def run_sink(port: int, received, stop) -> None:
    # In its own process, as a real SMTP server would be: it must not share our interpreter.
    controller = Controller(Sink(received), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def reset_peak_rss() -> int:
    """Reset the process's peak RSS (Linux clear_refs) and return the current RSS, in KiB."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_kib("VmRSS")


def peak_rss_kib() -> int:
    return _status_kib("VmHWM")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:"))


def wait_for_port(port: int) -> None:
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"the SMTP sink did not start on port {port}")


def measure(members: int, url: str) -> dict:
    """Run the whole benchmark on an empty database; return its figures (bench/load.py too)."""
    port, received, stop = free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(port, received, stop))
    sink.start()
    wait_for_port(port)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_BACKEND": "smtp",
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                      "OUTBOX_DELIVER_AFTER_REQUEST": False})
    with app.app_context():
        flask_migrate.upgrade()
        opens, deadline = campaign_dates(2026)
        # The demo makes 82% of its people members (the others left or are applicants).
        generate_demo_members(math.ceil(members / 0.82),
                              datetime(2026, 11, 1, tzinfo=PARIS), random.Random(2019))
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
        figures = {"members": db.session.scalar(select(func.count()).select_from(Person).where(
            Person.status == Status.MEMBER))}

        figures["rss_before"] = reset_peak_rss()
        started = time.perf_counter()
        report = run_renewal(opens, progress=lambda step, done: print(f"  … {step} : {done}",
                                                                       file=sys.stderr))
        figures["queue_seconds"] = time.perf_counter() - started
        figures["queue_peak_rss"] = peak_rss_kib()
        figures["forms"] = report["forms"]

        started = time.perf_counter()
        sent = 0
        while True:
            batch = deliver_pending(opens)
            sent += batch.sent
            if batch.sent + batch.retried + batch.failed == 0:
                break
        figures["delivery_seconds"] = time.perf_counter() - started
        figures["sent"] = sent

        # Nobody answers: everyone is reminded, then everyone is dropped (not delivered here).
        started = time.perf_counter()
        figures["reminders"] = run_renewal(deadline - timedelta(days=14))["reminders"]
        figures["reminder_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        figures["dropped"] = run_renewal(deadline)["dropped"]
        figures["close_seconds"] = time.perf_counter() - started
        db.engine.dispose()
    stop.set()
    sink.join()
    figures["received"] = received.value
    return figures


def table_rows(figures: dict) -> list[tuple[str, str]]:
    return [
        ("members at opening", f"{figures['members']}"),
        ("forms queued", f"{figures['forms']} requests, {figures['sent']} e-mails"),
        ("queue time", f"{figures['queue_seconds']:.1f} s"),
        ("delivery to the local SMTP sink",
         f"{figures['delivery_seconds']:.1f} s, "
         f"{figures['sent'] / figures['delivery_seconds']:.0f} messages/s, "
         f"{figures['received']} received"),
        ("reminders queued, 14 days before the deadline",
         f"{figures['reminders']} in {figures['reminder_seconds']:.1f} s"),
        ("members dropped at the deadline, with their e-mail",
         f"{figures['dropped']} in {figures['close_seconds']:.1f} s"),
        ("memory while queueing",
         f"peak RSS {figures['queue_peak_rss'] / 1024:.0f} MB, "
         f"{(figures['queue_peak_rss'] - figures['rss_before']) / 1024:.0f} MB above the start"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty scratch database")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-renewal-")
    figures = measure(args.members, args.database or f"sqlite:///{folder}/bench.sqlite")
    print("| figure | value |\n|---|---|")
    for name, value in table_rows(figures):
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
