"""`flask demo`: fake members with a consistent history, reproducible, only on an empty base."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.demo import LAUNCH, PROFILE_WEIGHT, generate_demo_members
from network.extensions import db
from network.membership.models import (
    CharterAcceptance,
    CharterVersion,
    ExitReason,
    Person,
    Status,
    StatusChange,
)
from network.reference import PROFILES
from network.resources.demo import generate_demo_resources
from network.resources.demo_library import LINKS
from tests.factories import NOW, make_member


@pytest.fixture(autouse=True)
def storage(app, tmp_path):
    """The demo's files go to a folder of the test, never to the instance folder."""
    app.config["RESOURCE_STORAGE_DIR"] = str(tmp_path / "files")


def people() -> list[Person]:
    return list(db.session.scalars(select(Person).order_by(Person.id)))


def history(person: Person) -> list[tuple]:
    changes = db.session.scalars(select(StatusChange).where(StatusChange.person_id == person.id)
                                 .order_by(StatusChange.changed_at, StatusChange.id))
    return [(change.from_status, change.to_status, change.changed_at) for change in changes]


def acceptances(person: Person) -> list[CharterAcceptance]:
    return list(db.session.scalars(
        select(CharterAcceptance).where(CharterAcceptance.person_id == person.id)))


def test_demo_members_have_a_consistent_history(app):
    created = generate_demo_members(50, NOW, random.Random(2019))

    everyone = people()
    assert len(everyone) == 50 == sum(created.values())
    statuses = Counter(person.status for person in everyone)
    assert statuses == created
    assert statuses[Status.MEMBER] > statuses[Status.EXITED] > 0
    assert statuses[Status.APPLICANT] > 0
    assert len({person.email for person in everyone}) == 50
    assert all(person.email.endswith(("@exemple.fr", "@exemple.org")) for person in everyone)
    assert {person.profile for person in everyone} <= {code for code, _ in PROFILES}
    for person in everyone:
        assert 1 <= len(person.departments) <= 3
        assert 1 <= len(person.qvt_fields) <= 4
        assert person.first_name and person.last_name and person.organisation
        assert person.phone[:2] in ("04", "05")
        assert LAUNCH <= person.applied_at == person.created_at < NOW
        steps = history(person)
        assert steps[0] == (None, Status.APPLICANT, person.applied_at)
        if person.status == Status.APPLICANT:
            assert len(steps) == 1 and not acceptances(person)
            assert person.applied_at > NOW - timedelta(days=20)
            assert person.charter_nonce and person.member_since is None
            continue
        assert person.charter_nonce is None
        assert person.applied_at < person.member_since < NOW
        assert steps[1] == (Status.APPLICANT, Status.MEMBER, person.member_since)
        [acceptance] = acceptances(person)
        assert acceptance.accepted_at == person.member_since
        assert acceptance.charter_version.number == 1
        if person.status == Status.MEMBER:
            assert len(steps) == 2 and person.exited_at is None and person.exit_reason is None
        else:
            assert person.exit_reason in set(ExitReason)
            assert person.member_since < person.exited_at <= NOW
            assert steps[2:] == [(Status.MEMBER, Status.EXITED, person.exited_at)]


def test_a_large_demo_has_a_realistic_mix(app):
    generate_demo_members(600, NOW, random.Random(1))

    everyone = people()
    profiles = Counter(person.profile for person in everyone)
    assert set(profiles) == set(PROFILE_WEIGHT) == {code for code, _ in PROFILES}
    assert profiles.most_common(1)[0][0] == "consultant"
    departments = Counter(d.code for person in everyone for d in person.departments)
    assert [code for code, _ in departments.most_common(2)] == ["31", "34"]
    assert len(departments) == 13
    reasons = Counter(person.exit_reason for person in everyone if person.exit_reason)
    # A refused application needs the admission review, which the demo leaves off.
    assert set(reasons) == set(ExitReason) - {ExitReason.APPLICATION_REFUSED}
    assert any(person.listed_on_reflex_qvt for person in everyone)
    assert any(person.directory_opt_in for person in everyone)
    # The history spans the years since the launch.
    assert {person.applied_at.year for person in everyone} >= set(range(2019, 2027))


