"""The personal link: GET shows the questionnaire and changes nothing, POST records once; a
second answer, an expired or forged link get a French page, never a 500; the answers have no
name, in the pages and in the database."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import Date, DateTime, func, select

from network.evaluations.models import (
    Question,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from network.events.models import Registration
from network.events.services import registration_token
from network.extensions import db
from network.scheduler.tick import run_tick
from tests.conftest import FROZEN_NOW
from tests.evaluations.helpers import (
    ENDED,
    evaluation_mails,
    evaluation_survey,
    invite,
    link_path,
    past_event,
    people,
    questions,
    registered,
    token_path,
)
from tests.support.bad_input import database_rows


@pytest.fixture
def sent(app, smtp):
    """An evaluation sent by the tick to Anne, present at the workshop: her link's path."""
    event = past_event()
    registered(event, people(1, "anne"))
    run_tick(ENDED + timedelta(hours=2))
    [mail] = evaluation_mails(smtp, "anne0@exemple.fr")
    return link_path(mail)


def form_for(survey, **overrides) -> dict:
    """Every question of the workshop's questionnaire answered."""
    body = {}
    for question in questions(survey):
        body[f"q{question.id}"] = {"echelle": "4", "texte": "Des repères pour agir.",
                                   "choix": question.option_list[0] if question.option_list
                                   else ""}[question.kind]
    return body | overrides


def the_survey():
    return db.session.scalar(select(SurveyInvitation)).survey


def test_the_link_shows_the_questionnaire_and_changes_nothing(client, sent):
    before = database_rows()
    page = client.get(sent)
    assert page.status_code == 200
    assert "Votre avis sur cet atelier" in page.text
    assert "Globalement, êtes-vous satisfait·e de cet atelier ?" in page.text
    assert "1 – Pas du tout satisfait·e" in page.text and "5 – Tout à fait satisfait·e" in page.text
    assert "Qu'en retenez-vous ?" in page.text
    assert "Atelier « Prévenir l'usure professionnelle »" in page.text
    client.get(sent)
    assert database_rows() == before, "a GET (a mail scanner) changes nothing"


def test_one_answer_recorded_then_a_second_refused(client, sent):
    survey = the_survey()
    body = form_for(survey)
    response = client.post(sent, data=body)
    assert response.status_code == 200
    assert "Merci pour vos réponses" in response.text
    invitation = db.session.scalar(select(SurveyInvitation))
    assert invitation.answered_on == FROZEN_NOW.date()
    [stored] = db.session.scalars(select(SurveyResponse)).all()
    assert {a.question_id: a.scale_value or a.choice or a.text for a in stored.answers} == {
        int(name[1:]): int(value) if value.isdigit() else value for name, value in body.items()}

    again = client.post(sent, data=form_for(survey, **{next(iter(body)): "1"}))
    assert again.status_code == 409
    assert "Vous avez déjà répondu" in again.text
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    opened = client.get(sent)
    assert opened.status_code == 200 and "Vous avez déjà répondu" in opened.text
    assert "<form" not in opened.text.split("<main")[1]


def test_required_questions_and_bad_values_are_refused_next_to_their_question(client, sent):
    survey = the_survey()
    scale, content, own, *_ = questions(survey)
    before = database_rows()
    response = client.post(sent, data=form_for(survey, **{f"q{scale.id}": "",
                                                          f"q{content.id}": "7"}))
    assert response.status_code == 400
    text = response.text
    assert "Le formulaire contient 2 erreurs" in text
    assert "Répondez à cette question : elle est obligatoire." in text
    assert re.search(rf'id="q{content.id}-erreur"', text)
    # What was typed stays.
    assert "Des repères pour agir." in text
    assert database_rows() == before


def test_free_text_refuses_control_characters_and_the_oversized(client, sent):
    survey = the_survey()
    text_question = next(q for q in questions(survey) if q.kind == "texte")
    before = database_rows()
    for value in ("a\x00b", "\x1b[31m", "x" * 3001):
        response = client.post(sent, data=form_for(survey, **{f"q{text_question.id}": value}))
        assert response.status_code == 400, value
    assert database_rows() == before


def test_optional_questions_may_stay_unanswered(client, sent):
    survey = the_survey()
    required = {f"q{q.id}": "5" for q in questions(survey) if q.required}
    assert client.post(sent, data=required).status_code == 200
    [stored] = db.session.scalars(select(SurveyResponse)).all()
    assert sorted(a.question_id for a in stored.answers) == sorted(
        int(name[1:]) for name in required)


def test_an_expired_link_gets_a_french_page(app, client):
    event = past_event()
    [registration] = registered(event, people(1))
    survey = evaluation_survey(event)
    days = app.config["EVALUATION_LINK_DAYS"]
    invitation = invite(survey, registration, now=FROZEN_NOW - timedelta(days=days))
    for method in ("get", "post"):
        response = getattr(client, method)(token_path(invitation), data=form_for(survey))
        assert response.status_code == 410
        assert "Ce questionnaire est clos" in response.text
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    # A day less and it is open.
    invitation.invited_at += timedelta(days=1)
    db.session.commit()
    assert client.get(token_path(invitation)).status_code == 200


@pytest.mark.parametrize("token", ["", "abc", "eyJpIjoxfQ.forged", "x" * 500, "%00", "é"])
def test_forged_or_truncated_links_get_a_french_page(client, sent, token):
    path = f"/evaluation/{token}"
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 404
        if token:
            assert "Lien non valable" in response.text


def test_a_link_signed_for_something_else_is_not_a_questionnaire(client, sent):
    registration = db.session.scalar(select(Registration))
    assert client.get(f"/evaluation/{registration_token(registration)}").status_code == 404
    assert client.get(f"{sent[:-3]}abc").status_code == 404


def test_the_answers_are_stored_without_anything_that_names_their_author():
    """No key from an answer to a person, a registration or an invitation, and no time."""
    for model in (SurveyResponse, SurveyAnswer):
        table = model.__table__
        targets = {key.column.table.name for key in table.foreign_keys}
        assert targets <= {"survey", "survey_response", "question"}, table.name
        assert not [column.name for column in table.columns
                    if isinstance(getattr(column.type, "impl", column.type), (DateTime, Date))
                    or column.name in ("person_id", "registration_id", "invitation_id")]
    assert SurveyResponse.__table__.c.id.type.python_type is str, "a random id, not a counter"


def test_two_people_s_answers_cannot_be_told_apart(app, client):
    event = past_event()
    first, second = registered(event, people(2))
    survey = evaluation_survey(event)
    links = [token_path(invite(survey, registration)) for registration in (first, second)]
    for link, mark in zip(links, ("2", "5"), strict=True):
        assert client.post(link, data=form_for(survey, **{
            f"q{questions(survey)[0].id}": mark})).status_code == 200
    # Answered the same day: the invitations say who answered, not what nor in which order.
    assert {i.answered_on for i in db.session.scalars(select(SurveyInvitation))} == {
        date(2026, 11, 23)}
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert len(responses) == 2 and all(len(r.id) == 32 for r in responses)
    assert db.session.scalar(select(func.count()).select_from(Question)) > 0
