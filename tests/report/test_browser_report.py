"""The annual report in Chromium: the page at a desktop's and a phone's width, printed on A4
without the site's frame (one section a page), and its PDF downloaded. Screenshots of each with
NETWORK_SCREENSHOTS=1 (the PDF's pages through pdftoppm)."""

import io
import os
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader

from network.admin.services import create_admin
from network.extensions import db
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.report.history import build_year
from tests.support.browser import sign_in_admin

# What the pages show depends on the pages, not on the database.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
TAKING = os.environ.get("NETWORK_SCREENSHOTS") == "1"
A4 = (595.3, 841.9)  # points


def shoot(page, name: str, full_page: bool = True) -> None:
    if TAKING:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def site(live_server):
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        build_year()
        db.session.commit()
    return live_server.config["BASE_URL"]


def test_the_report_on_screen_in_print_and_as_pdf(page, site, tmp_path):
    sign_in_admin(page, site)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="bilans des années précédentes").click()
    expect(page.get_by_role("heading", name="Bilan de l’année", level=1)).to_be_visible()
    shoot(page, "bilan-annees")
    page.get_by_role("link", name="Bilan 2025", exact=True).click()
    expect(page.get_by_role("heading", name="Bilan de l’année 2025", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Sorties par motif")).to_be_visible()
    expect(page.get_by_role("table", name="Événements tenus en 2025, par type")).to_be_visible()
    shoot(page, "bilan-2025-1366")
    # With a year's worth of figures, charts and tables (the axe walk sees a near-empty year).
    page.evaluate(Axe().axe_script)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []
    page.set_viewport_size({"width": 390, "height": 844})
    # Nothing wider than a phone's screen (a wide table or chart scrolls in its own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "bilan-2025-390")

    # Printed: the report alone, on A4, each section from the top of a page.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("link", name="Télécharger en PDF")).to_be_hidden()
    breaks = page.eval_on_selector_all(
        ".report-section", "sections => sections.map(s => getComputedStyle(s).breakBefore)")
    assert breaks == ["auto"] + ["page"] * 7
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shoot(page, "bilan-2025-impression")
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    width, height = (float(value) for value in printed.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (round(A4[0]), round(A4[1]))
    assert len(printed.pages) >= 8
    text = "".join(page.extract_text() for page in printed.pages)
    assert "Bilan de l" in text and "Se déconnecter" not in text and "Tableau de bord" not in text

    # The same report as a PDF file.
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    assert download.value.suggested_filename == "bilan-reseau-qvt-2025.pdf"
    pdf = tmp_path / "bilan.pdf"
    download.value.save_as(pdf)
    assert "Membres au 1er janvier 2025" in PdfReader(pdf).pages[0].extract_text()
    if TAKING:
        SCREENSHOTS.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf),
                        str(SCREENSHOTS / "bilan-2025-pdf")], check=True)
