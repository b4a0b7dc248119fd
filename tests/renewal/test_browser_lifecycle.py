"""The renewal lifecycle in Chromium (issue 13): the member answers from their space, and the
GT QVT settles, after the deadline, the members the form never reached."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.extensions import db
from network.membership.models import Person
from network.renewal.campaign import run_renewal
from network.renewal.models import RenewalCampaign
from network.scheduler.tick import run_tick
from network.templating import MONTHS, PARIS
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_member
from tests.members_space.test_browser_space import sign_in
from tests.membership.test_browser_journey import shoot, wait_for_mail
from tests.renewal.test_pages import JOINED, open_campaign_now
from tests.support.typography import fr

ANNE = "anne.martin@exemple.fr"
BASILE = "basile.roux@exemple.fr"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def fits_the_screen(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_member_answers_the_renewal_from_their_space(page, live_server, smtp, browser):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        make_member(JOINED)
        open_campaign_now(live_server)
        campaign = db.session.scalar(select(RenewalCampaign))
        year, deadline = campaign.year, campaign.deadline.astimezone(PARIS)
    page.set_viewport_size(DESKTOP)
    sign_in(page, site, smtp)

    banner = page.get_by_role("region", name=f"Renouvellement {year}")
    expect(banner.get_by_role("heading")).to_have_text(
        f"Renouvellement {year} : répondez avant le {deadline.day} "
        f"{MONTHS[deadline.month - 1]} {deadline.year}")
    shoot(page, "renewal-space-banner")
    page.set_viewport_size(PHONE)
    fits_the_screen(page, PHONE["width"])
    shoot(page, "renewal-space-banner-phone")
    page.set_viewport_size(DESKTOP)

    banner.get_by_role("link", name="Répondre au renouvellement").click()
    expect(page).to_have_url(f"{site}/espace/renouvellement")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Renouvellement {year}")
    stay, leave = page.get_by_label("Je reste dans le réseau"), page.get_by_label(
        "Je quitte le réseau")
    expect(stay).not_to_be_checked()
    expect(leave).not_to_be_checked()
    expect(page.get_by_label("Prénom")).to_have_value("Anne")

    send = page.get_by_role("button", name="Envoyer ma réponse")
    send.click()
    answer = page.get_by_role("group", name="Votre réponse")
    expect(answer).to_contain_text("Choisissez votre réponse.")
    expect(page).to_have_url(f"{site}/espace/renouvellement")
    expect(page.get_by_label("Prénom")).to_have_value("Anne")

    stay.check()
    send.click()
    expect(page).to_have_url(f"{site}/espace")
    expect(banner.get_by_role("heading")).to_have_text(
        f"Renouvellement {year} : vous restez dans le réseau")
    expect(banner).to_contain_text(fr("modifier votre réponse jusqu'au"))
    wait_for_mail(smtp, ANNE, "renouvelée")
    shoot(page, "renewal-space-renewed")

    # Without JavaScript, same session: the saved answer shows, the form still works.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  java_script_enabled=False)
    try:
        context.add_cookies(page.context.cookies())
        plain = context.new_page()
        plain.set_default_timeout(10_000)
        plain.goto(f"{site}/espace")
        plain.get_by_role("link", name=re.compile("modifier votre réponse")).click()
        expect(plain.get_by_label("Je reste dans le réseau")).to_be_checked()
        plain.get_by_label("Téléphone (facultatif)").fill("05 61 00 00 00")
        plain.get_by_role("button", name="Envoyer ma réponse").click()
        expect(plain).to_have_url(f"{site}/espace")
        expect(plain.get_by_role("region", name=f"Renouvellement {year}")).to_contain_text(
            "vous restez dans le réseau")
        plain.get_by_role("link", name="Mes coordonnées").first.click()
        expect(plain.get_by_label("Téléphone (facultatif)")).to_have_value("05 61 00 00 00")
    finally:
        context.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_after_the_deadline_the_gt_qvt_sends_the_form_again_to_whom_it_never_reached(
        page, live_server, smtp):
    site = live_server.config["BASE_URL"]
    # A campaign opened 32 days before the pages' now: its 30 days are over.
    opened = live_server.config["FROZEN_NOW"].astimezone(PARIS) - timedelta(days=32)
    live_server.config.update(RENEWAL_OPENS=f"{opened:%m-%d}", RENEWAL_OPENS_AT="00:00")
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        make_member(JOINED)
        make_member(JOINED, email=BASILE, first_name="Basile", last_name="Roux",
                    organisation="Mairie de Rodez", phone="05 65 00 00 00")
        db.session.commit()
        run_tick(opened)
        year = opened.year
        for address in (ANNE, BASILE):
            wait_for_mail(smtp, address, f"Renouvellement {year}")
        # Basile's form came back: his address is dead, as the bounce reader records it.
        basile = db.session.scalar(select(Person).where(Person.email == BASILE))
        basile.email_bounced_at = opened + timedelta(days=1)
        basile.email_bounce_reason = "5.1.1 <basile.roux@exemple.fr>: User unknown"
        db.session.commit()
        run_renewal(db.session.scalar(select(RenewalCampaign.deadline)))

    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/admin/connexion")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Renouvellement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Renouvellement {year}")
    expect(page.get_by_text(re.compile(r"close le \d+"))).to_be_visible()

    tabs = page.get_by_role("navigation", name="Filtrer par réponse")
    rows = page.get_by_role("row")
    anne_row, basile_row = rows.filter(has_text="Martin Anne"), rows.filter(has_text="Roux Basile")
    # The campaign closed: the page opens on those the form never reached.
    expect(page).to_have_url(re.compile(r"/admin/renouvellement$"))
    unreached = tabs.get_by_role("link", name="Sans réponse — e-mail non remis")
    expect(unreached).to_have_class(re.compile(r"\bactive\b"))
    expect(anne_row).to_have_count(0)
    expect(basile_row).to_contain_text("Adresse en échec")
    expect(basile_row).to_contain_text("User unknown")
    expect(basile_row).to_contain_text("05 65 00 00 00")
    expect(basile_row).to_contain_text("Mairie de Rodez")
    for role, action in (("button", "Marquer renouvelé"), ("button", "Sortir du réseau"),
                         ("link", "Corriger l'adresse et renvoyer")):
        expect(basile_row.get_by_role(role, name=fr(action))).to_be_visible()
    shoot(page, "renewal-admin-unreached")
    page.set_viewport_size(PHONE)
    fits_the_screen(page, PHONE["width"])
    shoot(page, "renewal-admin-unreached-phone")
    page.set_viewport_size(DESKTOP)

    tabs.get_by_role("link", name="Sorti faute de réponse").click()
    expect(anne_row).to_contain_text("Sorti faute de réponse")
    expect(basile_row).to_have_count(0)
    tabs.get_by_role("link", name="À vérifier avant la clôture").click()
    expect(basile_row).to_contain_text("Adresse en échec")
    expect(anne_row).to_have_count(0)

    tabs.get_by_role("link", name="Sans réponse — e-mail non remis").click()
    basile_row.get_by_role("link", name=fr("Corriger l'adresse et renvoyer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Renvoyer le formulaire de renouvellement à Basile Roux")
    expect(page.get_by_text(fr(f"L'adresse {BASILE} est en échec"))).to_be_visible()
    page.get_by_label("Adresse e-mail").fill("basile.roux@mairie-rodez.fr")
    page.get_by_label("Nouvelle date limite de réponse").fill(f"{year}-12-15")
    shoot(page, "renewal-admin-send-again")
    page.get_by_role("button", name=fr("Enregistrer l'adresse et renvoyer le formulaire")).click()

    expect(page.get_by_role("status")).to_contain_text(
        f"Le formulaire part vers basile.roux@mairie-rodez.fr, à renvoyer avant le 15/12/{year}.")
    expect(unreached).to_have_class(re.compile(r"\bactive\b"))
    expect(page.get_by_role("cell", name="Personne dans cette catégorie.")).to_be_visible()
    wait_for_mail(smtp, "basile.roux@mairie-rodez.fr", f"Renouvellement {year}")

    tabs.get_by_role("link", name="Sans réponse", exact=True).click()
    expect(basile_row).to_contain_text("basile.roux@mairie-rodez.fr")
    expect(basile_row).to_contain_text(f"date limite personnelle : 15/12/{year}")
    expect(basile_row).not_to_contain_text("Adresse en échec")
