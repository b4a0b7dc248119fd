"""The network's events for `flask demo`: its own calendar with who came, and more on demand.

The calendar is the network's own (network.events.demo_history). Registrations are those of the
members of the time, placed after the event was published and they had joined, before it starts
and never after today; the launch, before anyone was a member, had guests (anonymous now, as the
retention leaves them). `--events N` adds events on weekdays within working hours in Paris."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from network.events.demo_history import ONLINE_URL, PURPOSES, calendar
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

CITIES = ["Toulouse", "Montpellier", "Nîmes", "Perpignan", "Albi", "Rodez", "Tarbes",
          "Carcassonne", "Cahors", "Auch", "Foix", "Mende", "Montauban"]
# Working hours in Paris: an event starts at one of these times and is over by 17:00.
START_TIMES = [(9, 0), (9, 30), (10, 0), (14, 0), (14, 30)]
DAY_ENDS = 17 * 60
# The health crisis: until 2021 the network met at a distance (the seed: "en tenant compte de
# la crise sanitaire").
IN_PERSON_FROM = datetime(2021, 1, 1, tzinfo=PARIS)


def _published(start: datetime, now: datetime) -> datetime:
    """Published 40 days before it starts, or a few days ago for one further ahead."""
    return min(start - timedelta(days=40), now - timedelta(days=3))


def generate_demo_events(now: datetime, rng: random.Random) -> int:
    """Create the network's events and, for the past ones, who came; returns how many events."""
    people = _people()
    registrations = []
    rows = calendar(now)
    for row in rows:
        themes = row.pop("themes")
        guests = row.pop("guests", 0)
        start = row["starts_at"]
        published = _published(start, now)
        event = Event(**row, status=EventStatus.PUBLISHED, created_at=published - timedelta(
            days=5), published_at=published, registration_seq=0,
            reminders_queued_at=start - timedelta(days=1) if start < now else None)
        event.themes = [EventTheme(name=name) for name in themes]
        db.session.add(event)
        db.session.flush()
        chosen = _participants(event.starts_at, event.ends_at, event.kind, event.capacity,
                               published, people, now, rng)
        chosen += _guests(guests, len(chosen), start, published, event.ends_at <= now, rng)
        event.registration_seq = len(chosen)
        registrations += [{**row, "event_id": event.id} for row in chosen]
    if registrations:
        db.session.execute(insert(Registration).execution_options(render_nulls=True),
                           registrations)
    db.session.commit()
    return len(rows)


def _people():
    return db.session.execute(select(Person.id, Person.member_since, Person.exited_at).where(
        Person.member_since.is_not(None))).all()


def _placed(rng: random.Random, earliest: datetime, start: datetime, now: datetime) -> datetime:
    """When a place was asked for: mostly in the month before the event, always before it starts
    and never after today."""
    latest = min(start - timedelta(hours=2), now)
    lowest = max(earliest, start - timedelta(days=30))
    if lowest >= latest:
        lowest = earliest
    return lowest + (latest - lowest) * rng.random()


def _registration(seq: int, placed: datetime, past: bool, rng: random.Random, **who) -> dict:
    return {"person_id": None, "guest_name": None, "guest_email": None,
            "guest_organisation": None, **who, "seq": seq,
            "status": RegistrationStatus.REGISTERED, "created_at": placed, "placed_at": placed,
            "attended": (rng.random() < 0.82) if past else None, "cancelled_at": None,
            "promoted_at": None}


def _participants(start: datetime, end: datetime, kind: str, capacity: int | None,
                  published: datetime, people, now: datetime,
                  rng: random.Random) -> list[dict]:
    """Registrations of members of the time (without their event), present or not once over."""
    latest = min(start - timedelta(hours=2), now)
    present = [p for p in people if p.member_since <= start - timedelta(days=1)
               and max(p.member_since, published) < latest
               and (p.exited_at is None or p.exited_at > start)]
    if kind == EventKind.WELCOME_MODULE:
        # The newcomers of the last months.
        present = [p for p in present if p.member_since > start - timedelta(days=130)]
    wanted = min(len(present), capacity or 60, rng.randint(8, 60))
    chosen = rng.sample(present, wanted)
    past = end <= now
    return [_registration(seq, _placed(rng, max(person.member_since, published), start, now),
                          past, rng, person_id=person.id)
            for seq, person in enumerate(chosen, start=1)]


def _guests(count: int, after: int, start: datetime, published: datetime, past: bool,
            rng: random.Random) -> list[dict]:
    """Guests of a public event long past: their names were erased, their places counted."""
    return [_registration(after + number, _placed(rng, published, start, start), past, rng)
            for number in range(1, count + 1)]


# What the network works on: the themes of the extra events and of the library's resources.
TOPICS = ["Télétravail et organisation du travail", "Dialogue social et QVT",
          "Prévenir les risques psychosociaux", "Management participatif",
          "Égalité professionnelle", "Conciliation des temps de vie",
          "Prévention de l'usure professionnelle", "Espaces de discussion sur le travail",
          "Accompagner les transformations", "Numérique et conditions de travail",
          "QVT dans le secteur médico-social", "QVT dans les TPE et PME"]
