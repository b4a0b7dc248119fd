"""The renewal form in Chromium: from the e-mail to "I stay", with a new charter to accept."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from network.extensions import db, utcnow
from network.membership.models import CharterAcceptance, Person, Status
from network.membership.services import publish_charter
from network.scheduler.tick import run_tick
from network.templating import PARIS
from tests.factories import make_member
from tests.membership.test_browser_journey import shoot, wait_for_mail
from tests.support.smtp import text_of
from tests.support.typography import fr

ADDRESS = "anne.martin@exemple.fr"


def test_renew_from_the_e_mail_with_an_invalid_field_and_a_new_charter(page, live_server, smtp):
    site = live_server.config["BASE_URL"]
    # The page checks the deadline at the real time: a campaign opened two days ago is running.
    opened = utcnow().astimezone(PARIS) - timedelta(days=2)
    live_server.config.update(RENEWAL_OPENS=f"{opened:%m-%d}", RENEWAL_OPENS_AT="00:00")
    with live_server.app_context():
        make_member(datetime(2024, 3, 1, tzinfo=PARIS), phone="05 61 00 00 00")
        publish_charter("Charte du réseau", "## Un nouvel engagement\n\nPartager nos outils.",
                        opened - timedelta(days=30))
        db.session.commit()
        run_tick(opened)
    year = opened.year

    [form_mail] = wait_for_mail(smtp, ADDRESS, f"Renouvellement {year}")
    link = re.search(rf"{re.escape(site)}/renouvellement/\S+", text_of(form_mail)).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Renouvellement {year}")

    # Prefilled with what the network knows; the answer is the member's to give.
    stay = page.get_by_label("Je reste dans le réseau")
    expect(stay).not_to_be_checked()
    expect(page.get_by_label("Je quitte le réseau")).not_to_be_checked()
    stay.check()
    expect(page.get_by_label("Prénom")).to_have_value("Anne")
    expect(page.get_by_role("textbox", name="Nom", exact=True)).to_have_value("Martin")
    email = page.get_by_label("Adresse e-mail")
    expect(email).to_have_value(ADDRESS)
    expect(page.get_by_label("Structure")).to_have_value("Cabinet Travail & Santé")
    expect(page.get_by_label("Consultant ou consultante")).to_be_checked()
    expect(page.get_by_label("31 – Haute-Garonne")).to_be_checked()
    expect(page.get_by_label("34 – Hérault")).to_be_checked()
    expect(page.get_by_label("09 – Ariège")).not_to_be_checked()
    expect(page.get_by_label("Santé au travail", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="Nouvelle version de la charte")).to_be_visible()
    shoot(page, "renewal-form")

    # An invalid address, the new charter left unchecked: both said next to their field.
    email.fill("anne.martin@")
    page.get_by_label("Structure").fill("Cabinet Travail & Santé Occitanie")
    send = page.get_by_role("button", name="Envoyer ma réponse")
    send.click()
    expect(page.locator("#email-erreur")).to_contain_text("Saisissez une adresse e-mail valide")
    expect(email).to_have_attribute("aria-invalid", "true")
    charter_box = page.get_by_label(fr("J'ai lu la nouvelle version de la charte"))
    expect(page.locator("#accept_charter-erreur")).to_contain_text(
        "acceptez la nouvelle version de la charte")
    expect(charter_box).to_have_attribute("aria-invalid", "true")
    # Nothing typed is lost.
    expect(page.get_by_label("Structure")).to_have_value("Cabinet Travail & Santé Occitanie")
    expect(email).to_have_value("anne.martin@")
    shoot(page, "renewal-form-errors")

    email.fill(ADDRESS)
    charter_box.check()
    send.click()
    expect(page.get_by_role("status")).to_contain_text("vous restez dans le réseau")
    [confirmation] = wait_for_mail(smtp, ADDRESS, "renouvelée")
    assert str(year) in confirmation["Subject"]
    shoot(page, "renewal-saved")

    with live_server.app_context():
        anne = db.session.scalar(select(Person).where(Person.email == ADDRESS))
        assert anne.status == Status.MEMBER
        assert anne.organisation == "Cabinet Travail & Santé Occitanie"
        versions = db.session.scalars(select(CharterAcceptance.charter_version_id).where(
            CharterAcceptance.person_id == anne.id)).all()
        assert len(versions) == 2, "the new version accepted besides the first"

    # The link opened again shows the answer and lets the member change it.
    page.goto(link)
    expect(page.get_by_role("status")).to_contain_text("vous restez dans le réseau")
    expect(page.get_by_role("group", name="Nouvelle version de la charte")).to_have_count(0)
    page.get_by_label("Je quitte le réseau").check()
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_role("status")).to_contain_text("vous quittez le réseau")
    wait_for_mail(smtp, ADDRESS, "Vous quittez le réseau")
