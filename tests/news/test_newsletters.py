"""Mailings marked « lettre d'information » are archived on the site once sent, as pages:
never a draft, never one not yet sent, never a mailing not marked, nothing of one member."""

import re

from network.extensions import db
from network.mailings.models import Mailing
from network.scheduler.tick import run_tick
from tests.conftest import ADMIN_EMAIL
from tests.factories import NOW, make_member

LETTER = "## Le bilan de l'année\n\nMerci aux **312 membres** du réseau."


def compose(admin_client, subject: str, newsletter: bool) -> int:
    data = {"subject": subject, "body": LETTER}
    if newsletter:
        data["newsletter"] = "y"
    response = admin_client.post("/admin/envois/nouveau", data=data)
    assert response.status_code == 302, response.text
    return int(re.search(r"/admin/envois/(\d+)", response.headers["Location"]).group(1))


def send(admin_client, mailing_id: int):
    admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"})


def archive(client) -> list[str]:
    return re.findall(r'href="/actualites/lettres/\d+">([^<]+)</a>',
                      client.get("/actualites/lettres").text)


def test_only_newsletters_that_went_out_are_archived(admin_client, client, smtp):
    make_member(email="a@exemple.fr")
    letter = compose(admin_client, "Lettre d'information n° 7", newsletter=True)
    announce = compose(admin_client, "Rappel : atelier jeudi", newsletter=False)
    assert db.session.get(Mailing, letter).newsletter is True
    assert "Lettre d'information</span>" in admin_client.get("/admin/envois").text

    # A draft, then a letter whose sending is requested but not yet prepared: not public.
    assert client.get(f"/actualites/lettres/{letter}").status_code == 404
    send(admin_client, letter)
    send(admin_client, announce)
    assert client.get(f"/actualites/lettres/{letter}").status_code == 404
    assert archive(client) == []

    run_tick(NOW)
    assert archive(client) == ["Lettre d'information n° 7"]
    page = client.get(f"/actualites/lettres/{letter}")
    assert page.status_code == 200
    assert "<h2>Le bilan de l'année</h2>" in page.text
    assert "Envoyée aux membres du réseau le 23 novembre 2026" in page.text
    assert client.get(f"/actualites/lettres/{announce}").status_code == 404
    news = client.get("/actualites").text
    assert f'href="/actualites/lettres/{letter}">Lettre d\'information n° 7</a>' in news


def test_a_letter_s_page_holds_nothing_of_a_person(admin_client, client, smtp):
    make_member(email="a@exemple.fr")
    letter = compose(admin_client, "Lettre de décembre", newsletter=True)
    send(admin_client, letter)
    run_tick(NOW)
    [received] = [m for m in smtp.to("a@exemple.fr") if m["Subject"] == "Lettre de décembre"]
    assert "/desabonnement/" in received.get_body(("plain",)).get_content()
    page = client.get(f"/actualites/lettres/{letter}").text
    for personal in ("/desabonnement/", "/quitter/", "a@exemple.fr", ADMIN_EMAIL,
                     "Ne plus recevoir"):
        assert personal not in page, personal


def test_a_sent_mailing_can_be_archived_afterwards_and_taken_back(admin_client, client, smtp):
    make_member(email="a@exemple.fr")
    mailing = compose(admin_client, "Lettre oubliée", newsletter=False)
    send(admin_client, mailing)
    run_tick(NOW)
    assert archive(client) == []
    page = admin_client.post(f"/admin/envois/{mailing}/archiver", follow_redirects=True).text
    assert "Lettre d'information archivée sur le site." in page
    assert archive(client) == ["Lettre oubliée"]
    admin_client.post(f"/admin/envois/{mailing}/desarchiver")
    assert archive(client) == []
    assert client.get(f"/actualites/lettres/{mailing}").status_code == 404
    journal = admin_client.get("/admin/journal").text
    assert "Lettre d'information archivée sur le site" in journal


def test_the_form_keeps_the_box_and_the_archive_s_empty_page(admin_client, client):
    mailing = compose(admin_client, "Lettre", newsletter=True)
    form = admin_client.get(f"/admin/envois/{mailing}/modifier").text
    [box] = re.findall(r'<input[^>]*id="newsletter"[^>]*>', form)
    assert " checked " in box
    assert "Aucune lettre d'information pour le moment." in client.get(
        "/actualites/lettres").text
    for url in ("/actualites/lettres/2147483648", "/actualites/lettres/0",
                "/actualites/lettres/x"):
        assert client.get(url).status_code == 404, url
