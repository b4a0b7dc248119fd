"""The annual report on `flask demo`'s network, checked against counts made here with plain loops
over the rows: each person's status at an instant is the last move of their history before it."""

import random
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from network.events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from network.extensions import db
from network.membership.models import Person, Status, StatusChange
from network.report.services import annual_report
from network.resources import services as resources
from network.resources.models import Resource
from network.templating import PARIS
from tests.conftest import FROZEN_NOW

YEAR = 2024
START = datetime(YEAR, 1, 1, tzinfo=PARIS)
END = datetime(YEAR + 1, 1, 1, tzinfo=PARIS)


@pytest.fixture
def demo(app, tmp_path):
    app.config["RESOURCE_STORAGE_DIR"] = str(tmp_path / "files")
    result = app.test_cli_runner().invoke(args=["demo", "--members", "400", "--resources", "60"])
    assert result.exit_code == 0, result.output
    # The demo counts no download: a few hundred, at random instants around the year.
    rng = random.Random(18)
    published = db.session.scalars(select(Resource).where(Resource.published_at.is_not(None))
                                   .order_by(Resource.id)).all()
    for _ in range(300):
        moment = datetime(rng.choice([YEAR - 1, YEAR, YEAR, YEAR + 1]), rng.randint(1, 12),
                          rng.randint(1, 28), rng.randint(0, 23), tzinfo=PARIS)
        resources.count_download(rng.choice(published), moment)
    db.session.commit()


def history() -> dict[int, list[tuple[datetime, StatusChange]]]:
    """Each person's moves, in order, dated when they took effect (an entry as a member
    counts from the person's member_since when that is earlier)."""
    since = dict(db.session.execute(select(Person.id, Person.member_since)).all())
    moves: dict[int, list] = {}
    for change in db.session.scalars(select(StatusChange)):
        moment = change.changed_at
        if change.from_status is None and since[change.person_id] and \
                since[change.person_id] < moment:
            moment = since[change.person_id]
        moves.setdefault(change.person_id, []).append((moment, change))
    for person_moves in moves.values():
        person_moves.sort(key=lambda item: (item[0], item[1].id))
    return moves


def members_at(moves, instant: datetime) -> set[int]:
    members = set()
    for person_id, person_moves in moves.items():
        before = [change for moment, change in person_moves if moment < instant]
        if before and before[-1].to_status == Status.MEMBER:
            members.add(person_id)
    return members


def test_the_report_of_a_past_year_of_the_demo(demo):
    report = annual_report(YEAR, FROZEN_NOW)
    moves = history()
    at_start, at_end = members_at(moves, START), members_at(moves, END)
    joins, exits, newcomers = 0, Counter(), set()
    for person_id, person_moves in moves.items():
        for moment, change in person_moves:
            if not START <= moment < END:
                continue
            if change.to_status == Status.MEMBER and change.from_status != Status.MEMBER:
                joins += 1
                newcomers.add(person_id)
            elif change.from_status == Status.MEMBER and change.to_status == Status.EXITED:
                exits[change.exit_reason] += 1
    members = report.membership
    assert (members.at_start, members.joins, members.at_end) == (
        len(at_start), joins, len(at_end))
    assert {share.code: share.count for share in members.exits if share.count} == dict(exits)
    assert members.at_start > 50 and joins > 10 and sum(exits.values()) > 5
    # Month by month, the members at the end of December are the year's end.
    assert members.months[-1].total == len(at_end)

    # Events: every published event that started in the year, its registrations one by one.
    held = [event for event in db.session.scalars(select(Event))
            if event.status == EventStatus.PUBLISHED and START <= event.starts_at < END]
    by_kind: dict[str, list[int]] = {}
    present_by_event = {}
    for event in held:
        figures = by_kind.setdefault(event.kind, [0, 0, 0, 0])
        figures[0] += 1
        present_by_event[event.id] = set()
        for registration in db.session.scalars(select(Registration).where(
                Registration.event_id == event.id)):
            if registration.status != RegistrationStatus.REGISTERED:
                continue
            figures[1] += 1
            figures[2] += registration.attended is True
            figures[3] += registration.attended is not None
            if registration.attended:
                present_by_event[event.id].add(registration.person_id)
    assert {kind.kind: [kind.events, kind.registered, kind.attended, kind.marked]
            for kind in report.events if kind.events} == by_kind
    assert by_kind[EventKind.WELCOME_MODULE][0] == 3 and by_kind[EventKind.ANNUAL_MEETING][0] == 1

    # The welcome module: who attended one held by the end of the year.
    welcomed = set()
    for event in db.session.scalars(select(Event)):
        if event.kind == EventKind.WELCOME_MODULE and event.status == EventStatus.PUBLISHED \
                and event.starts_at < END:
            welcomed |= {registration.person_id for registration in db.session.scalars(
                select(Registration).where(Registration.event_id == event.id,
                                           Registration.status == RegistrationStatus.REGISTERED,
                                           Registration.attended.is_(True)))}
    reach = report.welcome
    assert reach.participants == by_kind[EventKind.WELCOME_MODULE][2]
    assert (reach.new_members, reach.new_members_welcomed) == (
        len(newcomers), len(newcomers & welcomed))
    assert (reach.members, reach.members_welcomed) == (len(at_end), len(at_end & welcomed))
    assert reach.new_members_welcomed > 0

    # The members at the end of the year, by what they say of themselves.
    people = {person.id: person for person in db.session.scalars(select(Person))}
    profiles = Counter(people[person_id].profile for person_id in at_end)
    departments = Counter(department.code for person_id in at_end
                          for department in people[person_id].departments)
    fields = Counter(field.code for person_id in at_end for field in people[person_id].qvt_fields)
    assert {share.code: share.count for share in report.by_profile if share.count} == profiles
    assert {share.code: share.count for share in report.by_department if share.count} == \
        departments
    assert {share.code: share.count for share in report.by_field if share.count} == fields

    # The library: resources published in the year, downloads counted in its Paris months.
    published = Counter(resource.kind for resource in db.session.scalars(select(Resource))
                        if resource.published_at and START <= resource.published_at < END)
    library = report.library
    assert {share.code: share.count for share in library.published if share.count} == published
    assert sum(published.values()) > 0
    downloads = sum(count for month, count in db.session.execute(
        select(resources.DownloadCount.month, resources.DownloadCount.count))
        if month.startswith(f"{YEAR}-"))
    assert library.downloads == downloads > 100
    # No campaign in the demo: the report says so rather than zeros.
    assert report.renewal.campaign is None
