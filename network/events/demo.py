"""The network's events since 2020, for `flask demo`: past ones with their attendance, next ones.

Modelled on the network's own history: two webinars in June 2020 and a web conference in
September, thirteen thematic workshops in person from January to March 2021 on three themes,
then each year the "Rendez-vous annuel" at the Semaine QVT, welcome and reinforcement modules
and working groups."""

import random
from collections.abc import Callable
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
    people = _people()
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
        chosen = _participants(event.starts_at, event.ends_at, event.kind, event.capacity,
                               people, now, rng)
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


def _participants(start: datetime, end: datetime, kind: str, capacity: int | None, people,
                  now: datetime, rng: random.Random) -> list[dict]:
    """Registrations of members of the time (without their event), present or not once over."""
    present = [p for p in people if p.member_since <= start - timedelta(days=1)
               and (p.exited_at is None or p.exited_at > start)]
    if kind == EventKind.WELCOME_MODULE:
        # The newcomers of the last months.
        present = [p for p in present if p.member_since > start - timedelta(days=130)]
    wanted = min(len(present), capacity or 60, rng.randint(8, 60))
    chosen = rng.sample(present, wanted)
    past = end <= now
    rows = []
    for seq, person in enumerate(chosen, start=1):
        placed = start - timedelta(days=rng.randint(2, 30))
        rows.append({"person_id": person.id, "seq": seq,
                     "status": RegistrationStatus.REGISTERED, "created_at": placed,
                     "placed_at": placed, "attended": (rng.random() < 0.82) if past else None,
                     "guest_name": None, "guest_email": None, "guest_organisation": None,
                     "cancelled_at": None, "promoted_at": None})
    return rows


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
    """`count` more events from 2020 to a few months ahead, beyond the network's own calendar,
    with the members of the time registered, and who came to the past ones; returns `count`."""
    people = _people()
    first = datetime(2020, 3, 1, tzinfo=PARIS)
    last = now + timedelta(days=120)
    rows = []
    for _ in range(count):
        kind = rng.choices(list(EXTRA_KINDS), [spec[0] for spec in EXTRA_KINDS.values()])[0]
        _, prefix, hours, mode, capacities = EXTRA_KINDS[kind]
        topic = rng.choice(TOPICS)
        city = rng.choice(CITIES)
        day = (first + (last - first) * rng.random()).astimezone(PARIS)
        start = day.replace(hour=rng.choice([9, 10, 14]), minute=rng.choice([0, 30]),
                            second=0, microsecond=0)
        rows.append({
            "title": f"{prefix} : {_lower_first(topic)}"
                     + (f" – {city}" if mode != EventMode.REMOTE else ""),
            "kind": kind, "summary": f"{prefix} du réseau sur le thème « {topic} ».",
            "description_markdown": f"## {topic}\n\nÉchanges de pratiques entre intervenants, "
                                    "à partir de situations de travail apportées par les "
                                    "participants.",
            "starts_at": start, "ends_at": start + timedelta(hours=hours), "mode": mode,
            "address": f"Maison des entreprises, {city}" if mode != EventMode.REMOTE else None,
            "online_url": ("https://visio.exemple.fr/reseau-qvt"
                           if mode != EventMode.IN_PERSON else None),
            "capacity": rng.choice(capacities), "registration_opens_at": None,
            "registration_closes_at": None,
            "audience": Audience.PUBLIC if rng.random() < 0.3 else Audience.MEMBERS,
            "status": EventStatus.PUBLISHED, "created_at": start - timedelta(days=45),
            "published_at": start - timedelta(days=40), "cancelled_at": None,
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
                                people, now, rng)
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
