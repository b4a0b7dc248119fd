"""Events for the tests, at fixed Paris times."""

from datetime import datetime, timedelta

from network.events.models import Audience, Event, EventKind, EventMode
from network.events.services import publish_event
from network.extensions import db
from network.templating import PARIS

# Registration is open at NOW; the event starts a week later (winter time).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
STARTS = datetime(2026, 11, 30, 14, 0, tzinfo=PARIS)


def make_event(capacity: int | None = 10, starts: datetime = STARTS, publish: bool = True,
               **overrides) -> Event:
    values = dict(title="Atelier « Télétravail et QVT »", kind=EventKind.WORKSHOP,
                  summary="Partager nos pratiques d'accompagnement.",
                  starts_at=starts, ends_at=starts + timedelta(hours=2),
                  mode=EventMode.REMOTE, online_url="https://visio.exemple.fr/atelier-qvt",
                  capacity=capacity, audience=Audience.MEMBERS, created_at=NOW - timedelta(days=10))
    values.update(overrides)
    event = Event(**values)
    db.session.add(event)
    if publish:
        publish_event(event, NOW - timedelta(days=7))
    db.session.commit()
    return event
