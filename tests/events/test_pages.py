"""The public pages, the calendar files and the member space, as visitors see them."""

import json
import threading
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from network.events.attendance import mark_attendance
from network.events.models import Audience, EventKind, EventMode, Registration
from network.events.services import register_member
from network.extensions import db, utcnow
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.factories import make_member, member_session
from tests.support.queries import count_queries

LINK = "https://visio.exemple.fr/atelier-qvt"


def sign_in(client, person):
    with client.session_transaction() as session:
        member_session(session, person)


def soon(days: int = 7):
    """Pages check the real time: events a few days from now."""
    return (utcnow() + timedelta(days=days)).astimezone(PARIS).replace(
        hour=14, minute=0, second=0, microsecond=0)


def test_the_online_link_is_shown_only_to_the_registered(app, client):
    event = make_event(capacity=1, starts=soon())
    anne = make_member(email="anne@exemple.fr")
    basile = make_member(email="basile@exemple.fr")
    chloe = make_member(email="chloe@exemple.fr")
    register_member(event, anne, utcnow())
    register_member(event, basile, utcnow())  # waiting
    db.session.commit()
    url = f"/evenements/{event.id}"
    assert LINK not in client.get(url).text, "anonymous"
    for person in (chloe, basile):
        sign_in(client, person)
        page = client.get(url).text
        assert LINK not in page
        assert "Le lien de connexion est donné aux personnes inscrites." in page
    assert "liste d'attente, en position 1" in client.get(url).text
    assert LINK not in client.get("/evenements").text
    assert LINK not in client.get(f"/evenements/{event.id}.ics").text
    sign_in(client, anne)
    assert LINK in client.get(url).text


def test_members_register_in_one_click_and_see_their_events_and_parcours(app, client):
    event = make_event(starts=soon())
    welcome = make_event(kind=EventKind.WELCOME_MODULE, title="Intégrer le réseau",
                         starts=soon(-30))
    anne = make_member(email="anne@exemple.fr")
    sign_in(client, anne)
    client.post(f"/evenements/{event.id}/inscription")
    assert db.session.scalar(select(Registration.status).where(
        Registration.event_id == event.id)) == "registered"
    page = client.get("/espace/evenements").text
    assert "Atelier « Télétravail et QVT »" in page and "Inscrit·e" in page
    assert "Module d'accueil à suivre" in page

    db.session.add(Registration(event_id=welcome.id, person_id=anne.id, status="registered"))
    db.session.commit()
    mark_attendance(welcome, {db.session.scalar(select(Registration.id).where(
        Registration.event_id == welcome.id))}, utcnow())
    db.session.commit()
    page = client.get("/espace/evenements").text
    assert "Module d'accueil suivi" in page and "présent·e" in page
    data = json.loads(client.get("/espace/mes-donnees.json").data)
    assert [r["evenement"] for r in data["inscriptions_aux_evenements"]] == [
        "Intégrer le réseau", "Atelier « Télétravail et QVT »"]


def test_anonymous_visitors_are_asked_to_sign_in_to_register(app, client):
    event = make_event(starts=soon())
    response = client.post(f"/evenements/{event.id}/inscription")
    assert response.status_code == 302
    assert response.location == f"/connexion?next=/evenements/{event.id}"
    page = client.get(f"/evenements/{event.id}").text
    assert "Connectez-vous à votre espace membre" in page
    assert "inscription-externe" not in page, "members only: no guest form"
    public = make_event(starts=soon(), audience=Audience.PUBLIC)
    assert "inscription-externe" in client.get(f"/evenements/{public.id}").text


