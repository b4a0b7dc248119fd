"""The questionnaires' editor in the back-office: add, reorder, edit, archive; bad input refused
next to its field; answered questions never rewritten under their answers."""

import pytest
from sqlalchemy import select

from network.evaluations.models import Question, Questionnaire, SurveyAnswer
from network.evaluations.questionnaires import archived_questions, current_questions
from network.extensions import db
from tests.evaluations.helpers import (
    QUESTIONNAIRES,
    answer,
    evaluation_survey,
    past_event,
    people,
    questions,
    registered,
)
from tests.support.bad_input import database_rows

SCALE = {"kind": "echelle", "text": "L'animation vous a-t-elle convenu ?",
         "low_label": "Pas du tout", "high_label": "Tout à fait"}
CHOICE = {"kind": "choix", "text": "Comment avez-vous connu cet atelier ?",
          "options": "Lettre d'information\r\n  Collègue  \r\n\r\nSite du réseau"}


@pytest.fixture
def workshop(admin_client):
    """The workshops' questionnaire, as the back-office lists it."""
    listing = admin_client.get(QUESTIONNAIRES)
    assert listing.status_code == 200
    questionnaire = db.session.scalar(select(Questionnaire).where(
        Questionnaire.key == "evaluation:atelier"))
    assert f"{QUESTIONNAIRES}/{questionnaire.id}" in listing.text
    return questionnaire


def texts(questionnaire) -> list[str]:
    return [q.text for q in current_questions(questionnaire.id)]


def test_the_list_has_a_questionnaire_per_kind_of_event_and_the_needs_survey(admin_client):
    page = admin_client.get(QUESTIONNAIRES).text
    for label in ("Webinaire", "Atelier thématique", "Rendez-vous annuel du réseau",
                  "Module d'accueil", "Module de renforcement", "Groupe de travail",
                  "Vos besoins de renforcement"):
        assert label in page, label
    assert db.session.scalar(select(Questionnaire).where(Questionnaire.key == "besoins"))


def test_add_questions_of_each_kind_then_reorder_them(admin_client, workshop):
    base = f"{QUESTIONNAIRES}/{workshop.id}"
    before = texts(workshop)
    for body in (SCALE, CHOICE, {"kind": "texte", "text": "Un mot pour l'animatrice ?",
                                 "required": "y"}):
        response = admin_client.post(f"{base}/questions/nouvelle", data=body)
        assert response.status_code == 302, response.text
    assert texts(workshop) == before + [SCALE["text"], CHOICE["text"],
                                        "Un mot pour l'animatrice ?"]
    choice = db.session.scalar(select(Question).where(Question.text == CHOICE["text"]))
    assert choice.option_list == ["Lettre d'information", "Collègue", "Site du réseau"]
    assert choice.low_label == "" and not choice.required
    last = db.session.scalar(select(Question).where(Question.text == "Un mot pour l'animatrice ?"))
    assert last.required

    admin_client.post(f"{base}/questions/{last.id}/monter")
    admin_client.post(f"{base}/questions/{last.id}/monter")
    assert texts(workshop)[-3:] == ["Un mot pour l'animatrice ?", SCALE["text"], CHOICE["text"]]
    first = current_questions(workshop.id)[0]
    response = admin_client.post(f"{base}/questions/{first.id}/monter", follow_redirects=True)
    assert "déjà à cette extrémité" in response.text
    admin_client.post(f"{base}/questions/{first.id}/descendre")
    assert texts(workshop)[:2] == before[1::-1]
    assert [q.position for q in current_questions(workshop.id)] == list(
        range(1, len(before) + 4))
    page = admin_client.get(base).text
    assert page.index("Un mot pour l") < page.index(SCALE["text"])


@pytest.mark.parametrize("body, field, message", [
    ({"kind": "", "text": "Q ?"}, "kind", "Choisissez le type de question."),
    ({"kind": "autre", "text": "Q ?"}, "kind", "N'est pas un choix valide."),
    ({"kind": "texte", "text": "   "}, "text", "Ce champ est obligatoire."),
    ({"kind": "texte", "text": "x" * 301}, "text", "300"),
    ({"kind": "choix", "text": "Q ?", "options": "Seule"}, "options", "au moins deux options"),
    ({"kind": "choix", "text": "Q ?", "options": "Oui\nnon\nOUI"}, "options",
     "Deux options sont identiques."),
    ({"kind": "choix", "text": "Q ?", "options": "\n".join(map(str, range(13)))}, "options",
     "12 options au plus."),
    ({"kind": "echelle", "text": "Q ?", "low_label": "Peu"}, "high_label",
     "remplissez les deux libellés"),
    ({"kind": "choix", "text": "Q ?", "options": "a\nb", "overall": "y"}, "overall",
     "satisfaction globale se mesure sur l'échelle"),
    ({"kind": "texte", "text": "Bonjour\x00"}, "text", "caractères de contrôle"),
])
def test_bad_questions_are_refused_next_to_their_field(admin_client, workshop, body, field,
                                                       message):
    rows = database_rows()
    response = admin_client.post(f"{QUESTIONNAIRES}/{workshop.id}/questions/nouvelle",
                                 data=body)
    assert response.status_code == 400
    errors = response.text.split(f'id="{field}-erreur"')[1].split("</div>")[0]
    assert message in errors
    assert "Le formulaire contient 1 erreur" in response.text
    assert database_rows() == rows


