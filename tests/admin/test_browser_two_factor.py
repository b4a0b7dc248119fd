"""The second factor in Chromium, as an admin lives it: set it up reading the key on the page,
sign out, sign in with the password and the app's code, then with a recovery code. Each page
of it goes through axe-core at 1366 and 390 px (the sign-in's second step, reached only after
a password, and the pages of an account that has one are not in the walk of every page)."""

import re
from datetime import timedelta

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from network.admin.services import create_admin
from network.extensions import db
from tests.admin.test_browser_admin import shoot
from tests.app.test_browser_accessibility import FAILING, check, summary
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FROZEN_NOW
from tests.support.browser import sign_in_admin

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def at(live_server, minutes: int):
    """The pages' clock, moved on: each code belongs to a time step no earlier code used."""
    live_server.config["FROZEN_NOW"] = FROZEN_NOW + timedelta(minutes=minutes)
    return live_server.config["FROZEN_NOW"]


def sign_out(page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté·e")).to_be_visible()


def password_step(page, site):
    page.goto(f"{site}/admin/connexion?next=/admin/journal")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()


def test_set_up_then_sign_in_with_the_app_then_with_a_recovery_code(live_server, page):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    axe, results = Axe(), []
    sign_in_admin(page, site)
    page.get_by_role("link", name="Double authentification (non activée)").click()
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        box = page.locator("svg.qr-code").bounding_box()
        assert 200 <= box["width"] == box["height"] <= 260, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, "the QR code fits"
        shoot(page, f"two-factor-set-up-{width}")
    secret = page.locator("#cle-secrete").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code à 6 chiffres").fill("12345")
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.locator("#code-erreur")).to_contain_text("Ce code ne correspond pas")
    check(page, axe, "set-up (refused code)", results)
    page.get_by_label("Code à 6 chiffres").fill(totp.at(at(live_server, 0)))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check(page, axe, "recovery codes", results)
    shoot(page, "two-factor-codes-390")
    page.get_by_role("link", name=re.compile("noté mes codes, continuer")).click()
    page.get_by_role("link", name="Double authentification", exact=True).click()
    expect(page.get_by_text("10 codes de secours")).to_be_visible()
    check(page, axe, "status", results)
    page.set_viewport_size({"width": 1366, "height": 900})
    shoot(page, "two-factor-status-1366")
    sign_out(page)

    # The password, then the app's code, a minute later.
    password_step(page, site)
    check(page, axe, "second step", results)
    shoot(page, "two-factor-second-step-390")
    page.get_by_label("Code à 6 chiffres").fill(totp.at(at(live_server, 1)))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("heading", name="Journal des actions")).to_be_visible()
    sign_out(page)

    # The password, then a recovery code typed the lazy way.
    password_step(page, site)
    page.get_by_text(re.compile("avez pas votre téléphone")).click()
    page.get_by_label("Code de secours").fill("nope")
    page.get_by_role("button", name="Valider le code de secours").click()
    expect(page.locator("#recovery_code-erreur")).to_contain_text("pas valable")
    check(page, axe, "second step (refused recovery code)", results)
    page.get_by_label("Code de secours").fill(codes[0].lower().replace("-", " "))
    page.get_by_role("button", name="Valider le code de secours").click()
    expect(page.get_by_role("heading", name="Journal des actions")).to_be_visible()
    expect(page.get_by_text("Il vous en reste 9 codes.")).to_be_visible()
    expect(page.get_by_role("cell", name="Connexion avec un code de secours")).to_be_visible()

    failing = [(label, width, violation["id"]) for label, width, violations in results
               for violation in violations if violation["impact"] in FAILING]
    assert not failing, summary(results)
