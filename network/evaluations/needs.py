"""The reinforcement module's needs survey (the seed: « connaître le niveau d'appropriation et
les besoins des membres »): sent by an admin to every member or to those registered to a module,
through the same one-answer personal links as the evaluations."""

from datetime import datetime

from flask import current_app
from sqlalchemy import exists, func, select

from network.evaluations.models import Purpose, Questionnaire, Survey, SurveyInvitation
from network.evaluations.services import invite_in_batches, link_context
from network.events.models import Event, Registration, RegistrationStatus
from network.extensions import db
from network.mail.services import Email
from network.membership.models import Person, Status


def needs_recipients(event_id: int | None):
    """The members asked: all of them, or those registered to the given module; by id."""
    query = select(Person).where(Person.status == Status.MEMBER, Person.email.is_not(None))
    if event_id is not None:
        query = query.where(exists().where(
            Registration.person_id == Person.id, Registration.event_id == event_id,
            Registration.status == RegistrationStatus.REGISTERED))
    return query.order_by(Person.id)


def needs_recipient_count(event_id: int | None) -> int:
    return db.session.scalar(select(func.count()).select_from(
        needs_recipients(event_id).order_by(None).subquery()))


def request_needs_survey(questionnaire: Questionnaire, event: Event | None, admin_email: str,
                         now: datetime) -> Survey:
    """Confirmed by an admin: the tick sends the personal links at its next run, in batches."""
    title = questionnaire.title + (f" – {event.title}" if event else "")
    survey = Survey(questionnaire_id=questionnaire.id, purpose=Purpose.NEEDS,
                    event_id=event.id if event else None, title=title[:200], created_at=now,
                    requested_by=admin_email,
                    recipient_count=needs_recipient_count(event.id if event else None))
    db.session.add(survey)
    return survey


def queue_requested_surveys(now: datetime, progress=None) -> int:
    """Invite the members of each needs survey requested; a re-run resumes where it stopped."""
    sent = 0
    for survey in db.session.scalars(select(Survey).where(
            Survey.purpose == Purpose.NEEDS, Survey.queued_at.is_(None))
            .order_by(Survey.id)).all():
        sent += _invite_members(survey, now, progress, sent)
        survey.queued_at = now
        db.session.commit()
    return sent


def _invite_members(survey: Survey, now: datetime, progress, already: int) -> int:
    not_invited = needs_recipients(survey.event_id).where(~exists().where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.person_id == Person.id))
    batch_size = current_app.config["RENEWAL_BATCH_SIZE"]
    return invite_in_batches(
        lambda last_id: db.session.scalars(not_invited.where(Person.id > last_id)
                                           .limit(batch_size)).all(),
        lambda person: SurveyInvitation(survey_id=survey.id, person_id=person.id,
                                        invited_at=now),
        lambda person, invitation: Email(
            f"survey:{survey.id}:{person.id}", person.email, "survey_invitation",
            f"Questionnaire : {survey.title}", person,
            context=link_context(invitation) | {"survey": survey}),
        now, lambda done: progress and progress(f"Questionnaire « {survey.title} »",
                                                already + done))
