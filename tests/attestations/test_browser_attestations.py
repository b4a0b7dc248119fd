"""In Chromium: a member downloads the attestation of an event they attended from « Mes
événements », then the attestation of membership from « Mon attestation », publishes the badge
that a visitor checks, and withdraws it."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from network.extensions import db
from tests.attestations.helpers import attended, member
from tests.conftest import browsing_as
from tests.membership.test_browser_journey import shoot
from tests.support.browser import sign_in_member
from tests.support.typography import fr

ADDRESS = "helene.lefevre@exemple.fr"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def downloaded_text(download) -> str:
    content = Path(download.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u2019", "'").split())


# What the browser sees of the pages: once, on SQLite (the services' tests run on both).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_member_downloads_attestations_and_publishes_the_badge(page, live_server, smtp,
                                                                 browser):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        attended(member())
        db.session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in_member(page, site, smtp, ADDRESS)

    page.get_by_role("link", name="Mes événements").click()
    button = page.get_by_role("button", name=fr("Télécharger l'attestation de présence"))
    expect(button).to_have_count(1)
    page.set_viewport_size(PHONE)
    shoot(page, "attestation-my-events-phone")
    page.set_viewport_size(DESKTOP)
    with page.expect_download() as presence:
        button.click()
    assert re.fullmatch(r"attestation-presence-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\.pdf",
                        presence.value.suggested_filename)
    text = downloaded_text(presence.value)
    assert "Attestation de présence" in text and "Hélène Lefèvre-Bœuf" in text
    assert "Atelier « Télétravail et QVT » : cœur du métier" in text
    code = presence.value.suggested_filename.removeprefix("attestation-presence-")[:-4]
    assert f"{site}/verifier/{code}" in text
    # The page stays as it was, its button ready for another download.
    expect(page).to_have_url(f"{site}/espace/evenements")

    page.get_by_role("navigation", name="Espace membre").get_by_role("link", name="Accueil").click()
    page.get_by_role("link", name="Mon attestation").click()
    expect(page.get_by_role("heading", name="Mon attestation", exact=True)).to_be_visible()
    with page.expect_download() as membership:
        page.get_by_role("button", name="Télécharger mon attestation 2026 (PDF)").click()
    assert "pour l'année 2026" in downloaded_text(membership.value)
    page.reload()
    for name, viewport in (("attestation-member-page", DESKTOP),
                           ("attestation-member-page-phone", PHONE)):
        page.set_viewport_size(viewport)
        shoot(page, name)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Publier mon badge").click()
    expect(page.get_by_text(fr("Votre badge est publié : copiez son code HTML"))).to_be_visible()
    snippet = page.get_by_label(fr("Code HTML à copier")).input_value()
    link = re.search(r'<a href="([^"]+)">', snippet).group(1)
    image = re.search(r'<img src="([^"]+)"', snippet).group(1)
    assert link.startswith(f"{site}/verifier/") and image == f"{link}/badge.svg"
    for name, viewport in (("attestation-badge-published", DESKTOP),
                           ("attestation-badge-published-phone", PHONE)):
        page.set_viewport_size(viewport)
        shoot(page, name)
    page.set_viewport_size(DESKTOP)

    with browsing_as(browser) as visitor:
        visitor.goto(link)
        expect(visitor.get_by_role("heading", name="Badge de membre vérifié")).to_be_visible()
        expect(visitor.get_by_text(fr("Hélène Lefèvre-Bœuf est membre du réseau des intervenants "
                                      "QVT Occitanie en 2026"))).to_be_visible()
        loaded = visitor.locator("main img").evaluate("image => image.naturalWidth")
        assert loaded == 280
        shoot(visitor, "attestation-badge-verified")

        page.get_by_role("button", name="Retirer mon badge").click()
        expect(page.get_by_text(fr("Votre badge est retiré"))).to_be_visible()
        expect(page.get_by_role("button", name="Publier mon badge")).to_be_visible()
        visitor.goto(link)
        expect(visitor.get_by_role("heading", name="Badge non publié")).to_be_visible()
        expect(visitor.locator("main")).not_to_contain_text("Hélène")

        visitor.goto(f"{site}/verifier")
        visitor.get_by_label(fr("Code de vérification")).fill(code.lower())
        visitor.get_by_role("button", name="Vérifier").click()
        expect(visitor.get_by_role("heading", name=fr("Attestation de présence vérifiée"))) \
            .to_be_visible()
        expect(visitor.locator("main")).to_contain_text("Hélène Lefèvre-Bœuf")
        shoot(visitor, "attestation-presence-verified")
