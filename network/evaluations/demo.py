"""The demo's evaluations (`flask demo`): each past event of the calendar was evaluated by the
people present, about two in three of them answering, mostly satisfied, as in real life."""

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from network.evaluations.models import (
    Purpose,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from network.evaluations.questionnaires import (
    current_questions,
    ensure_questionnaires,
    evaluation_questionnaire,
)
from network.events.models import Event, EventStatus, Registration, RegistrationStatus
from network.extensions import db
from network.templating import PARIS

ANSWER_RATE = 0.65
# How satisfied people say they are, from 1 to 5.
MARK_WEIGHTS = [2, 5, 18, 42, 33]
COMMENTS = [
    "Des repères concrets pour lancer une démarche dans une petite structure.",
    "Les échanges entre pairs, surtout : on repart avec des idées.",
    "Un peu court pour aller au bout des cas pratiques.",
    "La grille d'entretien présentée, que je vais réutiliser chez mes clients.",
    "Plus de temps en sous-groupes la prochaine fois, s'il vous plaît.",
    "Le lien entre organisation du travail et santé, enfin bien expliqué.",
]


def generate_demo_evaluations(now: datetime, rng: random.Random) -> int:
    """An evaluation for every past event with people present; returns how many."""
    ensure_questionnaires(now)
    delay = timedelta(hours=current_app.config["EVALUATION_DELAY_HOURS"])
    evaluated = set(db.session.scalars(select(Survey.event_id).where(
        Survey.purpose == Purpose.EVALUATION)))
    events = db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.ends_at <= now - delay)
        .order_by(Event.starts_at, Event.id)).all()
    count = 0
    for event in events:
        if event.id in evaluated:
            continue
        present = db.session.execute(select(Registration.id, Registration.person_id).where(
            Registration.event_id == event.id, Registration.attended.is_(True),
            Registration.status == RegistrationStatus.REGISTERED)
            .order_by(Registration.id)).all()
        if present:
            _evaluate(event, present, event.ends_at + delay, now, rng)
            count += 1
    db.session.commit()
    return count


def _evaluate(event: Event, present, invited_at: datetime, now: datetime,
              rng: random.Random) -> None:
    questionnaire = evaluation_questionnaire(event.kind, invited_at)
    questions = current_questions(questionnaire.id)
    survey = Survey(key=f"evaluation:{event.id}", questionnaire_id=questionnaire.id,
                    purpose=Purpose.EVALUATION, event_id=event.id, title=event.title,
                    created_at=invited_at, requested_by="planificateur")
    db.session.add(survey)
    db.session.flush()
    for registration_id, person_id in present:
        answered = min(invited_at + timedelta(hours=rng.randint(1, 96)), now)
        answers = rng.random() < ANSWER_RATE
        db.session.add(SurveyInvitation(
            survey_id=survey.id, registration_id=registration_id, person_id=person_id,
            invited_at=invited_at,
            answered_on=answered.astimezone(PARIS).date() if answers else None))
        if answers:
            db.session.add(SurveyResponse(
                id=f"{rng.getrandbits(128):032x}", survey_id=survey.id,
                answers=[answer for question in questions
                         if (answer := _answer(question, rng)) is not None]))


def _answer(question, rng: random.Random) -> SurveyAnswer | None:
    if not question.required and rng.random() < (0.7 if question.kind == QuestionKind.TEXT
                                                  else 0.15):
        return None
    if question.kind == QuestionKind.SCALE:
        mark = rng.choices(range(1, 6), MARK_WEIGHTS)[0]
        return SurveyAnswer(question_id=question.id, scale_value=mark)
    if question.kind == QuestionKind.CHOICE:
        return SurveyAnswer(question_id=question.id, choice=rng.choice(question.option_list))
    return SurveyAnswer(question_id=question.id, text=rng.choice(COMMENTS))