# One transaction per batch of extra events, as for the members.
EVENT_BATCH_SIZE = 100
# kind: (weight, title prefix, hours, mode, capacities)
EXTRA_KINDS = {
    EventKind.WEBINAR: (35, "Webinaire", 1.5, EventMode.REMOTE, [None, 100, 200]),
    EventKind.WORKSHOP: (30, "Atelier thématique", 3, EventMode.IN_PERSON, [15, 20, 25]),
    EventKind.WORKING_GROUP: (15, "Groupe de travail", 2, EventMode.REMOTE, [12, 15]),
    EventKind.OTHER: (12, "Matinale du réseau", 2.5, EventMode.HYBRID, [40, 60]),
    EventKind.REINFORCEMENT_MODULE: (8, "Module de renforcement", 6, EventMode.IN_PERSON,
                                     [25, 30]),
}


def generate_extra_events(count: int, now: datetime, rng: random.Random,
                          progress: Callable[[int, int], None] | None = None) -> int:
    """`count` more events from the summer of 2020 to a few months ahead, beyond the network's
    own calendar, on weekdays within working hours, with the members of the time registered,
    and who came to the past ones; returns `count`."""
    people = _people()
    # After the network's first webinars, those of the Semaine QVT 2020.
    first = datetime(2020, 6, 22, tzinfo=PARIS)
    days = (now + timedelta(days=120) - first).days
    rows = []
    for _ in range(count):
        kind = rng.choices(list(EXTRA_KINDS), [spec[0] for spec in EXTRA_KINDS.values()])[0]
        _, prefix, hours, mode, capacities = EXTRA_KINDS[kind]
        topic = rng.choice(TOPICS)
        city = rng.choice(CITIES)
        day = first + timedelta(days=rng.randrange(days))
        if day.weekday() >= 5:  # a weekend: a weekday of the same week instead
            day -= timedelta(days=day.weekday() - rng.randrange(5))
        # Over by the end of the working day; a « matinale » is held in the morning.
        hour, minute = rng.choice([(h, m) for h, m in START_TIMES
                                   if h * 60 + m + hours * 60 <= DAY_ENDS
                                   and (kind != EventKind.OTHER or h < 12)])
        start = day.replace(hour=hour, minute=minute)
        if start < IN_PERSON_FROM:
            mode = EventMode.REMOTE
        published = _published(start, now)
        rows.append({
            "title": f"{prefix} : {_lower_first(topic)}"
                     + (f" – {city}" if mode != EventMode.REMOTE else ""),
            "kind": kind, "summary": f"{prefix} du réseau sur le thème « {topic} ».",
            "description_markdown": f"## {topic}\n\n{PURPOSES[kind]}\n\nLes échanges partent "
                                    "de situations de travail apportées par les participants.",
            "starts_at": start, "ends_at": start + timedelta(hours=hours), "mode": mode,
            "address": f"Maison des entreprises, {city}" if mode != EventMode.REMOTE else None,
            "online_url": ONLINE_URL if mode != EventMode.IN_PERSON else None,
            "capacity": rng.choice(capacities), "registration_opens_at": None,
            "registration_closes_at": None,
            "audience": Audience.PUBLIC if rng.random() < 0.3 else Audience.MEMBERS,
            "status": EventStatus.PUBLISHED, "created_at": published - timedelta(days=5),
            "published_at": published, "cancelled_at": None,
            "registration_seq": 0, "revision": 0,
            # Past ones had their reminders; the tick will send those of the next ones.
            "reminders_queued_at": start - timedelta(days=1) if start < now else None,
            "themes": [topic]})
    rows.sort(key=lambda row: row["starts_at"])
    for done in range(0, count, EVENT_BATCH_SIZE):
        _insert_events(rows[done:done + EVENT_BATCH_SIZE], people, now, rng)
        db.session.commit()
        if progress:
            progress(min(done + EVENT_BATCH_SIZE, count), count)
    return count


def _lower_first(topic: str) -> str:
    """"Dialogue social…" in a title reads "dialogue social…", but "QVT…" stays "QVT…"."""
    return topic if topic[1:2].isupper() else topic[0].lower() + topic[1:]


def _insert_events(rows: list[dict], people, now: datetime, rng: random.Random) -> None:
    themes = [row.pop("themes") for row in rows]
    registrations = [[] for _ in rows]
    for row, chosen in zip(rows, registrations, strict=True):
        chosen += _participants(row["starts_at"], row["ends_at"], row["kind"], row["capacity"],
                                row["published_at"], people, now, rng)
        row["registration_seq"] = len(chosen)
    ids = db.session.scalars(
        insert(Event).execution_options(render_nulls=True)
        .returning(Event.id, sort_by_parameter_order=True), rows).all()
    db.session.execute(insert(EventTheme), [
        {"event_id": event_id, "name": name}
        for event_id, names in zip(ids, themes, strict=True) for name in names])
    flat = [{**registration, "event_id": event_id}
            for event_id, chosen in zip(ids, registrations, strict=True)
            for registration in chosen]
    if flat:
        db.session.execute(insert(Registration).execution_options(render_nulls=True), flat)
