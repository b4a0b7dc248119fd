"""The reinforcement module's needs survey: sent by an admin to every member or to those
registered to a module, through the same one-answer personal links and results page."""

import html
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.evaluations.models import Purpose, Questionnaire, Survey, SurveyResponse
from network.evaluations.questionnaires import current_questions
from network.events.models import EventKind
from network.events.services import register_member
from network.extensions import db, utcnow
from network.membership.services import leave_network
from network.scheduler.tick import run_tick
from tests.evaluations.helpers import LINK, QUESTIONNAIRES, people
from tests.events.helpers import make_event
from tests.support.smtp import text_of

SUBJECT = "Questionnaire : Vos besoins de renforcement"


@pytest.fixture
def needs(admin_client) -> Questionnaire:
    admin_client.get(QUESTIONNAIRES)
    return db.session.scalar(select(Questionnaire).where(Questionnaire.key == "besoins"))


@pytest.fixture
def module(app):
    """A reinforcement module next month: three members registered, two others not."""
    event = make_event(kind=EventKind.REINFORCEMENT_MODULE, capacity=None,
                       title="Module de renforcement : outiller la démarche QVT",
                       starts=utcnow() + timedelta(days=30))
    for person in people(3, "inscrit"):
        register_member(event, person, utcnow())
    people(2, "autre")
    db.session.commit()
    return event


def survey_mails(smtp):
    return [m for m in smtp.messages if m["Subject"].startswith(SUBJECT)]


def test_sent_to_the_members_registered_to_a_module(admin_client, smtp, needs, module):
    page = f"{QUESTIONNAIRES}/{needs.id}/envoyer"
    form = admin_client.get(page).text
    assert "Tous les membres" in form and "Module de renforcement : outiller" in form
    preview = admin_client.post(page, data={"audience": str(module.id)})
    assert preview.status_code == 200
    assert "<strong>3 membres</strong>" in preview.text
    assert db.session.scalar(select(Survey)) is None, "a preview sends nothing"
    response = admin_client.post(page, data={"audience": str(module.id), "confirm": "y"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey))
    assert (survey.purpose, survey.event_id, survey.recipient_count) == (Purpose.NEEDS,
                                                                         module.id, 3)
    assert survey.title == ("Vos besoins de renforcement – Module de renforcement : outiller "
                            "la démarche QVT")
    run_tick(utcnow() + timedelta(minutes=1))
    run_tick(utcnow() + timedelta(minutes=2))
    mails = survey_mails(smtp)
    assert Counter(m["To"] for m in mails) == Counter(
        f"inscrit{n}@exemple.fr" for n in range(3))
    assert survey.queued_at is not None
    text = text_of(mails[0])
    assert "Vous êtes inscrit·e à « Module de renforcement : outiller la démarche QVT »" in text

    # The same one-answer link and the same results page.
    link = LINK.search(text).group(1)
    visitor = admin_client.application.test_client()
    form = visitor.get(link)
    assert "Où en êtes-vous dans l'accompagnement des démarches QVT ?" in form.text
    questions = {f"q{q.id}": "3" if q.kind == "echelle" else q.option_list[0]
                 if q.option_list else "Des méthodes d'enquête"
                 for q in current_questions(survey.questionnaire_id)}
    assert visitor.post(link, data=questions).status_code == 200
    assert visitor.post(link, data=questions).status_code == 409
    results = admin_client.get(f"{QUESTIONNAIRES}/resultats/{survey.id}").text
    assert "Recueil des besoins" in results and "33 %" in results
    assert "Des méthodes d'enquête</blockquote>" in html.unescape(results)
    assert db.session.scalar(select(SurveyResponse.survey_id)) == survey.id
    listing = admin_client.get(QUESTIONNAIRES).text
    assert f"{QUESTIONNAIRES}/resultats/{survey.id}" in listing
    event_page = admin_client.get(f"/admin/evenements/{module.id}/evaluation").text
    assert f"{QUESTIONNAIRES}/resultats/{survey.id}" in event_page


def test_sent_to_every_member_and_only_to_members(admin_client, smtp, needs, module):
    gone = people(1, "parti")[0]
    leave_network(gone, utcnow())
    db.session.commit()
    page = f"{QUESTIONNAIRES}/{needs.id}/envoyer"
    preview = admin_client.post(page, data={"audience": "tous"})
    assert "<strong>5 membres</strong>" in preview.text
    admin_client.post(page, data={"audience": "tous", "confirm": "y"})
    run_tick(utcnow() + timedelta(minutes=1))
    mails = survey_mails(smtp)
    assert len(mails) == 5 and gone.email not in {m["To"] for m in mails}
    assert "Le GT QVT prépare le module de renforcement" in text_of(mails[0])


@pytest.mark.parametrize("audience, message", [
    ("", "Choisissez à qui envoyer le questionnaire."),
    ("2147483648", "N'est pas un choix valide."),
])
def test_the_audience_is_checked(admin_client, needs, module, audience, message):
    response = admin_client.post(f"{QUESTIONNAIRES}/{needs.id}/envoyer",
                                 data={"audience": audience, "confirm": "y"})
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(Survey)) is None
