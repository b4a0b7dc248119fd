"""The sign-in sheet as it prints, and a walk-in added at the door, in Chromium."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from network.admin.services import create_admin
from network.events.models import EventMode
from network.events.services import register_member
from network.extensions import db, utcnow
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.events.helpers import STARTS, make_event
from tests.factories import make_member
from tests.membership.test_browser_journey import shoot
from tests.support.browser import sign_in_admin
from tests.support.typography import fr

# What a browser shows does not depend on the database: one run (SQLite).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
TITLE = "Rendez-vous annuel du réseau 2027"


@pytest.fixture
def meeting(live_server):
    """The annual meeting in a week, 40 members registered: a sheet of two printed pages."""
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        event = make_event(capacity=None, title=TITLE, mode=EventMode.HYBRID,
                           address="Salle des fêtes, 11200 Lézignan-Corbières",
                           starts=STARTS)
        for n in range(40):
            register_member(event, make_member(
                email=f"membre{n}@exemple.fr", first_name=f"Prénom{n:02}",
                last_name=f"Œuvray{n:02}" if n % 7 == 0 else f"Nom{n:02}",
                organisation="Service de prévention et de santé au travail « SPST 81 »"),
                utcnow())
        db.session.commit()
        return event.id


def test_the_sign_in_sheet_prints_without_the_site_and_repeats_its_header(
        live_server, page, meeting):
    site = live_server.config["BASE_URL"]
    sign_in_admin(page, site)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/admin/evenements/{meeting}")
    page.get_by_role("link", name=fr("Feuille d'émargement à imprimer")).click()
    expect(page.get_by_role("heading", name=fr("Feuille d'émargement"))).to_be_visible()
    bar = page.get_by_role("navigation", name=fr("Feuille d'émargement"))
    expect(bar).to_be_visible()
    expect(bar.get_by_role("link", name=fr("Retour à l'événement"))).to_be_visible()
    assert page.locator("header.site-header, footer.site-footer").count() == 0
    shoot(page, "admin-sign-in-sheet")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "admin-sign-in-sheet-phone")

    page.set_viewport_size(DESKTOP)
    page.emulate_media(media="print")
    expect(bar).to_be_hidden()
    if os.environ.get("NETWORK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "admin-sign-in-sheet-print.png"), full_page=True)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    texts = [p.extract_text() for p in pdf.pages]
    if os.environ.get("NETWORK_SCREENSHOTS") == "1":
        (SCREENSHOTS / "admin-sign-in-sheet.pdf").write_bytes(
            page.pdf(format="A4", prefer_css_page_size=True))
    assert len(texts) >= 2, "40 people and the blank rows: more than one page"
    assert "Réseau des intervenants QVT en Occitanie" in texts[0] and TITLE in texts[0]
    assert "Lézignan-Corbières (et à distance)" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert all(word in text for word in ("Nom", "Prénom", "Structure", "Signature")), \
            f"page {number} repeats the table's header"
        assert "Retour" not in text and "Ctrl" not in text, "the bar is not printed"
    everything = "\n".join(texts)
    assert everything.index("Nom01") < everything.index("Œuvray00") < everything.index(
        "Œuvray07"), "by last name, « Œ » with the O's"


def test_a_member_and_a_guest_who_came_without_registering(live_server, page):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        event = make_event(capacity=1, title="Atelier complet")
        register_member(event, make_member(), utcnow())
        make_member(email="paul.durand@exemple.fr", first_name="Paul", last_name="Durand",
                    organisation="Carsat Midi-Pyrénées")
        event.starts_at = utcnow() - timedelta(minutes=20)
        event.ends_at = utcnow() + timedelta(hours=2)
        db.session.commit()
        event_id = event.id
    sign_in_admin(page, site)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/admin/evenements/{event_id}/presences")
    page.get_by_label("Nom ou adresse e-mail du membre").fill("durand")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("1 membre trouvé")).to_be_visible()
    shoot(page, "admin-walk-in-search")
    page.get_by_role("button", name=fr("Marquer présent·e Paul Durand")).click()
    expect(page.get_by_role("status").filter(has_text="Paul Durand est ajouté")).to_be_visible()
    expect(page.get_by_label("Paul Durand")).to_be_checked()
    expect(page.get_by_label("Anne Martin")).not_to_be_checked()

    page.get_by_role("link", name=fr("Ajouter une personne qui n'est pas membre du réseau")).click()
    page.get_by_label("Prénom et nom").fill("Bruno Lacaze")
    page.get_by_label("Structure (facultatif)").fill("SPST 81")
    page.get_by_role("button", name=fr("Ajouter comme présent·e")).click()
    expect(page.get_by_label("Bruno Lacaze")).to_be_checked()
    expect(page.locator(".attendance-item", has_text="Bruno Lacaze").locator(
        ".walk-in-badge")).to_be_visible()
    shoot(page, "admin-attendance-walk-ins")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "admin-attendance-walk-ins-phone")
