"""« Optionally sent as a mailing »: from an item, one click makes a mailing draft, prefilled,
that the admin reviews and sends with the mailings' own flow."""

import re

from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.extensions import db
from network.mailings.models import Mailing
from network.news.models import NewsItem
from network.scheduler.tick import run_tick
from tests.factories import NOW, make_member
from tests.news.helpers import TODAY, make_call, make_news
from tests.support.smtp import html_of, text_of


def prepare(admin_client, item: NewsItem):
    return admin_client.post(f"/admin/actualites/{item.id}/envoi")


def mailing_id(response) -> int:
    assert response.status_code == 302
    return int(re.search(r"/admin/envois/(\d+)/modifier$", response.headers["Location"]).group(1))


def test_a_call_becomes_a_mailing_draft_that_the_admin_sends(admin_client, smtp):
    make_member(email="a@exemple.fr")
    make_member(email="b@exemple.fr", profile="acteur_relais", department_codes=["11"])
    call = make_call("Appel à projets FACT", TODAY.replace(year=2027, month=3, day=15),
                     summary="Le FACT finance des projets QVT.",
                     body="Pour les **TPE et PME**.")
    response = prepare(admin_client, call)
    draft_id = mailing_id(response)
    mailing = db.session.get(Mailing, draft_id)
    assert mailing.subject == "Appel à projets FACT"
    assert mailing.send_requested_at is None and mailing.newsletter is False
    assert mailing.body_markdown.split("\n\n") == [
        "Le FACT finance des projets QVT.", "Pour les **TPE et PME**.",
        "**Date limite : 15 mars 2027**",
        "[Voir l'appel à projets](https://exemple.fr/appel)",
        f"[Lire cette actualité sur le site du réseau](http://reseau.test/actualites/{call.id})"]
    # The mailing composer, prefilled: the admin chooses the segment there.
    form = admin_client.get(response.headers["Location"]).text
    assert 'value="Appel à projets FACT"' in form and "Le FACT finance" in form
    assert "Brouillon d'envoi préparé" in form
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "news.mailing")) == "news.mailing"

    # A second click opens the same draft.
    assert mailing_id(prepare(admin_client, call)) == draft_id
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 1

    # The admin restricts it to the Aude, then sends it the usual way.
    admin_client.post(f"/admin/envois/{draft_id}/modifier", data={
        "subject": mailing.subject, "body": mailing.body_markdown, "departments": ["11"]})
    admin_client.post(f"/admin/envois/{draft_id}/envoyer", data={"confirm": "y"})
    run_tick(NOW)
    [sent] = [m for m in smtp.messages if m["Subject"] == "Appel à projets FACT"]
    assert sent["To"] == "b@exemple.fr"
    assert f"http://reseau.test/actualites/{call.id}" in text_of(sent)
    assert "<strong>TPE et PME</strong>" in html_of(sent)
    assert "Date limite : 15 mars 2027" in text_of(sent)

    page = admin_client.get(f"/admin/actualites/{call.id}").text
    assert "envoyé le 23 novembre 2026" in page
    # Once sent, a new click makes a new draft (a reminder before the deadline, say).
    assert mailing_id(prepare(admin_client, call)) != draft_id


def test_a_draft_item_cannot_be_sent(admin_client):
    draft = make_news("Pas encore publiée", published=None)
    response = prepare(admin_client, draft)
    assert response.headers["Location"].endswith(f"/admin/actualites/{draft.id}")
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0
    page = admin_client.get(response.headers["Location"]).text
    assert "Publiez d'abord l'actualité" in page


def test_a_link_with_parentheses_stays_one_link(admin_client):
    item = make_news("Atelier", link="https://exemple.fr/page_(2027) x")
    draft = db.session.get(Mailing, mailing_id(prepare(admin_client, item)))
    assert "[En savoir plus](https://exemple.fr/page_%282027%29%20x)" in draft.body_markdown
    preview = admin_client.get(f"/admin/envois/{draft.id}").text
    assert 'href="https://exemple.fr/page_%282027%29%20x"' in preview
