"""Asking and answering: the personal links, the answers, the evaluation after an event (the
needs survey, network.evaluations.needs, invites through the same batches).

Each person gets one invitation per survey and answers once. The invitation (who, whether they
answered) and the response (what they answered) are written in the same transaction but share
no key: the results cannot be traced back to anyone.
"""

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from network.evaluations.models import (
    Purpose,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from network.evaluations.questionnaires import current_questions, evaluation_questionnaire
from network.events.models import Event, EventStatus, Registration, RegistrationStatus
from network.extensions import db
from network.mail.services import Conflicts, Email, queue_emails
from network.membership.models import Person, Status
from network.membership.services import signed_serializer
from network.templating import PARIS
from network.urls import external_url

# After downtime the tick catches up on the evaluations due this long ago at most: never a
# questionnaire about an event long past (nor, on the first day, about every past event).
CATCH_UP = timedelta(days=7)


# --- Links --------------------------------------------------------------------------------------

def invitation_token(invitation: SurveyInvitation) -> str:
    return signed_serializer("survey-invitation").dumps({"i": invitation.id})


class LinkRefused(Exception):
    """Why a personal link cannot be answered: 'invalid', 'expired' or 'answered'."""

    def __init__(self, kind: str, invitation: SurveyInvitation | None = None):
        super().__init__(kind)
        self.kind = kind
        self.invitation = invitation


def link_expires_at(invitation: SurveyInvitation) -> datetime:
    return invitation.invited_at + timedelta(days=current_app.config["EVALUATION_LINK_DAYS"])


def invitation_for_token(token: str, now: datetime) -> SurveyInvitation:
    """The invitation a link stands for, still open to an answer, else LinkRefused."""
    try:
        invitation_id = int(signed_serializer("survey-invitation").loads(token)["i"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused("invalid") from None
    invitation = db.session.get(SurveyInvitation, invitation_id) if 0 < invitation_id < 2**31 \
        else None
    # Unlinked from an anonymised person: the link is no one's any more.
    if invitation is None or (invitation.person_id is None and invitation.registration_id is None):
        raise LinkRefused("invalid")
    if invitation.answered_on is not None:
        raise LinkRefused("answered", invitation)
    if now >= link_expires_at(invitation):
        raise LinkRefused("expired", invitation)
    return invitation


# --- Answers ------------------------------------------------------------------------------------

def questions_of(survey: Survey) -> list[Question]:
    return current_questions(survey.questionnaire_id)


def record_answers(invitation: SurveyInvitation, values: dict[int, object],
                   now: datetime) -> bool:
    """Record one person's answers ({question id: value}, unanswered questions left out);
    False, and nothing written, if this invitation was answered meanwhile (a double click)."""
    marked = db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation.id, SurveyInvitation.answered_on.is_(None))
        .values(answered_on=now.astimezone(PARIS).date())
        .execution_options(synchronize_session=False)).rowcount
    if not marked:
        return False
    questions = {question.id: question for question in questions_of(invitation.survey)}
    response = SurveyResponse(survey_id=invitation.survey_id)
    for question_id, value in values.items():
        question = questions[question_id]
        if value in (None, ""):
            continue
        response.answers.append(SurveyAnswer(
            question_id=question_id,
            scale_value=int(value) if question.kind == QuestionKind.SCALE else None,
            choice=value if question.kind == QuestionKind.CHOICE else None,
            text=value if question.kind == QuestionKind.TEXT else None))
    db.session.add(response)
    db.session.expire(invitation, ["answered_on"])
    return True


# --- Evaluations after events ---------------------------------------------------------------------

def send_evaluations(now: datetime, progress=None) -> int:
    """EVALUATION_DELAY_HOURS after an event's end, invite each person marked present, once.
    Attendance marked later in the catch-up week still gets its questionnaire."""
    delay = timedelta(hours=current_app.config["EVALUATION_DELAY_HOURS"])
    events = db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.ends_at <= now - delay,
        Event.ends_at > now - delay - CATCH_UP).order_by(Event.ends_at, Event.id)).all()
    sent = 0
    for event in events:
        sent += _evaluate(event, now, progress, sent)
    return sent


