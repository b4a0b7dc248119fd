"""The back-office as an admin uses it, in Chromium: sign in, find, read, act, publish, export."""

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.events.models import Registration
from network.events.services import register_member
from network.extensions import db, utcnow
from network.membership.models import Person
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.events.helpers import make_event
from tests.factories import NOW, make_applicant, make_member

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shoot(page, name):
    if os.environ.get("NETWORK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def site(live_server):
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        make_member(NOW)
        make_member(NOW, email="paul.durand@exemple.fr", first_name="Paul",
                    last_name="Durand", organisation="Carsat Midi-Pyrénées",
                    profile="acteur_relais", department_codes=["12"])
        make_applicant(NOW, email="lea.roux@exemple.fr", first_name="Léa", last_name="Roux",
                       organisation="=1+1")
        db.session.commit()
    return live_server.config["BASE_URL"]


def sign_in(page, site):
    page.goto(f"{site}/admin/membres")
    expect(page).to_have_url(f"{site}/admin/connexion?next=/admin/membres?")
    shoot(page, "admin-login")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#password-erreur")).to_contain_text("mot de passe incorrect")
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Membres et candidatures")).to_be_visible()


def test_find_a_member_read_their_story_and_mark_them_exited(page, site):
    sign_in(page, site)
    shoot(page, "admin-members")
    page.get_by_label("Rechercher (nom, e-mail, structure)").fill("carsat")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("heading", name="1 personne")).to_be_visible()
    page.get_by_role("link", name="Durand Paul").click()

    expect(page.get_by_role("heading", name="Paul Durand", exact=True)).to_be_visible()
    expect(page.get_by_text("Charte acceptée (version 1)")).to_be_visible()
    expect(page.get_by_text("E-mail : Bienvenue dans le réseau")).to_be_visible()
    shoot(page, "admin-member")

    page.get_by_role("link", name="Enregistrer une sortie").click()
    page.get_by_label("À sa demande").check()
    page.get_by_label("Précision (facultatif)").fill("Demande par téléphone")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.locator("#confirm-erreur")).to_contain_text("Cochez la case pour confirmer.")
    shoot(page, "admin-member-exit")
    page.get_by_label("Je confirme la sortie de cette personne du réseau").check()
    page.get_by_role("button", name="Enregistrer la sortie").click()

    expect(page.get_by_text("La sortie est enregistrée.")).to_be_visible()
    expect(page.locator(".badge.status-exited")).to_have_text("Sorti du réseau")
    expect(page.get_by_text("À sa demande – Demande par téléphone").first).to_be_visible()
    expect(page.get_by_text(ADMIN_EMAIL).first).to_be_visible()


def test_publish_a_charter_version(page, site):
    sign_in(page, site)
    page.get_by_role("link", name="Charte").click()
    page.get_by_label("Titre").fill("Charte du réseau – 2027")
    page.get_by_label("Texte de la charte (Markdown)").fill(
        "## Nos engagements\n\n- **Coopérer** entre membres")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator(".charter-text strong")).to_have_text("Coopérer")
    shoot(page, "admin-charter")
    page.get_by_label("Je confirme la publication").check()
    page.get_by_role("button", name="Publier cette version").click()
    expect(page.get_by_text("La version 2 de la charte est publiée.")).to_be_visible()
    expect(page.get_by_role("link", name="Version 2")).to_be_visible()


def test_export_the_mailing_list_and_a_filtered_selection(page, site):
    sign_in(page, site)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Liste de diffusion (CSV)").click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["E-mail", "Nom", "Prénom", "Structure"]
    assert sorted(row[0] for row in rows[1:]) == ["anne.martin@exemple.fr",
                                                  "paul.durand@exemple.fr"]

    page.get_by_label("Candidature en attente de la charte").check()
    page.get_by_role("button", name="Filtrer").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter cette sélection (CSV)").click()
    rows = list(csv.reader(io.StringIO(
        Path(download_info.value.path()).read_text("utf-8-sig")), delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["lea.roux@exemple.fr"]
    assert rows[1][4] == "'=1+1"


def test_every_admin_page_renders(page, site, live_server):
    with live_server.app_context():
        event = make_event(capacity=1, starts=NOW + timedelta(days=7))
        past = make_event(title="Webinaire « Prévenir l'usure »", starts=utcnow() - timedelta(
            days=20))  # its attendance, marked, feeds the dashboard's chart
        for came, person in enumerate(db.session.scalars(
                select(Person).where(Person.status == "member").order_by(Person.id))):
            register_member(event, person, NOW)
            db.session.add(Registration(event_id=past.id, person_id=person.id,
                                        status="registered", attended=bool(came)))
        db.session.commit()
        event_id, past_id = event.id, past.id
    sign_in(page, site)
    for name, path in [("admin-dashboard", "/admin/"), ("admin-mailings", "/admin/envois"),
                       ("admin-mailing-new", "/admin/envois/nouveau"),
                       ("admin-outbox", "/admin/courriels"), ("admin-journal", "/admin/journal"),
                       ("admin-events", "/admin/evenements"),
                       ("admin-event", f"/admin/evenements/{event_id}"),
                       ("admin-event-edit", f"/admin/evenements/{event_id}/modifier"),
                       ("admin-event-attendance", f"/admin/evenements/{past_id}/presences"),
                       ("admin-event-invite", f"/admin/evenements/{event_id}/inviter")]:
        response = page.goto(f"{site}{path}")
        assert response.status == 200, path
        expect(page.get_by_role("navigation", name="Administration")).to_be_visible()
        shoot(page, name)
    # At the door, on a phone: the checklist fits the screen, its boxes big enough for a thumb.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/admin/evenements/{past_id}/presences")
    box = page.get_by_label("Anne Martin").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "admin-event-attendance-phone")
