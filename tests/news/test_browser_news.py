"""An admin relays a call for projects in Chromium, publishes it and prepares its mailing; a
visitor finds it first on /actualites, on a laptop and on a phone (screenshots with
NETWORK_SCREENSHOTS=1)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from network.admin.services import create_admin
from network.extensions import db
from network.mailings.models import Mailing
from network.news.models import NewsKind
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FROZEN_NOW
from tests.membership.test_browser_journey import shoot
from tests.news.helpers import TODAY, make_call, make_news
from tests.support.typography import fr

# What a browser shows depends on the pages, not on the database: one run (SQLite).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def some_news():
    make_news("Retour sur le webinaire « Télétravail et QVT »",
              summary="Le replay et les supports sont en ligne dans les ressources du réseau.",
              published=FROZEN_NOW - timedelta(days=2))
    make_news("L'ARS cherche des intervenants pour un programme régional",
              NewsKind.PARTNERSHIP, summary="Une proposition de partenariat pour les "
              "consultants et les acteurs-relais de l'Hérault et du Gard.",
              published=FROZEN_NOW - timedelta(days=5))
    make_call("Appel à projets « Prévention des risques psychosociaux » 2026",
              TODAY - timedelta(days=3), summary="Clos depuis peu : les lauréats seront "
              "annoncés en janvier.", published=FROZEN_NOW - timedelta(days=60))
    db.session.add(Mailing(subject="Lettre d'information n° 7 – novembre 2026",
                           body_markdown="Bonjour", created_by=ADMIN_EMAIL,
                           created_at=FROZEN_NOW, send_requested_at=FROZEN_NOW,
                           queued_at=FROZEN_NOW, newsletter=True))
    db.session.commit()


def test_a_call_for_projects_relayed_from_the_back_office(page, live_server, smtp):
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        some_news()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{site}/admin/connexion")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Actualités").click()
    page.get_by_role("link", name="Nouvelle actualité").click()
    page.get_by_label("Type").select_option(label="Appel à projets")
    page.get_by_label("Titre").fill("Appel à projets FACT 2027")
    page.get_by_label("Résumé").fill("Le Fonds pour l'amélioration des conditions de travail "
                                     "finance les projets QVT des TPE et PME.")
    page.get_by_label("Texte (Markdown, facultatif)").fill(
        "## Qui peut répondre ?\n\nLes entreprises de moins de 300 salariés.")
    page.get_by_role("button", name="Enregistrer").click()
    # Without its deadline and link, a call is refused, each field saying why.
    expect(page.get_by_text(fr("Indiquez la date limite de l'appel à projets.")).first
           ).to_be_visible()
    page.get_by_label("Date limite (appel à projets)").fill("2027-03-15")
    page.get_by_label("Lien", exact=True).fill(
        "https://travail-emploi.gouv.fr/fact")
    shoot(page, "admin-news-edit")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brouillon")
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publiée")
    shoot(page, "admin-news-detail")
    page.get_by_role("button", name="Préparer un envoi à partir de cette actualité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Modifier l'envoi"))
    expect(page.get_by_label("Objet")).to_have_value("Appel à projets FACT 2027")

    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{site}/actualites")
        first = page.locator("article").first
        expect(first).to_contain_text("Appel à projets FACT 2027")
        expect(first).to_contain_text(fr("jusqu'au 15 mars 2027 inclus"))
        expect(page.locator("article").last).to_contain_text("Clos")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, f"news-{width}")
    page.get_by_role("link", name="Appel à projets FACT 2027").click()
    expect(page.get_by_role("link", name=fr("Voir l'appel à projets"))).to_have_attribute(
        "href", "https://travail-emploi.gouv.fr/fact")
    shoot(page, "news-item-390")
