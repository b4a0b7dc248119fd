"""The join → charter → member journey in Chromium, against the live server and a real SMTP."""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.smtp import text_of
from tests.support.typography import fr

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
ADDRESS = "anne.martin@exemple.fr"
ADMIN = "gt-qvt@exemple.fr"
PRINCIPLES = ("Partager les mêmes repères sur la QVT",
              "Intervenir sur un ou plusieurs champs de la QVT",
              "Intégrer un espace dédié")


def shoot(page, name):
    """Full-page screenshot into screenshots/, only when NETWORK_SCREENSHOTS=1."""
    if os.environ.get("NETWORK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_for_mail(smtp, address, subject_part="", count=1, timeout=10.0):
    """The server delivers right after its response, in its own thread: wait for that.

    Returns the messages to `address` whose subject contains `subject_part`, once there are
    at least `count` of them.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp.to(address) if subject_part in m["Subject"]]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            subjects = [m["Subject"] for m in smtp.to(address)]
            raise AssertionError(f"expected {count} e-mail(s) «{subject_part}» to {address} "
                                 f"within {timeout} s; received: {subjects}")
        time.sleep(0.05)


@pytest.fixture
def site(live_server):
    return live_server.config["BASE_URL"]


def test_join_accept_the_charter_and_become_a_member(page, site, smtp):
    # 1. Home page: who we are, the three principles, the way in.
    page.goto(site)
    expect(page.get_by_role("contentinfo")).to_contain_text(
        "Réseau des intervenants QVT en Occitanie")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "intervenants Qualité de vie au travail en Occitanie")
    for principle in PRINCIPLES:
        expect(page.get_by_role("heading", name=principle)).to_be_visible()
    shoot(page, "home")
    page.get_by_role("main").get_by_role("link", name="Rejoindre le réseau").click()
    expect(page).to_have_url(f"{site}/rejoindre")

    # 2. Sign-up form, with one invalid field first.
    page.get_by_label("Prénom").fill("Anne")
    last_name = page.get_by_role("textbox", name="Nom", exact=True)  # "Nom" is in "Prénom"
    last_name.fill("Martin")
    email = page.get_by_label("Adresse e-mail")
    email.fill("anne.martin@")
    page.get_by_label("Structure").fill("Cabinet Travail & Santé")
    page.get_by_label("Consultant ou consultante").check()
    page.get_by_label("31 – Haute-Garonne").check()
    page.get_by_label("Santé au travail", exact=True).check()
    page.get_by_label(fr("J'ai lu la notice de confidentialité")).check()
    page.get_by_role("button", name="Envoyer ma demande").click()

    error = page.locator("#email-erreur")
    expect(error).to_contain_text("Saisissez une adresse e-mail valide")
    # Next to its field: in the same block, and announced with it.
    expect(page.locator(".mb-3", has=email).locator("#email-erreur")).to_be_visible()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"\bemail-erreur\b"))
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    # Nothing typed is lost.
    expect(page.get_by_label("Prénom")).to_have_value("Anne")
    expect(last_name).to_have_value("Martin")
    expect(email).to_have_value("anne.martin@")
    expect(page.get_by_label("Structure")).to_have_value("Cabinet Travail & Santé")
    expect(page.get_by_label("Consultant ou consultante")).to_be_checked()
    expect(page.get_by_label("31 – Haute-Garonne")).to_be_checked()
    expect(page.get_by_label("34 – Hérault")).not_to_be_checked()
    expect(page.get_by_label("Santé au travail", exact=True)).to_be_checked()
    expect(page.get_by_label(fr("J'ai lu la notice de confidentialité"))).to_be_checked()
    shoot(page, "join-error")

    email.fill(ADDRESS)
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", name="Vérifiez votre boîte e-mail")).to_be_visible()
    shoot(page, "check-email")

    # 3–4. The e-mail arrives without any tick; its link opens the charter.
    [welcome] = wait_for_mail(smtp, ADDRESS)
    link = re.search(rf"{re.escape(site)}/charte/\S+", text_of(welcome)).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Charte du réseau des intervenants QVT en Occitanie")
    expect(page.get_by_role("article", name="Texte de la charte")).to_contain_text(
        "Les trois principes de participation")
    shoot(page, "charter")

    accept = page.get_by_role("button", name=fr("J'accepte la charte et je rejoins le réseau"))
    accept.click()
    expect(page.locator("#accept-erreur")).to_have_text("Cochez la case pour accepter la charte.")
    box = page.get_by_label(fr("J'ai lu la charte et je m'engage à la respecter"))
    expect(box).to_have_attribute("aria-invalid", "true")
    box.check()
    accept.click()
    expect(page.get_by_role("heading", name="Bienvenue dans le réseau !")).to_be_visible()
    shoot(page, "welcome")

    # 5. The confirmation and the admins' notification.
    confirmations = wait_for_mail(smtp, ADDRESS, "Bienvenue")
    assert len(confirmations) == 1
    [notification] = wait_for_mail(smtp, ADMIN)
    assert notification["Subject"] == "Nouveau membre : Anne Martin"

    # 6. The link has served.
    page.goto(link)
    expect(page.get_by_role("heading", name="Votre adhésion est déjà confirmée")).to_be_visible()


def test_every_field_of_the_sign_up_form_has_a_label(page, site):
    page.goto(f"{site}/rejoindre")
    fields = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => !['hidden', 'submit'].includes(el.type) && el.name !== 'nickname')
        .map(el => ({name: el.name, labelled: [...el.labels].some(l => l.textContent.trim())}))""")
    assert {f["name"] for f in fields} >= {"first_name", "last_name", "email", "organisation",
                                            "profile", "departments", "qvt_fields",
                                            "privacy_consent"}
    assert [f["name"] for f in fields if not f["labelled"]] == []

    # The honeypot is out of reach of keyboards and screen readers.
    expect(page.locator(".honeypot")).to_have_attribute("aria-hidden", "true")
    expect(page.locator("input[name=nickname]")).to_have_attribute("tabindex", "-1")
    # The first Tab offers to skip to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
