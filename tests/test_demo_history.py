"""`flask demo` tells the network's real history: its dated events, weekdays at working hours,
registrations placed before each event, a library whose files download and the newsletter's
links."""

import hashlib
import random
from collections import Counter
from datetime import date, time

import pytest
from sqlalchemy import func, select

from network.demo import generate_demo_members
from network.events.demo import generate_demo_events, generate_extra_events
from network.events.models import Event, EventKind, EventMode, Registration
from network.extensions import db
from network.membership.models import Person, Status
from network.resources.demo import generate_demo_resources
from network.resources.demo_library import generate_seed_library
from network.resources.files import pdf_text, stored_path
from network.resources.models import Resource, Visibility
from network.templating import PARIS
from tests.factories import NOW, member_session

# The useful links of the network's newsletter, with its addresses.
SEED_LINKS = {
    "http://www.prst-occitanie.fr/r/21/objectif-4-ameliorer-la-qualite-de-vie-au-travail/",
    "http://www.prst-occitanie.fr/fr/21/objectif-4-ameliorer-la-qualite-de-vie-au-travail/",
    "http://www.prst-occitanie.fr/a/384/la-sante-au-travail-en-mouvement-des-outils-a-votre-"
    "disposition-support-et-replay-du-webinaire-du-18-05-2021/",
    "https://occitanie.aract.fr/acteurs-et-ressources-qvt-en-occitanie",
    "https://occitanie.aract.fr/outil-dauto-positionnement-qvt-pour-les-tpe-pme",
    "https://reflexqvt.anact.fr/fr/",
    "https://semaineqvt.anact.fr/",
}
THEMES_2021 = {"Convaincre de s'engager dans une démarche QVT",
               "La mobilisation et la place des acteurs",
               "S'outiller sur le démarrage : l'état des lieux"}


@pytest.fixture(autouse=True)
def storage(app, tmp_path):
    """The demo's files go to a folder of the test, never to the instance folder."""
    app.config["RESOURCE_STORAGE_DIR"] = str(tmp_path / "files")


@pytest.fixture
def calendar(app):
    generate_demo_members(300, NOW, random.Random(7))
    generate_demo_events(NOW, random.Random(7))
    return db.session.scalars(select(Event).order_by(Event.starts_at)).all()


def local(event: Event):
    return event.starts_at.astimezone(PARIS), event.ends_at.astimezone(PARIS)


def on(events, day: date) -> list[Event]:
    return [event for event in events if local(event)[0].date() == day]


def test_the_networks_dated_history_is_in_the_demo(calendar):
    [launch] = on(calendar, date(2019, 11, 22))
    assert calendar[0] is launch
    assert launch.kind == EventKind.ANNUAL_MEETING and launch.mode == EventMode.IN_PERSON
    assert "Lancement du réseau" in launch.title
    assert launch.address == "Lézignan-Corbières (Aude)"
    # Nobody was a member before the launch: its guests, erased since, as the retention does.
    guests = db.session.scalars(select(Registration).where(
        Registration.event_id == launch.id)).all()
    assert len(guests) > 50 and all(r.person_id is None and r.guest_email is None
                                    for r in guests)

    webinars = on(calendar, date(2020, 6, 19))
    assert len(webinars) == 2 and {e.kind for e in webinars} == {EventKind.WEBINAR}
    assert all("Semaine de la QVT 2020" in e.title and e.mode == EventMode.REMOTE
               for e in webinars)
    [conference] = on(calendar, date(2020, 9, 2))
    assert conference.title.startswith("Webconférence") and "Reflex QVT" in conference.summary

    workshops = [e for e in calendar if e.kind == EventKind.WORKSHOP
                 and date(2021, 1, 1) <= local(e)[0].date() <= date(2021, 3, 31)]
    assert len(workshops) == 13
    themes = Counter(e.theme_names[0] for e in workshops)
    assert set(themes) == THEMES_2021 and sorted(themes.values()) == [4, 4, 5]
    assert {e.address for e in workshops} == {"Aract Occitanie, Toulouse",
                                              "Aract Occitanie, Montpellier"}
    assert {e.mode for e in workshops} == {EventMode.IN_PERSON}
    assert all(e.theme_names[0] in e.title for e in workshops)

    [webinar_2021] = on(calendar, date(2021, 6, 18))
    assert webinar_2021.kind == EventKind.WEBINAR
    assert "depuis son lancement" in webinar_2021.summary
    # Before the Rendez-vous annuel of 2022, nothing but the history above.
    assert len([e for e in calendar if e.starts_at.year < 2022]) == 1 + 2 + 1 + 13 + 1


def test_every_event_says_what_it_is_for(calendar):
    assert all(event.summary and event.description_markdown for event in calendar)
    welcome = [e for e in calendar if e.kind == EventKind.WELCOME_MODULE]
    assert welcome and all("Intégrer le réseau des intervenants QVT en Occitanie" in e.title
                           and "Reflex QVT" in e.summary for e in welcome)
    reinforcement = [e for e in calendar if e.kind == EventKind.REINFORCEMENT_MODULE]
    assert reinforcement and all("Partager des fondamentaux sur la QVT" in e.title
                                 and "même vision de la QVT" in e.summary
                                 for e in reinforcement)
    meetings = [e for e in calendar if e.title.startswith("Rendez-vous annuel du réseau")]
    assert [e.starts_at.year for e in meetings] == list(range(2022, 2027))
    # At the Semaine QVT, in the second half of June.
    assert all(local(e)[0].month == 6 and local(e)[0].day >= 18 for e in meetings)


