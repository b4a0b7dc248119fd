"""The whole invitation in Chromium: an administrator invites a partner from « Équipe », the
partner opens the link of the e-mail they received, sets a password, and lands in the
back-office with the menus of their role only."""

import re

import pytest
from playwright.sync_api import expect

from network.admin.services import create_admin
from network.extensions import db
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, browsing_as
from tests.membership.test_browser_journey import shoot, wait_for_mail
from tests.support.browser import sign_in_admin
from tests.support.smtp import text_of

# The pages do not depend on the database: one run (SQLite); the rules run on both in test_team.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CLAIRE = "claire.fabre@carsat-lr.fr"
PASSWORD = "les ateliers du jeudi"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/admin/invitation/\S+")


def test_an_invited_partner_joins_the_back_office_with_their_role(live_server, browser, page,
                                                                  smtp):
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    site = live_server.config["BASE_URL"]
    sign_in_admin(page, site)
    page.get_by_role("link", name="Équipe").click()
    expect(page.get_by_role("heading", name="Équipe du GT QVT")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill(CLAIRE)
    page.get_by_label(re.compile(r"^Animation")).check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status").filter(has_text="Invitation envoyée")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=CLAIRE)).to_contain_text("Invitation envoyée")
    shoot(page, "team-invited")

    message = wait_for_mail(smtp, CLAIRE, "administration")[-1]
    link = LINK.search(text_of(message)).group(0)
    with browsing_as(browser) as claire:
        claire.goto(link)
        expect(claire.get_by_role("heading", name="Choisir votre mot de passe")).to_be_visible()
        claire.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
        claire.get_by_label("Le même mot de passe, une seconde fois").fill(PASSWORD)
        claire.get_by_role("button", name="Activer mon compte").click()
        expect(claire.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()
        expect(claire.get_by_role("status")).to_contain_text("Votre compte est activé")
        menu = claire.get_by_role("navigation", name="Administration")
        expect(menu.get_by_role("link")).to_have_text(
            ["Tableau de bord", "Événements", "Ressources", "Actualités", "Envois"])
        expect(claire.get_by_text(f"{CLAIRE} · Animation")).to_be_visible()
        expect(claire.get_by_role("link", name="Équipe")).to_have_count(0)
        shoot(claire, "team-invitee-dashboard")
        # The link served once.
        claire.goto(link)
        expect(claire.get_by_role("heading", name="Cette invitation a déjà servi")).to_be_visible()

    page.reload()
    expect(page.get_by_role("row").filter(has_text=CLAIRE)).to_contain_text("Actif")