def test_members_accept_the_charter_in_force_on_that_day(app):
    version_2 = CharterVersion(number=2, title="Charte", text_markdown="Texte",
                               published_at=datetime(2023, 1, 1, tzinfo=UTC))
    db.session.add(version_2)
    db.session.commit()

    generate_demo_members(80, NOW, random.Random(3))

    numbers = {(acceptance.accepted_at >= version_2.published_at,
                acceptance.charter_version.number)
               for acceptance in db.session.scalars(select(CharterAcceptance))}
    assert numbers == {(False, 1), (True, 2)}


def test_the_same_seed_gives_the_same_people(app):
    generate_demo_members(20, NOW, random.Random(7))
    generate_demo_members(20, NOW, random.Random(7))
    generate_demo_members(20, NOW, random.Random(8))

    everyone = people()
    names = [(p.first_name, p.last_name, p.organisation, p.applied_at) for p in everyone]
    assert names[:20] == names[20:40] != names[40:]
    # Added to existing people, the e-mail addresses stay unique.
    assert len({person.email for person in everyone}) == 60


def test_the_command_fills_an_empty_database_and_shows_progress(app):
    result = app.test_cli_runner().invoke(args=["demo", "--members", "30"])

    assert result.exit_code == 0, result.output
    assert "30/30 membres…" in result.output
    assert "Personnes fictives créées : 30" in result.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 30