def _present_not_invited(event: Event):
    """The registrations of the people present with an address, not invited yet, by id."""
    invited = exists().where(SurveyInvitation.registration_id == Registration.id,
                             SurveyInvitation.survey_id == Survey.id,
                             Survey.key == f"evaluation:{event.id}")
    return (select(Registration).outerjoin(Person, Registration.person_id == Person.id)
            .options(joinedload(Registration.person))
            .where(Registration.event_id == event.id,
                   Registration.status == RegistrationStatus.REGISTERED,
                   Registration.attended.is_(True), ~invited,
                   or_(and_(Registration.person_id.is_(None),
                            Registration.guest_email.is_not(None)),
                       and_(Person.status != Status.EXITED, Person.email.is_not(None))))
            .order_by(Registration.id))


def _evaluate(event: Event, now: datetime, progress, already: int) -> int:
    if db.session.scalar(select(func.count()).select_from(
            _present_not_invited(event).limit(1).subquery())) == 0:
        return 0
    survey = _evaluation_survey(event, now)
    if survey is None:
        return 0
    return invite_in_batches(
        lambda last_id: db.session.scalars(_present_not_invited(event).where(
            Registration.id > last_id).limit(current_app.config["RENEWAL_BATCH_SIZE"])).all(),
        lambda registration: SurveyInvitation(survey_id=survey.id,
                                              registration_id=registration.id,
                                              person_id=registration.person_id, invited_at=now),
        lambda registration, invitation: _evaluation_email(event, registration, invitation),
        now, lambda done: progress and progress(f"Évaluation « {event.title} »", already + done))


def invite_in_batches(next_batch, invitation_for, email_for, now: datetime, on_batch) -> int:
    """Invitations and their e-mails, written together a committed batch at a time (rows with
    an `id`, in id order, from `next_batch(last_id)`); a batch that conflicts is taken again,
    then skipped (network.mail.services.Conflicts). Returns how many were invited."""
    sent, last_id, conflicts = 0, 0, Conflicts("survey_invitations")
    while True:
        batch = next_batch(last_id)
        if not batch:
            return sent
        try:
            invitations = [invitation_for(row) for row in batch]
            db.session.add_all(invitations)
            db.session.flush()
            queue_emails([email_for(row, invitation)
                          for row, invitation in zip(batch, invitations, strict=True)], now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if conflicts.again([row.id for row in batch]):
                continue
        else:
            sent += len(batch)
        last_id = batch[-1].id
        on_batch(sent)


def _evaluation_survey(event: Event, now: datetime) -> Survey | None:
    """The event's evaluation, created (and committed) the first time; None if its kind has no
    question to ask."""
    key = f"evaluation:{event.id}"
    survey = db.session.scalar(select(Survey).where(Survey.key == key))
    if survey is not None:
        return survey
    questionnaire = evaluation_questionnaire(event.kind, now)
    if questionnaire is None or not current_questions(questionnaire.id):
        db.session.commit()
        return None
    try:
        with db.session.begin_nested():
            survey = Survey(key=key, questionnaire_id=questionnaire.id,
                            purpose=Purpose.EVALUATION, event_id=event.id, title=event.title,
                            created_at=now, requested_by="planificateur")
            db.session.add(survey)
    except IntegrityError:
        survey = db.session.scalar(select(Survey).where(Survey.key == key))
    db.session.commit()
    return survey


def _evaluation_email(event: Event, registration: Registration,
                      invitation: SurveyInvitation) -> Email:
    # "event_…": a guest's copy goes with their other event e-mails (events.retention).
    return Email(f"evaluation:{event.id}:{registration.id}", registration.email,
                 "event_evaluation", f"Votre avis : {event.title}", registration.person,
                 context=link_context(invitation) | {
                     "event": event, "name": registration.first_name})


def link_context(invitation: SurveyInvitation) -> dict:
    return {"answer_link": external_url("evaluations.answer", token=invitation_token(invitation)),
            "expires_at": link_expires_at(invitation)}


# --- Personal data ------------------------------------------------------------------------------

def unlink_invitations(person_ids: list[int]) -> None:
    """At anonymisation: the invitations stay (the response rates) but name no one."""
    db.session.execute(update(SurveyInvitation).where(SurveyInvitation.person_id.in_(person_ids))
                       .values(person_id=None, registration_id=None)
                       .execution_options(synchronize_session=False))


def invitations_of(person: Person) -> list[SurveyInvitation]:
    return db.session.scalars(
        select(SurveyInvitation).options(joinedload(SurveyInvitation.survey))
        .where(SurveyInvitation.person_id == person.id)
        .order_by(SurveyInvitation.invited_at, SurveyInvitation.id)).all()
