"""In Chromium: from the e-mail after a workshop to the answer, the results in the back-office,
the library's « utile ? » (CSRF on, no script needed)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from network.admin.services import create_admin
from network.evaluations.results import usefulness_of
from network.extensions import db
from network.scheduler.tick import run_tick
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, browsing_as
from tests.evaluations.helpers import ENDED, past_event, people, registered
from tests.membership.test_browser_journey import shoot, wait_for_mail
from tests.resources.test_library import make_resource
from tests.support.browser import sign_in_admin
from tests.support.smtp import text_of
from tests.support.typography import fr

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def site(live_server):
    live_server.config["RENEWAL_OPENS"] = "06-01"
    return live_server.config["BASE_URL"]


def test_answer_the_questionnaire_then_read_the_results(browser, live_server, site, smtp):
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        event = past_event()
        [anne, basile] = people(2)
        registered(event, [anne, basile])
        run_tick(ENDED + timedelta(hours=2))
        emails, event_id = (anne.email, basile.email), event.id

    for number, address in enumerate(emails):
        [mail] = wait_for_mail(smtp, address, "Votre avis")
        link = re.search(rf"{re.escape(site)}/evaluation/\S+", text_of(mail)).group(0)
        with browsing_as(browser) as page:
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(link)
                shoot(page, f"evaluation-answer-{width}")
            expect(page.get_by_role("heading", level=1)).to_have_text("Votre avis sur cet atelier")
            overall = page.get_by_role("group", name=fr(
                "Globalement, êtes-vous satisfait·e de cet atelier ?", whole=False))
            if number == 0:
                # Sent without the required questions: the summary, the focus on it.
                page.get_by_role("button", name="Envoyer mes réponses").click()
                expect(page.locator("#erreurs")).to_be_focused()
                shoot(page, "evaluation-answer-refused")
            if number == 0:
                overall.get_by_label(fr("5 – Tout à fait satisfait·e")).check()
            else:
                overall.get_by_label("3", exact=True).check()
            page.get_by_role("group", name=fr("Le contenu répond-il à vos besoins ?")) \
                .get_by_label("4" if number == 0 else "2", exact=True).check()
            page.get_by_label(fr("Qu'en retenez-vous ?")).fill(
                f"Réponse libre numéro {number + 1} : des repères concrets.")
            page.get_by_role("button", name="Envoyer mes réponses").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Merci pour vos réponses")
            page.goto(link)
            expect(page.get_by_role("heading", level=1)).to_have_text("Vous avez déjà répondu")

    with browsing_as(browser) as admin:
        sign_in_admin(admin, site)
        admin.goto(f"{site}/admin/evenements/{event_id}")
        admin.get_by_role("link", name="Évaluation (résultats)").click()
        expect(admin.get_by_role("heading", level=1)).to_contain_text("Résultats")
        expect(admin.locator(".figure-card").nth(2)).to_contain_text(fr("100 %"))
        expect(admin.get_by_text(fr("Moyenne : 4,0 sur 5"))).to_be_visible()
        expect(admin.get_by_text(fr("Moyenne : 3,0 sur 5"))).to_be_visible()
        expect(admin.get_by_text(fr("Réponse libre numéro 2 : des repères concrets."))) \
            .to_be_visible()
        for width in (1366, 390):
            admin.set_viewport_size({"width": width, "height": 900})
            shoot(admin, f"evaluation-results-{width}")
        # Nothing wider than a phone's screen, the charts included.
        assert admin.evaluate("document.documentElement.scrollWidth") <= 390
        admin.set_viewport_size({"width": 1366, "height": 900})
        admin.goto(f"{site}/admin/evenements/questionnaires")
        shoot(admin, "evaluation-questionnaires")
        admin.get_by_role("link", name="Votre avis sur cet atelier").click()
        shoot(admin, "evaluation-editor")
        admin.get_by_role("link", name="Ajouter une question").click()
        admin.get_by_label("Type de question").select_option("choix")
        admin.locator("#text").fill("Comment avez-vous connu l'atelier ?")
        admin.get_by_label("Options (choix unique)").fill("Lettre d'information\nCollègue")
        admin.get_by_role("button", name="Enregistrer la question").click()
        expect(admin.get_by_text(fr("La question est ajoutée."))).to_be_visible()
        expect(admin.locator("ol li").last).to_contain_text(
            fr("Comment avez-vous connu l'atelier ?"))


def test_say_whether_a_resource_was_useful(browser, live_server, site, page):
    with live_server.app_context():
        guide = make_resource("Guide de l'entretien QVT")
        guide_id = guide.id
    page.goto(f"{site}/ressources/{guide_id}")
    shoot(page, "resource-useful")
    page.get_by_role("button", name="Oui").click()
    expect(page.get_by_role("status").filter(has_text=fr(
        "Merci : votre avis sur cette ressource est enregistré."))).to_be_visible()
    with live_server.app_context():
        assert usefulness_of(guide_id).useful == 1
        db.session.remove()
