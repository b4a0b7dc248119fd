"""A call for themes in Chromium, as the GT QVT and two members live it: the admin opens it, the
members propose and vote, one changes a vote, the admin closes it, reads the ranking and turns the
first theme into a workshop."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.extensions import db
from network.themes.models import ThemeProposal
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, browsing_as
from tests.membership.test_browser_journey import shoot
from tests.support.browser import sign_in_admin, sign_in_member
from tests.support.typography import fr
from tests.themes.helpers import member

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def propose(page, title, description):
    page.get_by_label("Thème proposé").fill(title)
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Proposer ce thème").click()
    expect(page.get_by_text(fr(f"Votre proposition « {title} » est enregistrée"))).to_be_visible()


def vote(page, title, button="Voter"):
    page.get_by_role("button", name=fr(f"{button} pour « {title} »", whole=True)).click()
    expect(page.get_by_role("status")).to_contain_text(fr(f"Votre vote pour « {title} »"))


def no_serious_violation(page, axe: Axe, label: str):
    page.evaluate(axe.axe_script)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [v["id"] for v in found["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{label} at {viewport['width']} px: {serious}"


# What the browser sees of the pages: once, on SQLite (the services' tests run on both).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_vote_round_from_opening_to_workshop(live_server, browser, page, smtp):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        member("Anne")
        member("Paul", "Durand")
        db.session.commit()

    # The admin opens a call: two votes each, until its default closing (three weeks, 18 h).
    sign_in_admin(page, site)
    page.get_by_role("link", name="Événements", exact=True).click()
    page.get_by_role("link", name="Appels à thèmes").click()
    page.get_by_role("link", name="Ouvrir un appel à thèmes").click()
    page.get_by_label("Titre").fill("Appel à thèmes des ateliers 2027")
    page.get_by_label("Introduction (Markdown, facultatif)").fill(
        "Les **trois thèmes** les plus plébiscités deviendront des ateliers.")
    page.get_by_label("Nombre de votes par membre").fill("2")
    # Opened an hour ago (the site's clock is frozen: closed « now », it has been open a while).
    expect(page.get_by_label("Ouverture")).to_have_value("2026-11-23T09:00")
    page.get_by_label("Ouverture").fill("2026-11-23T08:00")
    page.get_by_role("button", name="Enregistrer l'appel à thèmes").click()
    expect(page.get_by_text(fr("Il est ouvert : les membres le voient"))).to_be_visible()
    # The home page shows it; a visitor is asked to sign in.
    page.goto(f"{site}/")
    expect(page.get_by_role("link", name="Me connecter pour proposer et voter")).to_be_visible()
    shoot(page, "themes-home")

    with browsing_as(browser) as anne, browsing_as(browser) as paul:
        # Anne sees it on the home page of her space, proposes two themes and votes.
        sign_in_member(anne, site, smtp, "anne.martin@exemple.fr")
        banner = fr("Appel à thèmes ouvert jusqu'au 14 décembre 2026 à 18 h : proposez et votez")
        expect(anne.get_by_role("heading", name=banner)).to_be_visible()
        anne.get_by_role("link", name="Proposer et voter").click()
        propose(anne, "Télétravail et lien social", "Garder le collectif quand on se voit moins.")
        propose(anne, "Charge de travail", "La mesurer, la discuter, la réguler.")

        sign_in_member(paul, site, smtp, "paul.durand@exemple.fr")
        paul.get_by_role("link", name="Thèmes", exact=True).click()
        propose(paul, "Prévenir l'usure professionnelle", "Les fins de carrière, les métiers "
                                                         "pénibles.")
        vote(paul, "Charge de travail")
        vote(paul, "Télétravail et lien social")
        expect(paul.get_by_text("Vous avez donné vos 2 votes.")).to_be_visible()

        anne.reload()
        vote(anne, "Prévenir l'usure professionnelle")
        vote(anne, "Télétravail et lien social")
        expect(anne.locator("article", has_text="Charge de travail")).to_contain_text(
            fr("Pour voter pour ce thème, retirez d'abord un de vos votes."))
        anne.set_viewport_size(DESKTOP)
        shoot(anne, "themes-member-1366")
        anne.set_viewport_size(PHONE)
        shoot(anne, "themes-member-390")
        anne.set_viewport_size(DESKTOP)
        # She changes her mind: the vote for « Télétravail » goes to « Charge de travail ».
        vote(anne, "Télétravail et lien social", button="Retirer mon vote")
        vote(anne, "Charge de travail")
        expect(anne.locator("article", has_text="Charge de travail")).to_contain_text(
            "Vous avez voté pour ce thème.")

        # The admin sees the ranking with the names, closes the call.
        page.goto(f"{site}/admin/evenements/appels-a-themes")
        page.get_by_role("link", name="Appel à thèmes des ateliers 2027").click()
        rows = page.locator("tbody tr")
        expect(rows.nth(0)).to_contain_text("Charge de travail")
        expect(rows.nth(0)).to_contain_text("Anne Martin")
        expect(rows.nth(0).locator("td").nth(3)).to_have_text("2")
        page.get_by_label(fr("Je confirme : les votes s'arrêtent maintenant")).check()
        page.get_by_role("button", name="Clore l'appel maintenant").click()
        expect(page.get_by_text(fr("L'appel à thèmes est clos : les votes sont arrêtés"))) \
            .to_be_visible()
        shoot(page, "themes-admin-ranking")

        # Closed: the members read the ranking, nothing to change.
        anne.reload()
        expect(anne.get_by_role("heading", name="1. Charge de travail")).to_be_visible()
        expect(anne.get_by_role("heading", name=fr("2. Prévenir l'usure professionnelle")))\
            .to_be_visible()
        expect(anne.get_by_role("button", name=re.compile("^Voter"))).to_have_count(0)
        assert "Appel à thèmes ouvert" not in anne.content()
        no_serious_violation(anne, Axe(), "/espace/themes (classement)")
        anne.set_viewport_size(PHONE)
        shoot(anne, "themes-member-ranking-390")

        # One click: the event form, prefilled; the workshop exists once saved.
        page.get_by_role("link", name=fr("Créer l'atelier « Charge de travail »")).click()
        expect(page.get_by_label("Titre")).to_have_value("Charge de travail")
        expect(page.get_by_label("Type")).to_have_value("atelier")
        expect(page.get_by_label("Thèmes (facultatif)")).to_have_value("Charge de travail")
        expect(page.get_by_label("Description (Markdown, facultatif)")).to_have_value(
            "La mesurer, la discuter, la réguler.")
        with live_server.app_context():
            assert db.session.scalar(select(ThemeProposal.event_id).where(
                ThemeProposal.title == "Charge de travail")) is None
        page.locator("#starts_at").fill("2027-02-04T14:00")
        page.locator("#ends_at").fill("2027-02-04T16:30")
        page.get_by_label("Format").select_option(label="À distance")
        page.get_by_label("Lien de connexion (à distance)").fill("https://visio.exemple.fr/charge")
        page.get_by_label("Public").select_option(label="Réservé aux membres du réseau")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("status")).to_contain_text(fr("L'événement est enregistré."))
        page.get_by_role("button", name="Publier").click()

        page.goto(f"{site}/admin/evenements/appels-a-themes")
        page.get_by_role("link", name="Appel à thèmes des ateliers 2027").click()
        expect(page.locator("tbody tr").nth(0)).to_contain_text(
            fr("Devenu l'atelier Charge de travail"))
        anne.reload()
        anne.get_by_role("link", name="Charge de travail").click()
        expect(anne.get_by_role("heading", name="Charge de travail")).to_be_visible()
        expect(anne).to_have_url(re.compile(r"/evenements/\d+$"))
