"""The interface's French (issue 17): counts that agree with their number, times written « 9 h »,
one word for e-mail, the library's line only when it has something to say, the rate limit's page
saying how long to wait, and a page's title that matches its heading."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from network.errors import french_duration
from network.events.models import Audience
from network.extensions import db
from network.mail.models import OutboxMessage
from network.renewal.models import RenewalRequest
from network.renewal.services import renew
from network.templating import PARIS, event_dates, french_date, french_time, plural
from tests.app.test_typography import get_pages, visible_text
from tests.events.helpers import make_event
from tests.factories import NOW, join_form, make_member
from tests.members_space.test_space import signed_in
from tests.renewal.test_pages import members, open_campaign_now
from tests.resources.test_library import make_resource
from tests.support.bad_input import make_world
from tests.support.typography import as_typed


@pytest.mark.parametrize("count, words, said", [
    (0, ("membre",), "0 membre"),
    (1, ("membre",), "1 membre"),
    (2, ("membre",), "2 membres"),
    (12_000, ("membre importé", "membres importés"), "12\u202f000 membres importés"),
    (1, ("ligne laissée", "lignes laissées"), "1 ligne laissée"),
])
def test_plural(count, words, said):
    assert plural(count, *words) == said


def test_plural_without_the_number_for_a_word_that_agrees():
    assert [plural(count, "a", "ont", number=False) for count in (0, 1, 2)] == ["a", "a", "ont"]


@pytest.mark.parametrize("moment, said", [
    (datetime(2026, 11, 22, 8, 0, tzinfo=UTC), "9 h"),
    (datetime(2026, 6, 19, 12, 30, tzinfo=UTC), "14 h 30"),
    (datetime(2026, 11, 22, 23, 5, tzinfo=UTC), "0 h 05"),
    (time(9, 0), "9 h"),
])
def test_times_the_french_way(moment, said):
    assert french_time(moment) == said


def test_dates_with_their_time_and_an_event_s_hours():
    assert french_date(datetime(2026, 11, 22, 8, 0, tzinfo=UTC), with_time=True) \
        == "22 novembre 2026 à 9 h"

    class Event:
        starts_at = datetime(2026, 6, 19, 12, 0, tzinfo=UTC)
        ends_at = datetime(2026, 6, 19, 14, 30, tzinfo=UTC)

    assert event_dates(Event) == "vendredi 19 juin 2026, 14 h – 16 h 30"


def test_pages_and_emails_show_times_the_french_way(app, client, admin_client, smtp):
    starts = datetime(2026, 12, 1, 14, 30, tzinfo=PARIS)
    event = make_event(starts=starts, audience=Audience.PUBLIC)
    page = client.get(f"/evenements/{event.id}").text
    assert "14 h 30 – " in page and "14:30" not in page
    # Bytes as a browser gets them: the hour and its minutes never split over two lines.
    assert "14\u00a0h\u00a030" in client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "Le réseau au 23 novembre 2026 à 9 h (heure de Paris)." in admin_client.get(
        "/admin/").text
    # No campaign yet: the next one's opening, in words (its first day is « 1er »).
    app.config["RENEWAL_OPENS"] = "12-01"
    assert "La prochaine s'ouvrira automatiquement le 1er décembre 2026 à 9 h." in \
        admin_client.get("/admin/renouvellement").text


def test_figures_agree_with_their_number(app, admin_client):
    anne, _ = members(2)
    open_campaign_now(app)
    renew(db.session.scalar(select(RenewalRequest).where(RenewalRequest.person_id == anne.id)),
          "admin@gt-qvt.fr", NOW)
    db.session.commit()

    page = visible_text(admin_client.get("/admin/renouvellement").get_data(as_text=True))
    figures = re.findall(r"\n(\d+)\n+([^\n]+)", page)
    assert {("2", "Membres sollicités"), ("1", "Renouvelé"), ("1", "Sans réponse"),
            ("0", "A quitté le réseau (formulaire)")} <= set(figures), figures
    assert "Réponses et sorties : 1 sur 2 membres sollicités." in \
        admin_client.get("/admin/renouvellement").text
    dashboard = admin_client.get("/admin/").text
    assert re.search(r'<p class="figure-value">2</p>\s*<p class="figure-label">'
                     r'<a href="[^"]+">Membres</a>', dashboard)
    assert re.search(r'<p class="figure-value">0</p>\s*<p class="figure-label">'
                     r'<a href="[^"]+">Candidature en attente de la charte</a>', dashboard)


def test_the_library_says_nothing_of_an_order_without_results(app, client):
    make_resource("Guide du télétravail")
    nothing = client.get("/ressources?q=introuvable").text
    assert "Aucune ressource ne correspond à cette recherche." in nothing
    assert "0 ressource" not in nothing and "en premier" not in nothing
    one = client.get("/ressources").text
    assert "1 ressource." in one and "en premier" not in one
    make_resource("Guide de la QVT")
    assert "2 ressources, les plus récentes en premier." in client.get("/ressources").text


def test_the_rate_limit_page_says_how_long_to_wait(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT_PER_ADDRESS="2 per hour")
    client = app.test_client()
    answers = [client.post("/connexion", data={"email": "claire@exemple.fr"}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    refused = answers[-1]
    # The limiter's window ends within the hour (or its second after).
    assert 3500 < int(refused.headers["Retry-After"]) <= 3601
    assert "Patientez 1 heure avant de réessayer : rien n'a été perdu." in refused.text


@pytest.mark.parametrize("seconds, said", [
    (1, "1 seconde"), (45, "45 secondes"), (60, "1 minute"), (100, "2 minutes"),
    (3601, "1 heure"), (3660, "1 heure et 1 minute"), (7500, "2 heures et 5 minutes")])
def test_waits_in_words(seconds, said):
    assert french_duration(seconds) == said


def test_a_used_charter_link_s_title_is_its_heading(client, smtp):
    from tests.membership.test_journey import link_in, run_tick

    client.post("/rejoindre", data=join_form())
    run_tick(NOW)
    link = link_in(smtp.to("anne.martin@exemple.fr")[0], "charte")
    client.post(link, data={"accept": "y"})
    page = client.get(link).text
    title = re.search(r"<title>(.*?) · ", page).group(1)
    assert title == re.search(r"<h1>(.*?)</h1>", page).group(1) \
        == "Votre adhésion est déjà confirmée"


def test_one_word_for_e_mail_and_profiles_for_the_person(app, admin_client, smtp, monkeypatch):
    world = make_world(app)
    member_client = app.test_client()
    signed_in(member_client, smtp, "walk.member@exemple.fr")
    clients = {"admin": admin_client, "member": member_client, "anonymous": app.test_client()}
    for (_, path), (_, page) in get_pages(clients, app, world, monkeypatch).items():
        text = visible_text(page)
        # The import's page names the column headers it recognises, « Courriel » among them.
        words = re.findall(r"(?<![-\w])(?:courriels?|mails?)(?![-\w@])", text, re.I)
        assert words == [] or path == "/admin/membres/import", (path, words)
    assert "E-mails" in visible_text(admin_client.get("/admin/courriels").text)

    # A person's profile, whoever they are: both forms in full, or the kind of practice.
    make_member(NOW - timedelta(days=2), email="anne.durand@exemple.fr", profile="acteur_interne")
    card = db.session.scalars(select(OutboxMessage.body_text).where(
        OutboxMessage.template == "admin_new_member").order_by(OutboxMessage.id.desc())).first()
    assert "Profil : Acteur ou actrice interne (entreprise, administration)" in as_typed(card)
    members_list = admin_client.get("/admin/membres").text
    assert re.search(r"<td>Interne</td>", members_list)
    assert world  # the walk's members are listed too