def test_every_event_is_on_a_weekday_within_working_hours(calendar):
    generate_extra_events(200, NOW, random.Random(8))

    events = db.session.scalars(select(Event)).all()
    assert len(events) == len(calendar) + 200
    for event in events:
        start, end = local(event)
        assert start.weekday() < 5, (event.title, start)
        assert start.date() == end.date() and time(9) <= start.time() < end.time() <= time(17), (
            event.title, start, end)
    extra = events[len(calendar):]
    # Until 2021 the network met at a distance (the health crisis).
    assert all(e.mode == EventMode.REMOTE for e in extra if e.starts_at.year == 2020)


def test_registrations_are_placed_before_their_event_and_never_after_today(calendar):
    generate_extra_events(60, NOW, random.Random(8))

    rows = db.session.execute(select(Registration, Event).join(Event)).all()
    assert len(rows) > 1000
    members = dict(db.session.execute(select(Person.id, Person.member_since)).all())
    for registration, event in rows:
        placed = registration.created_at
        assert placed == registration.placed_at
        assert event.published_at <= placed < event.starts_at, event.title
        assert placed <= NOW
        if registration.person_id is not None:
            assert members[registration.person_id] <= placed, "a member when placed"
    upcoming = [r for r, e in rows if e.starts_at > NOW]
    assert upcoming and all(r.attended is None for r in upcoming)


def test_every_file_of_the_demo_library_downloads(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "--members", "60", "--resources", "30"])
    assert result.exit_code == 0, result.output

    files = db.session.scalars(select(Resource).where(Resource.file_hash.is_not(None))).all()
    assert len(files) >= 10 + 5
    assert {r.visibility for r in files} == set(Visibility)
    member = db.session.scalar(select(Person).where(Person.status == Status.MEMBER).limit(1))
    with client.session_transaction() as session:
        member_session(session, member)
    for resource in files:
        assert stored_path(resource.file_hash).exists()
        response = client.get(f"/ressources/{resource.id}/fichier")
        assert response.status_code == 200, resource.title
        assert response.mimetype == "application/pdf"
        content = response.get_data()
        response.close()
        assert content.startswith(b"%PDF-") and len(content) == resource.file_size
        assert hashlib.sha256(content).hexdigest() == resource.file_hash
        assert response.headers["Content-Disposition"].startswith("attachment")
        # A real PDF: its text reads back, accents included, after its title.
        assert pdf_text(content).endswith(" ".join(resource.extracted_text.split()))


def test_the_newsletters_documents_are_real_pdfs_whose_text_is_searchable(app, calendar):
    assert generate_seed_library(NOW) == len(SEED_LINKS) + 5

    documents = {r.title: r for r in db.session.scalars(select(Resource).where(
        Resource.file_hash.is_not(None)))}
    newsletter = documents["Lettre d'information du réseau des intervenants QVT en Occitanie – "
                           "2021"]
    assert "22 novembre 2019 : lancement du réseau à Lézignan-Corbières" in (
        newsletter.extracted_text)
    assert newsletter.served_file_name == (
        "lettre-information-reseau-intervenants-qvt-occitanie-2021.pdf")
    syntheses = [r for title, r in documents.items() if title.startswith("Synthèse des ateliers")]
    assert len(syntheses) == 3
    assert {name for r in syntheses for name in r.theme_names} == THEMES_2021 | {"Démarche QVT"}
    for synthesis in syntheses:
        # Attached to the last workshop of its theme, dated that day.
        assert synthesis.event.kind == EventKind.WORKSHOP
        assert synthesis.dated == local(synthesis.event)[0].date()
        assert "Trois idées clés" in synthesis.extracted_text
    [slides] = [r for title, r in documents.items() if title.startswith("Support du module")]
    assert slides.visibility == Visibility.MEMBERS
    assert slides.event.kind == EventKind.WELCOME_MODULE


def test_the_newsletters_links_are_in_the_library_once(app, client):
    assert generate_seed_library(NOW) == len(SEED_LINKS) + 4  # no welcome module held yet
    assert generate_seed_library(NOW) == 0

    links = db.session.scalars(select(Resource).where(Resource.external_url.is_not(None))).all()
    assert {r.external_url for r in links} == SEED_LINKS
    assert len(links) == len(SEED_LINKS)
    assert all(r.visibility == Visibility.PUBLIC and r.file_hash is None for r in links)
    reflex = next(r for r in links if r.title == "Reflex QVT")
    response = client.get(f"/ressources/{reflex.id}/fichier")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://reflexqvt.anact.fr/fr/"


def test_a_missing_file_is_written_again_by_a_new_run(app, client):
    generate_seed_library(NOW)
    newsletter = db.session.scalar(select(Resource).where(
        Resource.kind == "lettre", Resource.file_hash.is_not(None)))
    stored_path(newsletter.file_hash).unlink()
    assert client.get(f"/ressources/{newsletter.id}/fichier").status_code == 404

    assert generate_seed_library(NOW) == 0
    response = client.get(f"/ressources/{newsletter.id}/fichier")
    response.close()
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Resource)) == len(SEED_LINKS) + 4


def test_generated_pdfs_are_stored_once_whatever_the_runs(app):
    generate_demo_resources(9, NOW, random.Random(9))
    generate_demo_resources(9, NOW, random.Random(9))

    hashes = db.session.scalars(select(Resource.file_hash).where(
        Resource.file_hash.is_not(None))).all()
    assert len(hashes) == 6 and len(set(hashes)) == 3
    assert all(stored_path(digest).exists() for digest in hashes)