def test_the_command_refuses_a_database_that_is_not_empty_unless_forced(app):
    make_member()
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["demo", "--members", "10"])
    assert refused.exit_code == 1
    assert "ne remplit qu'une base vide" in refused.output
    assert "--force" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1

    forced = runner.invoke(args=["demo", "--members", "10", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Personnes déjà présentes : 1" in forced.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 11


def test_demo_events_follow_the_networks_history_with_plausible_attendance(app):
    from network.events.demo import generate_demo_events
    from network.events.models import Event, EventKind, Registration

    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    generate_demo_members(400, now, random.Random(7))
    count = generate_demo_events(now, random.Random(7))
    events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert len(events) == count
    workshops_2021 = [e for e in events if e.kind == EventKind.WORKSHOP
                      and e.starts_at.year == 2021]
    assert len(workshops_2021) == 13 and len({e.theme_names[0] for e in workshops_2021}) == 3
    assert [e.starts_at.year for e in events[:4]] == [2019, 2020, 2020, 2020]
    assert any(e.starts_at > now for e in events), "something to register for"
    rows = db.session.execute(select(Registration, Event, Person).join(Event).join(
        Person, Registration.person_id == Person.id)).all()
    for registration, event, person in rows:
        assert person.member_since < event.starts_at, "members at the time only"
        assert (registration.attended is None) == (event.ends_at > now)
    attended = [r for r, e, _ in rows if e.ends_at <= now]
    assert 0.7 < sum(r.attended for r in attended) / len(attended) < 0.95


def test_extra_events_are_spread_over_the_years_with_the_members_of_the_time(app):
    from network.events.demo import TOPICS, generate_demo_events, generate_extra_events
    from network.events.models import Event, Registration

    generate_demo_members(300, NOW, random.Random(7))
    calendar = generate_demo_events(NOW, random.Random(7))
    assert generate_extra_events(40, NOW, random.Random(8)) == 40

    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert len(events) == calendar + 40
    extra = events[calendar:]
    assert all(len(event.theme_names) == 1 and event.theme_names[0] in TOPICS for event in extra)
    assert {event.starts_at.year for event in extra} >= set(range(2020, 2027))
    assert any(event.starts_at > NOW for event in extra), "something to register for"
    for event in extra:
        registrations = db.session.scalars(select(Registration).where(
            Registration.event_id == event.id).order_by(Registration.seq)).all()
        assert registrations, event.title
        assert event.registration_seq == len(registrations)
        assert [r.seq for r in registrations] == list(range(1, len(registrations) + 1))
        assert event.capacity is None or len(registrations) <= event.capacity
        for registration in registrations:
            person = registration.person
            assert person.member_since < event.starts_at, "members at the time only"
            assert person.exited_at is None or person.exited_at > event.starts_at
            assert (registration.attended is None) == (event.ends_at > NOW)


def test_demo_resources_fill_a_searchable_library(app):
    from network.events.demo import generate_demo_events
    from network.resources.models import Resource, ResourceStatus, Visibility
    from network.resources.services import ResourceFilter, find_resources

    generate_demo_members(100, NOW, random.Random(7))
    generate_demo_events(NOW, random.Random(7))
    assert generate_demo_resources(60, NOW, random.Random(9)) == 60

    resources = db.session.scalars(select(Resource).order_by(Resource.id)).all()
    assert len(resources) == 60
    assert {r.status for r in resources} == {ResourceStatus.PUBLISHED}
    assert {r.visibility for r in resources} == set(Visibility)
    assert len({r.kind for r in resources}) >= 5
    assert all(1 <= len(r.themes) <= 2 for r in resources)
    pdfs = [r for r in resources if r.extracted_text]
    assert len(pdfs) == 20
    assert all(r.file_type == "application/pdf" and r.file_name.endswith(".pdf")
               and len(r.extracted_text.split()) > 300 for r in pdfs)
    assert all(r.external_url for r in resources if not r.extracted_text)
    attached = [r for r in resources if r.event_id]
    assert attached and all(r.event.ends_at <= NOW and r.dated == r.event.starts_at.date()
                            for r in attached)
    assert [r.dated for r in resources] == sorted(r.dated for r in resources)

    # Indexed as the application indexes an upload: a word without its accents finds them,
    # the words of a PDF's text too, and the public sees only the public ones.
    def found(words: str, for_members: bool) -> set[int]:
        return {r.id for r in db.session.scalars(
            find_resources(ResourceFilter(words=words), for_members))}

    everyone = found("teletravail", for_members=True)
    assert everyone and len(everyone) < 60
    assert everyone == {r.id for r in resources if "télétravail" in " ".join(
        [r.title, r.summary, r.description_markdown, r.extracted_text]).lower()}
    assert found("teletravail", for_members=False) == {
        r.id for r in resources if r.id in everyone and r.visibility == Visibility.PUBLIC}
    only_in_pdfs = [r for r in pdfs if "déconnexion" in r.extracted_text
                    and "déconnexion" not in r.title + r.summary + r.description_markdown]
    assert only_in_pdfs and {r.id for r in only_in_pdfs} <= found("deconnexion", True)


def test_the_command_adds_events_and_resources_when_asked(app):
    from network.events.models import Event
    from network.resources.models import Resource

    runner = app.test_cli_runner()
    plain = runner.invoke(args=["demo", "--members", "40"])
    assert plain.exit_code == 0, plain.output
    calendar = db.session.scalar(select(func.count()).select_from(Event))
    # The network's own library only: the newsletter's links and documents.
    library = db.session.scalar(select(func.count()).select_from(Resource))
    assert calendar and library > len(LINKS)
    assert f"Bibliothèque du réseau (liens utiles et documents) : {library} ressources" in (
        plain.output)

    more = runner.invoke(args=["demo", "--members", "10", "--force", "--events", "7",
                               "--resources", "12"])
    assert more.exit_code == 0, more.output
    assert "7/7 événements…" in more.output and "12/12 ressources…" in more.output
    assert "Événements fictifs ajoutés : 7" in more.output
    assert "Ressources fictives publiées : 12" in more.output
    assert db.session.scalar(select(func.count()).select_from(Event)) == calendar + 7
    assert "Bibliothèque du réseau (liens utiles et documents) : 0 ressources" in more.output
    assert db.session.scalar(select(func.count()).select_from(Resource)) == library + 12
