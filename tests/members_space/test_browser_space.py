"""The member space in Chromium, from the sign-in e-mail to leaving the network."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from network.extensions import db
from tests.factories import NOW, make_member
from tests.membership.test_browser_journey import shoot, wait_for_mail
from tests.support.smtp import text_of
from tests.support.typography import fr

ADDRESS = "anne.martin@exemple.fr"


def sign_in(page, site, smtp, already=0):
    page.goto(f"{site}/espace")
    expect(page).to_have_url(f"{site}/connexion")
    page.get_by_label("Adresse e-mail").fill(ADDRESS)
    page.get_by_role("button", name="Recevoir mon lien de connexion").click()
    expect(page.get_by_role("heading", name="Vérifiez votre boîte e-mail")).to_be_visible()
    messages = wait_for_mail(smtp, ADDRESS, "lien de connexion", count=already + 1)
    link = re.search(r"http://127\.0\.0\.1:\d+/connexion/\S+", text_of(messages[-1])).group(0)
    page.goto(link)
    page.get_by_role("button", name="Ouvrir mon espace membre").click()
    expect(page.get_by_role("heading", name="Bonjour Anne")).to_be_visible()


def test_member_space_from_sign_in_to_leaving(page, live_server, smtp):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        make_member(NOW)
        db.session.commit()
    sign_in(page, site, smtp)
    shoot(page, "member-space")

    page.get_by_role("link", name="Mes coordonnées").first.click()
    page.get_by_label("Téléphone (facultatif)").fill("appelez-moi")
    page.get_by_label(fr("J'accepte d'apparaître dans l'annuaire des membres du réseau")).check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#phone-erreur")).to_contain_text("Saisissez un numéro de téléphone")
    shoot(page, "member-details-error")
    page.get_by_label("Téléphone (facultatif)").fill("05 61 00 00 00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos coordonnées sont enregistrées.")).to_be_visible()

    page.get_by_role("link", name="Annuaire").first.click()
    page.get_by_label("Nom ou structure").fill("Travail & Santé")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_role("heading", name="Anne Martin")).to_be_visible()
    expect(page.get_by_text("05 61 00 00 00")).to_be_visible()
    shoot(page, "member-directory")

    page.get_by_role("link", name="Mes données").first.click()
    expect(page.get_by_role("heading", name="Mes coordonnées")).to_be_visible()
    expect(page.get_by_text("05 61 00 00 00")).to_be_visible()
    shoot(page, "member-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données").click()
    data = json.loads(Path(download_info.value.path()).read_text("utf-8"))
    assert data["coordonnees"]["telephone"] == "05 61 00 00 00"
    assert data["coordonnees"]["annuaire"] is True

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté·e de votre espace membre, sur tous vos "
                            "appareils.")).to_be_visible()
    sign_in(page, site, smtp, already=1)

    page.get_by_role("link", name="Quitter le réseau").first.click()
    page.get_by_role("button", name="Je confirme : je quitte le réseau").click()
    expect(page.get_by_role("heading", name="Vous avez quitté le réseau")).to_be_visible()
    wait_for_mail(smtp, ADDRESS, "Vous avez quitté le réseau")
    wait_for_mail(smtp, "gt-qvt@exemple.fr", "Sortie du réseau : Anne Martin")
    page.goto(f"{site}/espace")
    expect(page).to_have_url(f"{site}/connexion")
