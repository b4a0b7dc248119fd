"""After an event, the people marked present get the questionnaire by e-mail: after the delay,
once, in batches, from the tick (injected times, a real SMTP sink)."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from network.evaluations.models import Survey, SurveyInvitation
from network.evaluations.questionnaires import (
    current_questions,
    evaluation_questionnaire,
    remove_question,
)
from network.events.models import EventStatus
from network.events.services import cancel_event, cancel_registration
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.services import leave_network
from network.scheduler.tick import run_tick
from tests.evaluations.helpers import (
    ENDED,
    REGISTERED_ON,
    evaluation_mails,
    guest,
    link_path,
    past_event,
    people,
    public_event,
    registered,
)
from tests.support.smtp import text_of


def test_the_questionnaire_goes_after_the_delay_to_the_people_present_only(app, smtp):
    event = public_event()
    present = people(3, "present")
    registered(event, present)
    registered(event, people(1, "absent"), present=False)
    registered(event, people(1, "unmarked"), present=None)
    cancelled = registered(event, people(1, "cancelled"))
    cancel_registration(cancelled[0], REGISTERED_ON + timedelta(days=1))
    cancelled[0].attended = True  # whatever the sheet says, a cancelled place is not asked
    db.session.commit()
    guest(event, "Zoé Invitée", "zoe@exemple.fr")
    guest(event, "Yves Absent", "yves@exemple.fr", present=False)

    run_tick(ENDED + timedelta(hours=1, minutes=59))
    assert evaluation_mails(smtp) == [], "not before EVALUATION_DELAY_HOURS"
    run_tick(ENDED + timedelta(hours=2))
    received = Counter(m["To"] for m in evaluation_mails(smtp))
    assert received == Counter(["present0@exemple.fr", "present1@exemple.fr",
                                "present2@exemple.fr", "zoe@exemple.fr"])

    [mail] = evaluation_mails(smtp, "present0@exemple.fr")
    assert mail["Subject"] == "Votre avis : Atelier « Prévenir l'usure professionnelle »"
    text = text_of(mail)
    assert "Bonjour Prénom0," in text and "anonymes" in text
    assert link_path(mail).startswith("/evaluation/")
    assert "jusqu'au 20 décembre 2026" in text, "30 days after the e-mail"
    [zoe] = evaluation_mails(smtp, "zoe@exemple.fr")
    assert "Bonjour Zoé Invitée," in text_of(zoe)


def test_the_tick_is_idempotent_and_attendance_marked_later_still_counts(app, smtp):
    event = past_event()
    first = registered(event, people(2, "first"))
    late = registered(event, people(1, "late"), present=None)
    for hours in (2, 3, 26):
        run_tick(ENDED + timedelta(hours=hours))
    assert Counter(m["To"] for m in evaluation_mails(smtp)) == Counter(
        ["first0@exemple.fr", "first1@exemple.fr"]), "one e-mail each, whatever the ticks"

    # The attendance sheet typed in three days later: the next tick sends the rest.
    late[0].attended = True
    db.session.commit()
    run_tick(ENDED + timedelta(days=3))
    run_tick(ENDED + timedelta(days=3, minutes=1))
    assert Counter(m["To"] for m in evaluation_mails(smtp)) == Counter(
        ["first0@exemple.fr", "first1@exemple.fr", "late0@exemple.fr"])
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
    invited = db.session.scalars(select(SurveyInvitation.registration_id)).all()
    assert sorted(invited) == sorted(r.id for r in first + late)
    keys = db.session.scalars(select(OutboxMessage.dedup_key).where(
        OutboxMessage.template == "event_evaluation")).all()
    assert sorted(keys) == sorted(f"evaluation:{event.id}:{r.id}" for r in first + late)


def test_no_questionnaire_for_a_draft_or_a_cancelled_event(app, smtp):
    draft = past_event(title="Redevenu brouillon")
    registered(draft, people(1, "draft"))
    draft.status = EventStatus.DRAFT
    cancelled = past_event(title="Annulé")
    registered(cancelled, people(1, "cancelled"))
    cancel_event(cancelled, ENDED)
    db.session.commit()
    run_tick(ENDED + timedelta(hours=2))
    assert evaluation_mails(smtp) == []


def test_no_questionnaire_about_an_event_long_past(app, smtp):
    event = past_event()
    registered(event, people(1))
    # The first tick a fortnight late (the scheduler was down, or the feature just went live).
    run_tick(ENDED + timedelta(days=14))
    assert evaluation_mails(smtp) == []
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
    # Within the week, a late tick catches up.
    run_tick(ENDED + timedelta(days=6))
    assert len(evaluation_mails(smtp)) == 1


def test_people_who_left_and_addresses_erased_get_nothing(app, smtp):
    event = public_event()
    stays, leaves = people(2)
    registered(event, [stays, leaves])
    leave_network(leaves, ENDED)
    zoe = guest(event, "Zoé Invitée", "zoe@exemple.fr")
    zoe.guest_email = zoe.guest_name = None  # erased by the guests' retention
    db.session.commit()
    run_tick(ENDED + timedelta(hours=2))
    assert [m["To"] for m in evaluation_mails(smtp)] == [stays.email]


def test_batches_commit_as_they_go(app, smtp):
    app.config["RENEWAL_BATCH_SIZE"] = 2
    event = past_event()
    registered(event, people(5))
    run_tick(ENDED + timedelta(hours=2))
    assert len(evaluation_mails(smtp)) == 5
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 5


def test_the_delay_is_a_setting(app, smtp):
    app.config["EVALUATION_DELAY_HOURS"] = 24
    event = past_event()
    registered(event, people(1))
    run_tick(ENDED + timedelta(hours=23))
    assert evaluation_mails(smtp) == []
    run_tick(ENDED + timedelta(hours=24))
    assert len(evaluation_mails(smtp)) == 1


def test_a_kind_without_any_question_sends_nothing(app, smtp):
    event = past_event()
    registered(event, people(1))
    questionnaire = evaluation_questionnaire(event.kind, ENDED)
    for question in current_questions(questionnaire.id):
        remove_question(question, ENDED)
    db.session.commit()
    run_tick(ENDED + timedelta(hours=2))
    assert evaluation_mails(smtp) == []
