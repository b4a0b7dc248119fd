"""The join → charter → member journey in Chromium, against the live server and a real SMTP."""

import os
import re
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.support.smtp import text_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
ADDRESS = "anne.martin@exemple.fr"


def shoot(page, name):
    if os.environ.get("NETWORK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_for_mail(smtp, address, subject_part, count=1, timeout=10.0):
    """The server delivers right after its response, in its own thread: wait for that event."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in smtp.to(address) if subject_part in m["Subject"]]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no e-mail «{subject_part}» reached {address} in {timeout} s")


def test_join_accept_the_charter_and_become_a_member(page, live_server, smtp):
    site = live_server.config["BASE_URL"]
    page.goto(site)
    expect(page.get_by_role("heading", level=1)).to_contain_text("intervenants Qualité de vie")
    for principle in ("Partager les mêmes repères sur la QVT",
                      "Intervenir sur un ou plusieurs champs de la QVT",
                      "Intégrer un espace dédié"):
        expect(page.get_by_role("heading", name=principle)).to_be_visible()
    shoot(page, "home")
    page.get_by_role("link", name="Rejoindre le réseau").first.click()

    page.get_by_label("Prénom").fill("Anne")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    page.get_by_label("Adresse e-mail").fill("anne.martin@")
    page.get_by_label("Structure").fill("Cabinet Travail & Santé")
    page.get_by_label("Consultant ou consultante").check()
    page.get_by_label("31 – Haute-Garonne").check()
    page.get_by_role("checkbox", name="Santé au travail").check()
    page.get_by_label("J'ai lu la notice de confidentialité", exact=False).check()
    page.get_by_role("button", name="Envoyer ma demande").click()

    email = page.get_by_label("Adresse e-mail")
    expect(page.locator("#email-erreur")).to_contain_text("Saisissez une adresse e-mail valide")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile("email-erreur"))
    expect(page.get_by_label("Structure")).to_have_value("Cabinet Travail & Santé")
    expect(page.get_by_label("31 – Haute-Garonne")).to_be_checked()
    shoot(page, "join-error")

    email.fill(ADDRESS)
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", name="Vérifiez votre boîte e-mail")).to_be_visible()
    shoot(page, "check-email")

    [welcome] = wait_for_mail(smtp, ADDRESS, "demande d'adhésion")
    link = re.search(r"http://127\.0\.0\.1:\d+/charte/\S+", text_of(welcome)).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Charte du réseau")).to_be_visible()
    accept = page.get_by_role("button", name="J'accepte la charte et je rejoins le réseau")
    accept.click()
    expect(page.locator("#accept-erreur")).to_contain_text("Cochez la case pour accepter")
    shoot(page, "charter")
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    accept.click()
    expect(page.get_by_role("heading", name="Bienvenue dans le réseau !")).to_be_visible()
    shoot(page, "welcome")

    wait_for_mail(smtp, ADDRESS, "Bienvenue")
    wait_for_mail(smtp, "gt-qvt@exemple.fr", "Nouveau membre : Anne Martin")
    page.goto(link)
    expect(page.get_by_role("heading", name="Votre adhésion est déjà confirmée")).to_be_visible()


def test_every_field_of_the_sign_up_form_has_a_label(page, live_server):
    page.goto(f"{live_server.config['BASE_URL']}/rejoindre")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.name !== 'nickname')
        .filter(el => el.labels.length === 0).map(el => el.name)""")
    assert unlabelled == []
    honeypot = page.locator("input[name=nickname]")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    expect(page.locator(".honeypot")).to_have_attribute("aria-hidden", "true")
