"""An event that took place, people present or not, their questionnaire links and answers."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from network.evaluations.forms import answer_form_class
from network.evaluations.models import (
    Purpose,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from network.evaluations.questionnaires import current_questions, evaluation_questionnaire
from network.evaluations.services import invitation_token, record_answers
from network.events.models import Audience, EventKind
from network.events.services import (
    confirm_guest_registration,
    register_member,
    request_guest_registration,
)
from network.extensions import db
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.factories import make_member
from tests.support.smtp import text_of

# A workshop on the Friday before the pages' instant (tests.conftest.FROZEN_NOW, Monday 23
# November 2026): its questionnaire's links are still open then.
STARTED = datetime(2026, 11, 20, 14, 0, tzinfo=PARIS)
ENDED = STARTED + timedelta(hours=2)
REGISTERED_ON = STARTED - timedelta(days=5)
LINK = re.compile(r"http://reseau\.test(/evaluation/\S+)")
# The back-office's questionnaires, in the events' area.
QUESTIONNAIRES = "/admin/evenements/questionnaires"


def past_event(**overrides):
    values = {"title": "Atelier « Prévenir l'usure professionnelle »", "starts": STARTED,
              "capacity": None, "kind": EventKind.WORKSHOP} | overrides
    return make_event(**values)


def people(count: int, prefix: str = "p") -> list:
    return [make_member(REGISTERED_ON - timedelta(days=400), email=f"{prefix}{n}@exemple.fr",
                        first_name=f"Prénom{n}", last_name=f"Nom{n}") for n in range(count)]


def registered(event, persons, present: bool | None = True) -> list:
    """Registered before the event; attendance marked as given (None: not marked)."""
    registrations = [register_member(event, person, REGISTERED_ON) for person in persons]
    for registration in registrations:
        registration.attended = present
    db.session.commit()
    return registrations


def guest(event, name: str, email: str, present: bool = True):
    registration = request_guest_registration(event, name, email, "Structure invitée",
                                              REGISTERED_ON)
    confirm_guest_registration(registration, REGISTERED_ON)
    registration.attended = present
    db.session.commit()
    return registration


def public_event(**overrides):
    return past_event(audience=Audience.PUBLIC, **overrides)


def evaluation_mails(smtp, address: str | None = None) -> list:
    return [m for m in (smtp.to(address) if address else smtp.messages)
            if m["Subject"].startswith("Votre avis")]


def link_path(message) -> str:
    """The path of the questionnaire's personal link in an e-mail."""
    return LINK.search(text_of(message)).group(1)


def evaluation_survey(event, now=ENDED) -> Survey:
    """The event's evaluation with nobody invited yet (as the tick makes it)."""
    survey = db.session.scalar(select(Survey).where(Survey.key == f"evaluation:{event.id}"))
    if survey is None:
        survey = Survey(key=f"evaluation:{event.id}", purpose=Purpose.EVALUATION,
                        event_id=event.id, title=event.title, requested_by="planificateur",
                        questionnaire_id=evaluation_questionnaire(event.kind, now).id,
                        created_at=now)
        db.session.add(survey)
        db.session.commit()
    return survey


def invite(survey, registration, now=ENDED) -> SurveyInvitation:
    invitation = SurveyInvitation(survey_id=survey.id, registration_id=registration.id,
                                  person_id=registration.person_id, invited_at=now)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def token_path(invitation) -> str:
    return urlsplit(f"http://reseau.test/evaluation/{invitation_token(invitation)}").path


def answer(survey, registration, values: dict[int, object], now=ENDED):
    """One person answers, through the service (invited first)."""
    assert record_answers(invite(survey, registration, now), values, now)
    db.session.commit()


def questions(survey) -> list:
    return current_questions(survey.questionnaire_id)


def world_survey(event, registration, now) -> tuple:
    """For the walks over every page (tests.support.bad_input.make_world): the event's
    evaluation with three answers already in, and an open invitation for `registration`."""
    survey = evaluation_survey(event, now)
    for marks in ((5, 4, "Oui"), (3, 2, "Non"), (4, 4, None)):
        response = SurveyResponse(survey_id=survey.id)
        for question in questions(survey):
            value = {"echelle": marks[0] if question.overall else marks[1],
                     "choix": question.option_list[0] if question.option_list else None,
                     "texte": marks[2]}[question.kind]
            if value is not None:
                response.answers.append(SurveyAnswer(
                    question_id=question.id, **{"echelle": {"scale_value": value},
                                                "choix": {"choice": value},
                                                "texte": {"text": value}}[question.kind]))
        db.session.add(response)
    invitation = invite(survey, registration, now)
    # The class of the link's form, as the page makes it (the walks read the forms' fields).
    answer_form_class(questions(survey))
    return survey, invitation


def answer_body() -> dict:
    """Every question of the only survey answered: a valid body for its link."""
    survey = db.session.scalar(select(Survey))
    return {f"q{question.id}": {"echelle": "4", "texte": "Des repères pour agir.",
                                "choix": (question.option_list or [""])[0]}[question.kind]
            for question in questions(survey)}
