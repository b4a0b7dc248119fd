"""/actualites.atom, read with a parser as a feed reader would: RFC 4287's required elements, tag
URIs, absolute links from BASE_URL, RFC 3339 dates; the published news, the newsletters sent,
the public resources and the upcoming public events, and nothing else."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

from network.events.models import Audience
from network.events.services import cancel_event
from network.extensions import db
from network.mailings.models import Mailing
from tests.conftest import ADMIN_EMAIL, FROZEN_NOW
from tests.events.helpers import make_event
from tests.news.helpers import TODAY, make_call, make_news, utc
from tests.resources.test_library import make_resource

NS = {"atom": "http://www.w3.org/2005/Atom"}
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TAG_URI = re.compile(r"^tag:reseau\.test,\d{4}-\d{2}-\d{2}:[a-z]+/\d+$")
SITE = "http://reseau.test/"


def rfc3339(text: str) -> datetime:
    assert RFC_3339.match(text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def the_one(element, path: str) -> ElementTree.Element:
    found = element.findall(path, NS)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0]


def letter(subject: str, sent: bool, newsletter: bool = True) -> Mailing:
    mailing = Mailing(subject=subject, body_markdown="Texte", created_by=ADMIN_EMAIL,
                      created_at=FROZEN_NOW - timedelta(days=3), newsletter=newsletter)
    if sent:
        mailing.send_requested_at = FROZEN_NOW - timedelta(days=2)
        mailing.queued_at = FROZEN_NOW - timedelta(days=2, minutes=-1)
    db.session.add(mailing)
    db.session.commit()
    return mailing


def a_bit_of_everything():
    make_call("Appel à projets « R&D <QVT> »", TODAY + timedelta(days=30),
              published=utc(2026, 11, 10, 9))
    make_news("Retour sur l'atelier", published=utc(2026, 11, 20, 9))
    make_news("Brouillon", published=None)
    letter("Lettre d'information n° 7", sent=True)
    letter("Lettre pas encore partie", sent=False)
    letter("Rappel d'un atelier", sent=True, newsletter=False)
    make_resource("Guide public")
    make_resource("Guide des membres", visibility="membres")
    make_resource("Guide en brouillon", publish=False)
    make_event(title="Webinaire ouvert à tous", audience=Audience.PUBLIC,
               starts=FROZEN_NOW + timedelta(days=10))
    make_event(title="Atelier des membres", audience=Audience.MEMBERS)
    make_event(title="Webinaire passé", audience=Audience.PUBLIC,
               starts=FROZEN_NOW - timedelta(days=10))
    make_event(title="Webinaire en brouillon", audience=Audience.PUBLIC, publish=False)
    cancelled = make_event(title="Webinaire annulé", audience=Audience.PUBLIC)
    cancel_event(cancelled, FROZEN_NOW)
    db.session.commit()


def test_the_feed_is_valid_atom_with_what_the_public_may_see(app, client):
    a_bit_of_everything()
    response = client.get("/actualites.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert response.mimetype_params == {"charset": "utf-8"}
    feed = ElementTree.fromstring(response.get_data())
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"

    # The feed's required elements (RFC 4287, 4.1.1).
    assert the_one(feed, "atom:id").text == "http://reseau.test/actualites"
    assert the_one(feed, "atom:title").text.startswith("Réseau des intervenants QVT Occitanie")
    feed_updated = rfc3339(the_one(feed, "atom:updated").text)
    assert the_one(feed, "atom:author/atom:name").text
    links = {link.get("rel"): link for link in feed.findall("atom:link", NS)}
    assert links["self"].get("href") == "http://reseau.test/actualites.atom"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "http://reseau.test/actualites"

    entries = feed.findall("atom:entry", NS)
    titles = set()
    ids = []
    for entry in entries:
        # The entries' required elements (4.1.2), each once.
        ids.append(the_one(entry, "atom:id").text)
        assert TAG_URI.match(ids[-1]), ids[-1]
        titles.add(the_one(entry, "atom:title").text)
        updated = rfc3339(the_one(entry, "atom:updated").text)
        assert updated <= feed_updated
        link = the_one(entry, "atom:link")
        assert link.get("rel") == "alternate" and link.get("href").startswith(SITE)
        assert the_one(entry, "atom:summary").text.strip()
        # Every link leads to a page the public sees.
        assert client.get(urlsplit(link.get("href")).path).status_code == 200, link.get("href")
    assert len(set(ids)) == len(ids)
    assert titles == {"Appel à projets « R&D <QVT> »", "Retour sur l'atelier",
                      "Lettre d'information n° 7", "Guide public", "Webinaire ouvert à tous"}
    assert feed_updated == max(rfc3339(the_one(e, "atom:updated").text) for e in entries)


def test_what_the_entries_say(app, client):
    a_bit_of_everything()
    feed = ElementTree.fromstring(client.get("/actualites.atom").get_data())
    by_title = {the_one(e, "atom:title").text: e for e in feed.findall("atom:entry", NS)}
    call = by_title["Appel à projets « R&D <QVT> »"]
    assert "Date limite : 23 décembre 2026." in the_one(call, "atom:summary").text
    assert the_one(call, "atom:category").get("label") == "Appel à projets"
    assert re.match(r"tag:reseau\.test,2026-11-10:actualite/\d+$", the_one(call, "atom:id").text)
    event = by_title["Webinaire ouvert à tous"]
    assert "à distance" in the_one(event, "atom:summary").text
    # The newest first.
    updates = [the_one(e, "atom:updated").text for e in feed.findall("atom:entry", NS)]
    assert updates == sorted(updates, reverse=True)


def test_an_entry_keeps_its_id_when_edited(app, client):
    item = make_news("Avant", published=utc(2026, 11, 20, 9))

    def entry_id():
        feed = ElementTree.fromstring(client.get("/actualites.atom").get_data())
        return the_one(feed, "atom:entry/atom:id").text

    before = entry_id()
    item.title = "Après"
    db.session.commit()
    assert entry_id() == before


def test_an_empty_feed_is_still_valid(app, client):
    feed = ElementTree.fromstring(client.get("/actualites.atom").get_data())
    assert feed.findall("atom:entry", NS) == []
    rfc3339(the_one(feed, "atom:updated").text)
    the_one(feed, "atom:id")


def test_a_reader_that_already_has_the_feed_gets_304(app, client):
    make_news("Actualité", published=utc(2026, 11, 20, 9))
    first = client.get("/actualites.atom")
    assert first.headers["Last-Modified"] == "Fri, 20 Nov 2026 09:00:00 GMT"
    again = client.get("/actualites.atom",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304


def test_the_news_page_links_to_the_feed(app, client):
    assert 'href="/actualites.atom">flux Atom des actualités</a>' in client.get(
        "/actualites").text
