"""Charter versions: preview, publish, and what applicants then accept."""

from sqlalchemy import select

from network.admin.models import AuditEntry
from network.extensions import db, utcnow
from network.membership.models import CharterVersion
from network.membership.services import charter_token, current_charter
from tests.factories import NOW, make_applicant

NEW_TEXT = "## Nos engagements\n\n- **Coopérer**\n\n<script>alert('x')</script>"


def test_preview_renders_sanitised_markdown_and_publishes_nothing(admin_client):
    response = admin_client.post("/admin/charte", data={
        "title": "Charte 2027", "text": NEW_TEXT, "preview": "Aperçu"})
    assert "<h2>Nos engagements</h2>" in response.text
    assert "<strong>Coopérer</strong>" in response.text
    assert "<script>alert" not in response.text
    assert current_charter().number == 1


def test_publishing_needs_confirmation(admin_client):
    response = admin_client.post("/admin/charte", data={
        "title": "Charte 2027", "text": NEW_TEXT, "publish": "Publier"})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer la publication." in response.text
    assert current_charter().number == 1


def test_a_published_version_is_what_new_applicants_accept(admin_client, client):
    admin_client.post("/admin/charte", data={
        "title": "Charte 2027", "text": NEW_TEXT, "publish": "Publier", "confirm": "y"})
    version = current_charter()
    assert (version.number, version.title) == (2, "Charte 2027")
    assert db.session.scalar(select(AuditEntry.detail)) == "version 2"
    listing = admin_client.get("/admin/charte").text
    assert "Version 2" in listing and "en vigueur" in listing
    assert admin_client.get("/admin/charte/2").status_code == 200
    assert admin_client.get("/admin/charte/9").status_code == 404

    person = make_applicant(NOW)
    page = client.get(f"/charte/{charter_token(person, utcnow())}")
    assert "Charte 2027" in page.text and "Version 2" in page.text


def test_empty_text_is_refused(admin_client):
    response = admin_client.post("/admin/charte", data={"title": "X", "text": "",
                                                        "publish": "Publier", "confirm": "y"})
    assert "Le texte de la charte est vide." in response.text
    assert db.session.scalar(select(CharterVersion.number).order_by(
        CharterVersion.number.desc())) == 1
