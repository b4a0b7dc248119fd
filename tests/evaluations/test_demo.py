"""`flask demo`: the past events of the network's calendar come with their evaluations, so that
the results pages and the annual report have something to show."""

import random

from sqlalchemy import func, select

from network.evaluations.demo import generate_demo_evaluations
from network.evaluations.models import Survey, SurveyInvitation, SurveyResponse
from network.evaluations.results import satisfaction_for_year, survey_results
from network.events.models import Registration
from network.extensions import db, utcnow


def test_the_demo_s_past_events_were_evaluated_by_the_people_present(app):
    result = app.test_cli_runner().invoke(args=["demo", "--members", "60"])
    assert result.exit_code == 0, result.output
    assert "Événements passés évalués par leurs participants" in result.output
    surveys = db.session.scalars(select(Survey)).all()
    assert len(surveys) > 10
    for survey in surveys:
        figures = survey_results(survey)
        present = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == survey.event_id, Registration.attended.is_(True)))
        assert figures.invited == present
        assert figures.answered == db.session.scalar(select(func.count()).select_from(
            SurveyResponse).where(SurveyResponse.survey_id == survey.id))
        assert survey.event.ends_at < utcnow()
    invited = db.session.scalar(select(func.count()).select_from(SurveyInvitation))
    answered = db.session.scalar(select(func.count(SurveyInvitation.answered_on)))
    assert 0.5 < answered / invited < 0.8
    year = satisfaction_for_year(2021)
    assert year.by_kind["atelier"].answers > 20
    assert 3.5 < year.overall.average < 4.6
    # Run again: nothing evaluated twice.
    assert generate_demo_evaluations(utcnow(), random.Random(1)) == 0