def test_the_list_puts_upcoming_first_then_past_and_filters(app, client):
    make_event(title="Passé récent", starts=soon(-10))
    make_event(title="Passé ancien", starts=soon(-400))
    make_event(title="Bientôt", starts=soon(3))
    make_event(title="Plus tard", starts=soon(20), kind=EventKind.WEBINAR)
    make_event(title="Brouillon", starts=soon(5), publish=False)
    page = client.get("/evenements").text
    order = [title for title in ("Bientôt", "Plus tard", "Passé récent", "Passé ancien")]
    assert sorted(order, key=page.index) == order
    assert "Brouillon" not in page
    webinars = client.get("/evenements?type=webinaire").text
    assert "Plus tard" in webinars and "Bientôt" not in webinars
    year = soon(-400).year
    assert "Passé ancien" in client.get(f"/evenements?annee={year}").text
    assert client.get("/evenements?type=nimportequoi&annee=abc").status_code == 200


def test_the_list_runs_the_same_queries_for_few_or_many_events(app, client):
    for n in range(2):
        make_event(title=f"Événement {n}", starts=soon(n + 1))
    few = count_queries(client, "/evenements")
    for n in range(30):
        make_event(title=f"Autre {n}", starts=soon(n - 15))
    assert count_queries(client, "/evenements") == few
    assert count_queries(client, "/evenements?page=2") == few


@pytest.mark.parametrize("month, offset", [(1, 1), (7, 2)])
def test_the_ics_keeps_paris_time_in_winter_and_summer(app, client, month, offset):
    from datetime import datetime

    starts = datetime(2027, month, 14, 9, 30, tzinfo=PARIS)
    event = make_event(starts=starts, mode=EventMode.IN_PERSON, online_url=None,
                       address="Aract Occitanie, Toulouse")
    calendar = Calendar.from_ical(client.get(f"/evenements/{event.id}.ics").data)
    [component] = calendar.walk("VEVENT")
    start = component.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Paris" or component["dtstart"].params["TZID"] == \
        "Europe/Paris"
    assert (start.hour, start.minute) == (9, 30)
    assert start.utcoffset() == timedelta(hours=offset)
    assert component.decoded("dtend") - start == timedelta(hours=2)
    assert str(component["location"]) == "Aract Occitanie, Toulouse"
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Europe/Paris"
    assert {sub.name for sub in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_the_feed_lists_public_events_only(app, client):
    make_event(title="Ouvert à tous", audience=Audience.PUBLIC, starts=soon())
    make_event(title="Entre membres", starts=soon())
    make_event(title="Brouillon public", audience=Audience.PUBLIC, publish=False)
    response = client.get("/evenements.ics")
    assert response.content_type.startswith("text/calendar")
    summaries = [str(c["summary"]) for c in Calendar.from_ical(response.data).walk("VEVENT")]
    assert summaries == ["Ouvert à tous"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_twenty_members_at_once_for_ten_places_on_postgresql(make_app):
    app = make_app()
    with app.app_context():
        event_id = make_event(capacity=10, starts=soon()).id
        people = [make_member(email=f"m{n}@exemple.fr").id for n in range(20)]
    start, errors = threading.Barrier(20), []

    def register(person_id):
        with app.app_context():
            try:
                from network.events.models import Event
                from network.membership.models import Person

                start.wait()
                register_member(db.session.get(Event, event_id),
                                db.session.get(Person, person_id), utcnow())
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        rows = db.session.execute(select(Registration.status, Registration.seq).where(
            Registration.event_id == event_id).order_by(Registration.seq)).all()
        assert [status for status, _ in rows] == ["registered"] * 10 + ["waiting"] * 10
        assert [seq for _, seq in rows] == list(range(1, 21)), "one turn each, in order"



def test_the_home_page_announces_the_next_events(app, client):
    assert "Aucun événement programmé pour le moment." in client.get("/").text
    make_event(title="Passé", starts=soon(-3))
    make_event(title="Le prochain", starts=soon(2))
    make_event(title="Brouillon", starts=soon(1), publish=False)
    page = client.get("/").text
    assert "Le prochain" in page and "Passé" not in page and "Brouillon" not in page
