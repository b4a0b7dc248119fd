"""The network's events since 2020, for `flask demo`: past ones with their attendance, next ones.

Modelled on the network's own history: two webinars in June 2020 and a web conference in
September, thirteen thematic workshops in person from January to March 2021 on three themes,
then each year the "Rendez-vous annuel" at the Semaine QVT, welcome and reinforcement modules
and working groups."""

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from network.events.models import (
    Audience,
    Event,
    EventKind,
    EventMode,
    EventStatus,
    EventTheme,
    Registration,
    RegistrationStatus,
)
from network.extensions import db
from network.membership.models import Person
from network.templating import PARIS

WORKSHOP_THEMES = ["Télétravail et organisation du travail", "Dialogue social et QVT",
                   "Prévenir les risques psychosociaux"]
CITIES = ["Toulouse", "Montpellier", "Nîmes", "Perpignan", "Albi", "Rodez", "Tarbes",
          "Carcassonne", "Cahors", "Auch", "Foix", "Mende", "Montauban"]
WELCOME_TITLE = "Intégrer le réseau des intervenants QVT en Occitanie"
REINFORCEMENT_TITLE = "Partager des fondamentaux sur la QVT"


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute, tzinfo=PARIS)


def _calendar(now: datetime) -> list[dict]:
    """The events from the launch to a few months ahead, as Event rows (themes apart)."""
    def event(title, kind, start, hours, mode, audience=Audience.MEMBERS, capacity=None,
              address=None, themes=()):
        return {"title": title, "kind": kind, "starts_at": start,
                "ends_at": start + timedelta(hours=hours), "mode": mode, "audience": audience,
                "capacity": capacity, "address": address, "themes": list(themes),
                "online_url": ("https://visio.exemple.fr/reseau-qvt"
                               if mode != EventMode.IN_PERSON else None)}

    events = [
        event("Webinaire : la QVT en période de crise sanitaire", EventKind.WEBINAR,
              _at(datetime(2020, 6, 9), 11), 1.5, EventMode.REMOTE, Audience.PUBLIC),
        event("Webinaire : le télétravail, un levier de QVT ?", EventKind.WEBINAR,
              _at(datetime(2020, 6, 23), 11), 1.5, EventMode.REMOTE, Audience.PUBLIC),
        event("Web-conférence : intervenir sur la QVT en Occitanie", EventKind.WEBINAR,
              _at(datetime(2020, 9, 17), 14), 2, EventMode.REMOTE, Audience.PUBLIC),
    ]
    for number in range(13):
        day = datetime(2021, 1, 12) + timedelta(days=6 * number)
        theme = WORKSHOP_THEMES[number % 3]
        events.append(event(f"Atelier thématique : {theme.lower()}", EventKind.WORKSHOP,
                            _at(day, 9, 30), 3, EventMode.IN_PERSON, capacity=20,
                            address=f"Maison des entreprises, {CITIES[number]}",
                            themes=[theme]))
    for year in range(2021, now.year + 2):
        events.append(event(f"Rendez-vous annuel du réseau {year}", EventKind.ANNUAL_MEETING,
                            _at(datetime(year, 6, 16), 9), 7, EventMode.HYBRID, capacity=120,
                            address="Hôtel de Région, Toulouse"))
    for year in range(2022, now.year + 2):
        for month in (2, 6, 10):
            events.append(event(f"Module d'accueil : {WELCOME_TITLE}", EventKind.WELCOME_MODULE,
                                _at(datetime(year, month, 8), 14), 3, EventMode.REMOTE,
                                capacity=25))
        events.append(event(f"Module de renforcement : {REINFORCEMENT_TITLE}",
                            EventKind.REINFORCEMENT_MODULE, _at(datetime(year, 11, 5), 9), 6,
                            EventMode.IN_PERSON, capacity=30,
                            address="Aract Occitanie, Toulouse"))
        if year >= 2023:
            for month in (3, 9):
                events.append(event("Groupe de travail : outils partagés du réseau",
                                    EventKind.WORKING_GROUP, _at(datetime(year, month, 20), 10),
                                    2, EventMode.REMOTE, capacity=15))
    # Up to about four months ahead: what the members can register for now.
    return [e for e in events if e["starts_at"] < now + timedelta(days=120)]


def generate_demo_events(now: datetime, rng: random.Random) -> int:
    """Create the events and, for the past ones, who came; returns how many events."""
    people = db.session.execute(select(Person.id, Person.member_since, Person.exited_at).where(
        Person.member_since.is_not(None))).all()
    registrations = []
    rows = _calendar(now)
    for row in rows:
        themes = row.pop("themes")
        start = row["starts_at"]
        event = Event(**row, summary="", status=EventStatus.PUBLISHED,
                      created_at=start - timedelta(days=45), published_at=start - timedelta(
                          days=40), registration_seq=0)
        event.themes = [EventTheme(name=name) for name in themes]
        db.session.add(event)
        db.session.flush()
        registrations += _participants(event, people, now, rng)
    if registrations:
        db.session.execute(insert(Registration).execution_options(render_nulls=True),
                           registrations)
    db.session.commit()
    return len(rows)


def _participants(event: Event, people, now: datetime, rng: random.Random) -> list[dict]:
    start = event.starts_at
    present = [p for p in people if p.member_since <= start - timedelta(days=1)
               and (p.exited_at is None or p.exited_at > start)]
    if event.kind == EventKind.WELCOME_MODULE:
        # The newcomers of the last months.
        present = [p for p in present if p.member_since > start - timedelta(days=130)]
    wanted = min(len(present), event.capacity or 60, rng.randint(8, 60))
    chosen = rng.sample(present, wanted)
    past = event.ends_at <= now
    rows = []
    for seq, person in enumerate(chosen, start=1):
        placed = start - timedelta(days=rng.randint(2, 30))
        rows.append({"event_id": event.id, "person_id": person.id, "seq": seq,
                     "status": RegistrationStatus.REGISTERED, "created_at": placed,
                     "placed_at": placed, "attended": (rng.random() < 0.82) if past else None,
                     "guest_name": None, "guest_email": None, "guest_organisation": None,
                     "cancelled_at": None, "promoted_at": None})
    event.registration_seq = len(chosen)
    return rows
