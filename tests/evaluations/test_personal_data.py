"""Who was asked is personal data (exported, then unlinked at anonymisation); what they answered
is not theirs any more: anonymous, never exported, never traced back."""

import json
from datetime import UTC, timedelta

from sqlalchemy import select

from network.evaluations.models import SurveyInvitation
from network.evaluations.results import survey_results
from network.events.models import Registration
from network.events.retention import purge_past_guests
from network.extensions import db
from network.mail.models import OutboxMessage
from network.members_space.services import anonymise_departed, personal_data
from network.membership.services import leave_network
from network.scheduler.tick import run_tick
from tests.evaluations.helpers import (
    ENDED,
    evaluation_mails,
    guest,
    link_path,
    people,
    public_event,
    questions,
    registered,
)
from tests.evaluations.test_answering import form_for

ANSWER = "Une phrase que personne ne doit pouvoir relier à Anne."


def answered_by_anne(client, smtp):
    event = public_event()
    [anne] = people(1, "anne")
    registered(event, [anne])
    run_tick(ENDED + timedelta(hours=2))
    [mail] = evaluation_mails(smtp, anne.email)
    survey = db.session.scalar(select(SurveyInvitation)).survey
    retained = next(question for question in questions(survey) if question.kind == "texte")
    response = client.post(link_path(mail), data=form_for(survey, **{f"q{retained.id}": ANSWER}))
    assert response.status_code == 200
    return anne, survey, link_path(mail)


def test_my_data_says_i_was_asked_and_answered_but_not_what(app, client, smtp):
    anne, survey, _ = answered_by_anne(client, smtp)
    data = personal_data(anne)
    [entry] = data["questionnaires"]
    assert entry == {"questionnaire": "Atelier « Prévenir l'usure professionnelle »",
                     "invite_le": (ENDED + timedelta(hours=2)).astimezone(UTC).isoformat(),
                     # The day of the answer, without its hour: noon in Paris.
                     "reponse_donnee_le": "2026-11-23T11:00:00+00:00"}
    assert ANSWER not in json.dumps(data, ensure_ascii=False)


def test_anonymisation_unlinks_the_invitations_and_keeps_the_figures(app, client, smtp):
    anne, survey, link = answered_by_anne(client, smtp)
    leave_network(anne, ENDED + timedelta(days=1))
    db.session.commit()
    anonymise_departed(ENDED + timedelta(days=30 * app.config["RETENTION_MONTHS"] + 2))
    [invitation] = db.session.scalars(select(SurveyInvitation)).all()
    assert (invitation.person_id, invitation.registration_id) == (None, None)
    assert invitation.answered_on is not None
    results = survey_results(survey)
    assert (results.invited, results.answered) == (1, 1)
    assert any(ANSWER in result.texts for result in results.questions)
    assert client.get(link).status_code == 404, "the link is no one's any more"


def test_a_guest_s_questionnaire_e_mail_goes_with_their_other_event_e_mails(app, smtp):
    event = public_event()
    guest(event, "Zoé Invitée", "zoe@exemple.fr")
    run_tick(ENDED + timedelta(hours=2))
    assert evaluation_mails(smtp, "zoe@exemple.fr")
    purge_past_guests(ENDED + timedelta(days=app.config["GUEST_RETENTION_DAYS"] + 1))
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "zoe@exemple.fr")) is None
    invitation = db.session.scalar(select(SurveyInvitation))
    registration = db.session.get(Registration, invitation.registration_id)
    assert invitation.person_id is None and registration.guest_email is None
