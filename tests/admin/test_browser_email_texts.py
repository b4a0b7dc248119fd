"""Rewording the welcome e-mail in Chromium, under the strict Content-Security-Policy: from the
outbox to the editor, a preview framed beside it, a refused placeholder said next to its field,
the text saved and taken by the next welcome e-mail; at a desktop's and a phone's width."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership import services
from tests.admin.test_browser_admin import shoot
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import NOW, make_applicant
from tests.support.browser import sign_in_admin
from tests.support.typography import fr

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
BODY = """Bonjour {prenom},

Bienvenue dans le réseau ! Votre acceptation de la charte (version {version_charte}) est
enregistrée.

[Ouvrir mon espace membre]({lien_espace})
"""


def no_page_wider_than_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_reword_the_welcome_preview_it_see_a_refusal_and_save_it(page, live_server):
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    site = live_server.config["BASE_URL"]
    page.set_viewport_size(DESKTOP)
    sign_in_admin(page, site)
    page.goto(f"{site}/admin/courriels")
    page.get_by_role("link", name="Textes des e-mails automatiques").click()
    expect(page.get_by_role("heading", name="Textes des e-mails automatiques")).to_be_visible()
    shoot(page, "email-texts-list")
    page.get_by_role("link", name="Bienvenue dans le réseau").click()
    subject = page.get_by_role("textbox", name="Objet")
    body = page.get_by_role("textbox", name="Texte du message (Markdown)")
    expect(subject).to_have_value("Bienvenue dans le réseau des intervenants QVT en Occitanie")
    expect(body).to_contain_text("Bonjour {prenom},")
    expect(page.get_by_role("region", name="Repères de cet e-mail")).to_contain_text(
        fr("Le prénom de la personne."))
    shoot(page, "email-texts-edit")

    # The unsaved text, previewed: the subject on the page, the e-mail in its frame.
    subject.fill("Bienvenue, {prenom} !")
    body.fill(BODY)
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", name="Aperçu (texte non enregistré)")).to_be_visible()
    expect(page.locator("#apercu-objet")).to_have_text(fr("Bienvenue, Marie-Christine !"))
    expect(body).to_have_value(BODY)
    preview = page.frame_locator('iframe[title="Aperçu de l\'e-mail"]')
    expect(preview.locator("body")).to_contain_text("Bonjour Marie-Christine,")
    button = preview.get_by_role("link", name="Ouvrir mon espace membre")
    # The link alone in its paragraph is the e-mail's button, in the e-mail's own styles.
    assert button.evaluate("link => getComputedStyle(link).color") == "rgb(255, 255, 255)"
    shoot(page, "email-texts-preview")
    # Headless Chromium leaves a sandboxed frame blank in screenshots: the preview on its own.
    page.goto(f"{site}/admin/courriels/textes/member_confirmed/apercu")
    expect(page.get_by_text("Bonjour Marie-Christine,")).to_be_visible()
    shoot(page, "email-texts-preview-frame")
    page.goto(f"{site}/admin/courriels/textes/member_confirmed")
    subject.fill("Bienvenue, {prenom} !")

    # A placeholder the e-mail does not know: refused next to the field, nothing saved.
    body.fill(BODY.replace("{prenom}", "{prénom}"))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#body-erreur")).to_contain_text(
        fr("Repère inconnu pour cet e-mail : {prénom}."))
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient 1 erreur")
    shoot(page, "email-texts-refused")
    with live_server.app_context():
        assert not db.session.scalar(select(OutboxMessage.id))

    body.fill(BODY)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(fr("Le texte « Bienvenue dans le réseau » est enregistré"))
           ).to_be_visible()
    expect(page.get_by_text("Texte modifié", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Revenir au texte par défaut")).to_be_visible()
    with live_server.app_context():
        anne = make_applicant(NOW)
        services.accept_charter(anne, services.current_charter(), NOW)
        db.session.commit()
        welcome = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.template == "member_confirmed"))
        assert welcome.subject == "Bienvenue, Anne !"
        html = welcome.body_html

    # The edited e-mail as a member reads it on a phone, and the editor at that width.
    page.set_viewport_size(PHONE)
    no_page_wider_than_the_screen(page)
    shoot(page, "email-texts-edit-phone")
    page.goto(f"{site}/admin/courriels/textes")
    expect(page.get_by_text(f"par {ADMIN_EMAIL}")).to_be_visible()
    no_page_wider_than_the_screen(page)
    shoot(page, "email-texts-list-phone")
    # (A page of its own, as a mail client shows it: not under the back-office's policy.)
    mail = page.context.new_page()
    mail.set_viewport_size(PHONE)
    mail.set_content(html)
    expect(mail.get_by_text("Bonjour Anne,")).to_be_visible()
    expect(mail.get_by_role("link", name="Ouvrir mon espace membre")).to_have_attribute(
        "href", f"{site}/connexion")
    no_page_wider_than_the_screen(mail)
    shoot(mail, "email-texts-edited-welcome-phone")
