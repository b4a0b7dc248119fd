"""Signing in from a real browser, as the browser tests do it: an admin with their password, a
member with the link of the e-mail the sign-in page sends."""

import re

from playwright.sync_api import expect

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.membership.test_browser_journey import wait_for_mail
from tests.support.smtp import text_of

SIGN_IN_LINK = re.compile(r"http://127\.0\.0\.1:\d+/connexion/\S+")


def sign_in_admin(page, site: str) -> None:
    page.goto(f"{site}/admin/connexion")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()


def sign_in_member(page, site: str, smtp, address: str) -> None:
    """Ask for a sign-in link, follow the latest one the member received, open the space."""
    page.goto(f"{site}/connexion")
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_role("button", name="Recevoir mon lien de connexion").click()
    expect(page.get_by_role("heading", name="Vérifiez votre boîte e-mail")).to_be_visible()
    message = wait_for_mail(smtp, address, "lien de connexion")[-1]
    page.goto(SIGN_IN_LINK.search(text_of(message)).group(0))
    page.get_by_role("button", name="Ouvrir mon espace membre").click()
    expect(page).to_have_url(f"{site}/espace")
