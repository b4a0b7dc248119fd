"""The back-office writes the news: a form that says what is missing, drafts, publication and
withdrawal, each in the journal."""

import re

import pytest
from sqlalchemy import select

from network.admin.models import AuditEntry
from network.extensions import db
from network.news.models import NewsItem, NewsStatus
from tests.conftest import ADMIN_EMAIL
from tests.factories import make_member
from tests.news.helpers import make_news

CALL = {"kind": "appel", "title": "Appel à projets FACT 2027",
        "summary": "Le Fonds pour l'amélioration des conditions de travail finance des projets.",
        "body": "## Qui peut répondre ?\n\nLes **entreprises** de moins de 300 salariés.",
        "link_url": "https://travail-emploi.gouv.fr/fact", "deadline": "2027-03-15"}


# What these pages show comes from the templates and the services, whose own tests run on both
# databases: the pages are read once, on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def create(admin_client, **fields) -> int:
    response = admin_client.post("/admin/actualites/nouvelle", data={**CALL, **fields})
    assert response.status_code == 302, response.text
    return int(re.search(r"/admin/actualites/(\d+)$", response.headers["Location"]).group(1))


def test_an_admin_writes_a_call_for_projects_publishes_it_and_withdraws_it(admin_client, client):
    assert "Nouvelle actualité" in admin_client.get("/admin/actualites").text
    news_id = create(admin_client)
    item = db.session.get(NewsItem, news_id)
    assert (item.kind, item.status, item.deadline.isoformat(), item.created_by) == (
        "appel", NewsStatus.DRAFT, "2027-03-15", ADMIN_EMAIL)
    page = admin_client.get(f"/admin/actualites/{news_id}").text
    assert "Brouillon" in page and "<strong>entreprises</strong>" in page
    assert client.get(f"/actualites/{news_id}").status_code == 404, "a draft is not public"
    assert "Appel à projets FACT 2027" not in client.get("/actualites").text

    published = admin_client.post(f"/admin/actualites/{news_id}/publier",
                                  follow_redirects=True)
    assert "L'actualité est publiée" in published.text
    public = client.get(f"/actualites/{news_id}")
    assert public.status_code == 200
    assert "jusqu'au 15 mars 2027 inclus" in public.text
    assert 'href="https://travail-emploi.gouv.fr/fact"' in public.text
    assert "Appel à projets FACT 2027" in client.get("/actualites").text
    first_publication = db.session.get(NewsItem, news_id).published_at

    admin_client.post(f"/admin/actualites/{news_id}/depublier")
    assert client.get(f"/actualites/{news_id}").status_code == 404
    assert "Appel à projets FACT 2027" not in client.get("/actualites").text
    admin_client.post(f"/admin/actualites/{news_id}/publier")
    assert db.session.get(NewsItem, news_id).published_at == first_publication, (
        "the item keeps the date of its first publication")

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert [a for a in actions if a.startswith("news.")] == [
        "news.edit", "news.publier", "news.depublier", "news.publier"]
    journal = admin_client.get("/admin/journal").text
    assert "Actualité publiée" in journal and "Actualité retirée du site" in journal


def test_editing_keeps_the_item_and_its_publication(admin_client, client):
    item = make_news("Rencontre régionale", summary="Ancien résumé.")
    form = admin_client.get(f"/admin/actualites/{item.id}/modifier").text
    assert "Ancien résumé." in form
    response = admin_client.post(f"/admin/actualites/{item.id}/modifier", data={
        "kind": "partenariat", "title": "Rencontre régionale", "summary": "Nouveau résumé.",
        "body": "", "link_url": "", "deadline": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(NewsItem.summary)) == "Nouveau résumé."
    page = client.get(f"/actualites/{item.id}").text
    assert "Nouveau résumé." in page and "Proposition de partenariat" in page


@pytest.mark.parametrize("fields, field, message", [
    ({"kind": ""}, "kind", "Choisissez le type d'actualité."),
    ({"title": "  "}, "title", "Ce champ est obligatoire."),
    ({"summary": ""}, "summary", "Ce champ est obligatoire."),
    ({"summary": "x" * 501}, "summary", "500 caractères au maximum."),
    ({"deadline": ""}, "deadline", "Indiquez la date limite de l'appel à projets."),
    ({"link_url": ""}, "link_url", "Indiquez le lien de l'appel à projets."),
    ({"link_url": "javascript:alert(1)"}, "link_url", "Saisissez une adresse complète"),
    ({"deadline": "15/03/2027x"}, "deadline", None),
    ({"deadline": "9999-12-31"}, "deadline", "Saisissez une date entre"),
    ({"kind": "actualite"}, "deadline", "Seul un appel à projets a une date limite"),
    ({"title": "Appel\x00FACT"}, "title", "caractères de contrôle"),
    ({"kind": "inconnu"}, "kind", None),
])
def test_the_form_says_what_is_wrong_next_to_the_field(admin_client, fields, field, message):
    response = admin_client.post("/admin/actualites/nouvelle", data={**CALL, **fields})
    assert response.status_code == 400
    error = re.search(rf'id="{field}-erreur"[^>]*>(.*?)</div>', response.text, re.S)
    assert error, f"no error next to {field}"
    if message:
        assert message in error.group(1)
    assert db.session.scalar(select(NewsItem)) is None


def test_a_partnership_needs_neither_deadline_nor_link(admin_client):
    news_id = create(admin_client, kind="partenariat", deadline="", link_url="")
    item = db.session.get(NewsItem, news_id)
    assert (item.deadline, item.link_url) == (None, None)


def test_unknown_ids_are_not_found(admin_client):
    for url in ("/admin/actualites/2147483648", "/admin/actualites/99/modifier",
                "/admin/actualites/99"):
        assert admin_client.get(url).status_code == 404, url
    assert admin_client.post("/admin/actualites/99/publier").status_code == 404
    assert admin_client.post("/admin/actualites/99/envoi").status_code == 404


def test_the_news_area_is_for_admins_only(app, client):
    item = make_news("Actualité")
    make_member()
    for url in ("/admin/actualites", f"/admin/actualites/{item.id}",
                "/admin/actualites/nouvelle"):
        assert "/admin/connexion" in client.get(url).headers["Location"]
    response = client.post(f"/admin/actualites/{item.id}/depublier")
    assert "/admin/connexion" in response.headers["Location"]
    assert db.session.get(NewsItem, item.id).status == NewsStatus.PUBLISHED


def test_the_back_office_menu_leads_to_the_news(admin_client):
    menu = admin_client.get("/admin/").text.split("<main")[0]
    assert re.search(r'href="/admin/actualites"\s*>Actualités</a>', menu)
