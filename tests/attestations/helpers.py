"""Members who attended (or not) past events, for the attestations' tests."""

from datetime import datetime, timedelta

from network.events.attendance import mark_attendance
from network.events.models import EventMode, Registration
from network.events.services import register_member
from network.extensions import db
from network.membership.models import Person
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.factories import make_member

# The pages see FROZEN_NOW (23 November 2026, 9 h in Paris): this workshop was held before.
HELD = datetime(2026, 11, 18, 14, 0, tzinfo=PARIS)


def member(**overrides) -> Person:
    values = dict(email="helene.lefevre@exemple.fr", first_name="Hélène",
                  last_name="Lefèvre-Bœuf")
    return make_member(datetime(2024, 11, 25, 9, 0, tzinfo=PARIS), **{**values, **overrides})


def attended(person: Person, present: bool | None = True, starts: datetime = HELD,
             hours: float = 2, **event) -> Registration:
    """The person registered for an event starting at `starts`, their attendance marked (True,
    False) or not (None)."""
    values = dict(title="Atelier « Télétravail et QVT » : cœur du métier", mode=EventMode.HYBRID,
                  address="Aract Occitanie, 12 rue de l'Œuvre, 31000 Toulouse",
                  online_url="https://visio.exemple.fr/atelier-qvt")
    event = make_event(starts=starts, ends_at=starts + timedelta(hours=hours),
                       **{**values, **event})
    registration = register_member(event, person, starts - timedelta(days=1))
    if present is not None:
        mark_attendance(event, {registration.id} if present else set(), event.ends_at)
    db.session.commit()
    return registration
