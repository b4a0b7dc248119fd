"""/actualites: the published items only, the open calls for projects first with their deadline,
the closed ones marked « clos », a filter by kind, pages of a constant number of queries; each
item's page; the home page's latest items; the menu."""

import re
from datetime import date, timedelta

from network.extensions import db
from network.news.models import NewsKind
from network.news.services import paris_today, public_news
from tests.factories import make_member, member_session
from tests.news.helpers import TODAY, make_call, make_news, utc
from tests.support.queries import count_queries


def titles(page: str) -> list[str]:
    return re.findall(r'<a href="/actualites/\d+">([^<]+)</a>', page)


def the_news():
    make_call("Appel clos hier", TODAY - timedelta(days=1), published=utc(2026, 11, 1, 9))
    make_call("Appel de janvier", date(2027, 1, 31), published=utc(2026, 11, 20, 9))
    make_call("Appel de décembre", date(2026, 12, 15), published=utc(2026, 10, 1, 9))
    make_call("Appel clos ce soir", TODAY, published=utc(2026, 9, 1, 9))
    make_news("Partenariat avec l'ARS", NewsKind.PARTNERSHIP, published=utc(2026, 11, 21, 9))
    make_news("Retour sur le webinaire", published=utc(2026, 11, 22, 9))
    make_news("Brouillon à ne pas montrer", published=None)


def test_open_calls_come_first_by_deadline_then_the_latest(app, client):
    the_news()
    page = client.get("/actualites")
    assert page.status_code == 200
    assert titles(page.text) == [
        "Appel clos ce soir", "Appel de décembre", "Appel de janvier",
        "Retour sur le webinaire", "Partenariat avec l'ARS", "Appel clos hier"]
    assert "Brouillon à ne pas montrer" not in page.text
    assert "jusqu'au 15 décembre 2026 inclus" in page.text
    assert "jusqu'au 23 novembre 2026 inclus" in page.text, "open on its last day"
    closed = page.text.split("Appel clos hier")[1].split("</article>")[0]
    assert ">Clos</span> date limite passée (22 novembre 2026)" in closed


def test_a_deadline_ends_at_midnight_in_paris(app):
    call = make_call("Appel", TODAY)
    # 23 h 30 in UTC on the 23rd is already the 24th in Paris.
    late = utc(2026, 11, 23, 23, 30)
    assert paris_today(late) == TODAY + timedelta(days=1)
    assert call.call_state(paris_today(utc(2026, 11, 23, 22, 59))) == "open"
    assert call.call_state(paris_today(late)) == "closed"
    order = db.session.scalars(public_news(paris_today(late))).all()
    assert order == [call]


def test_the_filter_by_kind(app, client):
    the_news()
    calls = titles(client.get("/actualites?type=appel").text)
    assert calls == ["Appel clos ce soir", "Appel de décembre", "Appel de janvier",
                     "Appel clos hier"]
    assert titles(client.get("/actualites?type=partenariat").text) == ["Partenariat avec l'ARS"]
    # An unknown kind is ignored, as the other filters of the site ignore theirs.
    assert len(titles(client.get("/actualites?type=%C3%A9").text)) == 6
    assert titles(client.get("/actualites?type=actualite").text) == ["Retour sur le webinaire"]


def test_an_empty_kind_says_so(app, client):
    make_news("Retour sur le webinaire")
    assert "Aucune actualité de ce type pour le moment." in client.get(
        "/actualites?type=partenariat").text


def test_pages_cost_the_same_number_of_queries_whatever_their_length(app, client):
    app.config["NEWS_PAGE_SIZE"] = 10
    make_news("Seule")
    few = count_queries(client, "/actualites")
    for number in range(24):
        make_call(f"Appel {number}", TODAY + timedelta(days=number), summary=f"Résumé {number}")
    full = count_queries(client, "/actualites")
    assert full == few
    second = client.get("/actualites?page=2").text
    assert len(titles(second)) == 10 and "Pages des actualités" in second
    assert client.get("/actualites?page=9").status_code == 404


def test_an_item_s_page(app, client):
    item = make_news("Journée régionale", body="## Programme\n\n<script>alert(1)</script> "
                     "[inscription](https://exemple.fr/j)", link="https://exemple.fr/journee")
    page = client.get(f"/actualites/{item.id}").text
    assert "<h2>Programme</h2>" in page
    assert "<script>alert(1)" not in page, "sanitised like the site's other Markdown"
    assert 'href="https://exemple.fr/journee" rel="noopener noreferrer">En savoir plus' in page
    assert "Publié le 23 novembre 2026" in page


def test_drafts_and_unknown_items_are_not_found(app, client):
    draft = make_news("Brouillon", published=None)
    for url in (f"/actualites/{draft.id}", "/actualites/999", "/actualites/2147483648",
                "/actualites/-1", "/actualites/abc"):
        assert client.get(url).status_code == 404, url


def test_the_home_page_shows_the_latest_items_open_calls_first(app, client):
    the_news()
    home = client.get("/").text
    section = home.split('id="actualites"')[1].split("</section>")[0]
    assert titles(section) == ["Appel clos ce soir", "Appel de décembre", "Appel de janvier"]
    assert 'href="/actualites">Toutes les actualités' in section


def test_the_home_page_without_news(app, client):
    assert "Aucune actualité pour le moment." in client.get("/").text


def test_the_menu_and_the_feed_s_autodiscovery_on_every_page(app, client):
    item = make_news("Actualité")
    anne = make_member()
    for path in ("/", "/evenements", "/actualites", f"/actualites/{item.id}", "/rejoindre"):
        page = client.get(path).text
        head, header = page.split("</head>")[0], page.split("<main")[0]
        assert ('<link rel="alternate" type="application/atom+xml" '
                'title="Actualités du réseau (Atom)" href="/actualites.atom">') in head, path
        assert 'href="/actualites"' in header and ">Actualités</a>" in header, path
    current = client.get("/actualites").text.split("<main")[0]
    assert re.search(r'href="/actualites"\s+aria-current="page">Actualités', current)
    with client.session_transaction() as session:
        member_session(session, anne)
    assert ">Actualités</a>" in client.get("/espace").text.split("<main")[0]

