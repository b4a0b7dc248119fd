"""An admin uploads a PDF for the members; a member finds it by a word of its text and
downloads it, in Chromium."""

from pathlib import Path

from playwright.sync_api import expect

from network.admin.services import create_admin
from network.extensions import db
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import NOW, make_member
from tests.members_space.test_browser_space import sign_in as member_sign_in
from tests.membership.test_browser_journey import shoot
from tests.resources.samples import pdf


def test_an_admin_uploads_a_pdf_and_a_member_finds_and_downloads_it(
        page, browser, live_server, smtp, tmp_path):
    site = live_server.config["BASE_URL"]
    live_server.config["RESOURCE_STORAGE_DIR"] = str(tmp_path / "files")
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        make_member(NOW)
        db.session.commit()
    document = tmp_path / "guide-equipe.pdf"
    document.write_bytes(pdf("Conduire un diagnostic partag\\351 en \\351quipe"))

    page.goto(f"{site}/admin/connexion")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{site}/admin/ressources/nouvelle")
    page.get_by_label("Titre").fill("Guide du diagnostic")
    page.get_by_label("Type").select_option(label="Outil")
    page.get_by_label("Date").fill("2026-10-01")
    page.get_by_label("Visibilité").select_option(label="Réservé aux membres")
    page.get_by_label("Fichier").set_input_files(str(document))
    shoot(page, "admin-resource-new")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guide du diagnostic")
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publiée")

    member = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                 accept_downloads=True).new_page()
    member.goto(f"{site}/ressources?q=diagnostic")
    expect(member.get_by_text("Aucune ressource ne correspond")).to_be_visible()
    member_sign_in(member, site, smtp)
    member.goto(f"{site}/ressources")
    member.get_by_label("Rechercher").fill("partage equipe")
    member.get_by_role("button", name="Chercher").click()
    member.get_by_role("link", name="Guide du diagnostic").click()
    shoot(member, "resource-page")
    with member.expect_download() as download_info:
        member.get_by_role("link", name="Télécharger guide-equipe.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "guide-equipe.pdf"
    assert Path(download.path()).read_bytes() == document.read_bytes()
    member.context.close()
