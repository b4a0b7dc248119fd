"""What the events list says of each event (format, town, audience, past), and no calendar
file for an event that is over."""

import re
from datetime import timedelta

from network.events.models import Audience, EventMode
from network.events.services import register_member, registration_token
from network.extensions import db
from tests.events.helpers import make_event
from tests.events.test_pages import soon
from tests.factories import make_member


def card(page: str, title: str) -> str:
    """The text of the list's card of the event titled `title`, without its tags."""
    start = page.index(f">{title}</a>")
    text = page[page.rindex("<article", 0, start):page.index("</article>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_each_event_shows_its_format_town_and_audience(app, client):
    make_event(title="Webinaire sur le télétravail", starts=soon(3), mode=EventMode.REMOTE)
    make_event(title="Atelier à Toulouse", starts=soon(4), mode=EventMode.IN_PERSON,
               online_url=None, address="Aract Occitanie, 12 rue X, 31000 Toulouse",
               audience=Audience.PUBLIC)
    make_event(title="Rendez-vous annuel", starts=soon(5), mode=EventMode.HYBRID,
               address="Hôtel de Région, Montpellier")
    page = client.get("/evenements").text
    assert "À distance · réservé aux membres" in card(page, "Webinaire sur le télétravail")
    assert "Présentiel · Toulouse · ouvert à tous" in card(page, "Atelier à Toulouse")
    assert "Hybride · Montpellier · réservé aux membres" in card(page, "Rendez-vous annuel")
    assert "Passé" not in page


def test_past_events_are_marked_and_offer_no_calendar_file(app, client):
    past = make_event(title="Atelier de la veille", starts=soon(-2), mode=EventMode.IN_PERSON,
                      online_url=None, address="Aract Occitanie, Toulouse")
    coming = make_event(title="Atelier prévu demain", starts=soon(2))
    page = client.get("/evenements").text
    assert "Passé" in card(page, "Atelier de la veille")
    assert "Passé" not in card(page, "Atelier prévu demain")

    detail = client.get(f"/evenements/{past.id}").text
    assert "Cet événement a eu lieu." in detail
    assert f"/evenements/{past.id}.ics" not in detail
    assert f"/evenements/{coming.id}.ics" in client.get(f"/evenements/{coming.id}").text

    response = client.get(f"/evenements/{past.id}.ics")
    assert response.status_code == 410
    assert response.content_type.startswith("text/html")
    assert "Cet événement est passé" in response.text
    assert "BEGIN:VCALENDAR" not in response.text
    assert client.get(f"/evenements/{coming.id}.ics").text.startswith("BEGIN:VCALENDAR")


def test_a_registration_page_offers_no_calendar_file_once_the_event_is_over(app, client):
    past = make_event(starts=soon(-2))
    anne = make_member(email="anne@exemple.fr")
    registration = register_member(past, anne, past.starts_at - timedelta(days=1))
    db.session.commit()
    page = client.get(f"/evenements/inscription/{registration_token(registration)}").text
    assert "Votre inscription est confirmée." in page
    assert ".ics" not in page