def test_the_needs_survey_has_no_overall_satisfaction(admin_client):
    admin_client.get(QUESTIONNAIRES)
    needs = db.session.scalar(select(Questionnaire).where(Questionnaire.key == "besoins"))
    page = admin_client.get(f"{QUESTIONNAIRES}/{needs.id}/questions/nouvelle").text
    assert "satisfaction globale" not in page
    response = admin_client.post(f"{QUESTIONNAIRES}/{needs.id}/questions/nouvelle",
                                 data=SCALE | {"overall": "y"})
    assert response.status_code == 400
    assert "ne concerne que les évaluations" in response.text


def test_one_overall_satisfaction_per_questionnaire(admin_client, workshop):
    base = f"{QUESTIONNAIRES}/{workshop.id}"
    [old] = [q for q in current_questions(workshop.id) if q.overall]
    admin_client.post(f"{base}/questions/nouvelle", data=SCALE | {"overall": "y"})
    overall = [q.text for q in current_questions(workshop.id) if q.overall]
    assert overall == [SCALE["text"]]
    assert old.archived_at is None, "unanswered: simply unflagged"


def test_an_answered_question_is_archived_and_replaced_never_rewritten(app, admin_client,
                                                                      workshop):
    event = past_event()
    [registration] = registered(event, people(1))
    survey = evaluation_survey(event)
    overall, content, *_ = questions(survey)
    answer(survey, registration, {overall.id: 4, content.id: 2})
    base = f"{QUESTIONNAIRES}/{workshop.id}"

    # Required or not changes nothing the answers mean: edited in place.
    response = admin_client.post(f"{base}/questions/{content.id}", data={
        "kind": "echelle", "text": content.text, "low_label": content.low_label,
        "high_label": content.high_label})
    assert response.status_code == 302
    assert not content.required and content.archived_at is None

    # A new wording: the answered question is archived, a new one takes its place.
    new_text = "Le contenu a-t-il répondu à vos attentes ?"
    page = admin_client.get(f"{base}/questions/{content.id}").text
    assert "a déjà reçu des réponses" in page
    response = admin_client.post(f"{base}/questions/{content.id}", data={
        "kind": "echelle", "text": new_text, "low_label": "Pas du tout",
        "high_label": "Tout à fait"}, follow_redirects=True)
    assert "enregistrée comme une nouvelle question" in response.text
    db.session.expire_all()
    assert content.text == "Le contenu répond-il à vos besoins ?", "its answers keep its wording"
    assert content.archived_at is not None
    assert texts(workshop)[1] == new_text, "the new one in its place"
    assert db.session.scalar(select(SurveyAnswer.question_id).where(
        SurveyAnswer.scale_value == 2)) == content.id
    assert [q.id for q in archived_questions(workshop.id)] == [content.id]
    assert admin_client.get(f"{base}/questions/{content.id}").status_code == 404

    # Removing an answered question archives it; an unanswered one is deleted.
    admin_client.post(f"{base}/questions/{overall.id}/retirer")
    text_question = next(q for q in current_questions(workshop.id) if q.kind == "texte")
    admin_client.post(f"{base}/questions/{text_question.id}/retirer")
    db.session.expire_all()
    assert overall.archived_at is not None and db.session.get(Question, overall.id)
    assert db.session.get(Question, text_question.id) is None
    page = admin_client.get(base).text
    assert "Questions archivées" in page and overall.text in page.split("Questions archivées")[1]
    # Their results still read as they were answered.
    results = admin_client.get(f"{QUESTIONNAIRES}/resultats/{survey.id}").text
    assert "Le contenu répond-il à vos besoins ?" in results and "question archivée" in results


def test_moving_the_overall_flag_off_an_answered_question_keeps_its_answers_counted(
        app, admin_client, workshop):
    event = past_event()
    [registration] = registered(event, people(1))
    survey = evaluation_survey(event)
    overall, content, *_ = questions(survey)
    answer(survey, registration, {overall.id: 5, content.id: 3})
    admin_client.post(f"{QUESTIONNAIRES}/{workshop.id}/questions/{content.id}", data={
        "kind": "echelle", "text": content.text, "low_label": "Pas du tout",
        "high_label": "Tout à fait", "overall": "y", "required": "y"})
    db.session.expire_all()
    # Both answered: each is archived as it was, replaced by a copy with the flag moved.
    assert overall.archived_at is not None and overall.overall
    assert content.archived_at is not None and not content.overall
    current = current_questions(workshop.id)
    assert [(q.text, q.overall) for q in current[:2]] == [(overall.text, False),
                                                         (content.text, True)]


def test_title_and_presentation(admin_client, workshop):
    base = f"{QUESTIONNAIRES}/{workshop.id}"
    response = admin_client.post(base, data={"title": "Votre avis sur l'atelier",
                                             "intro": "Trois minutes, merci !"})
    assert response.status_code == 302
    assert (workshop.title, workshop.intro) == ("Votre avis sur l'atelier",
                                                "Trois minutes, merci !")
    assert admin_client.post(base, data={"title": ""}).status_code == 400


def test_unknown_questionnaires_and_questions_are_not_found(admin_client, workshop):
    other = db.session.scalar(select(Questionnaire).where(Questionnaire.key == "besoins"))
    question = current_questions(other.id)[0]
    for path in (f"{QUESTIONNAIRES}/{workshop.id}/questions/{question.id}",
                 f"{QUESTIONNAIRES}/2147483647", f"{QUESTIONNAIRES}/2147483648"):
        assert admin_client.get(path).status_code == 404, path
    assert admin_client.post(f"{QUESTIONNAIRES}/{workshop.id}/questions/"
                             f"{question.id}/monter").status_code == 404
    assert admin_client.get(f"{QUESTIONNAIRES}/{workshop.id}/envoyer").status_code == 404
