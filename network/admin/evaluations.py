"""The answers in the back-office: each survey's results and CSV (no names: the answers have
none), an event's evaluation, and the needs survey sent to members."""

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from sqlalchemy import select

from network.admin.charts import hbar_chart
from network.admin.exports import csv_response
from network.admin.questionnaires import survey_figures
from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.stats import Share
from network.admin.views import bp
from network.evaluations import needs, results
from network.evaluations.forms import NeedsSurveyForm
from network.evaluations.models import (
    PURPOSE_LABELS,
    QUESTION_KIND_LABELS,
    Purpose,
    QuestionKind,
    Questionnaire,
    Survey,
)
from network.evaluations.questionnaires import evaluation_questionnaire
from network.events.models import EVENT_KIND_LABELS, Event, EventKind, EventStatus
from network.extensions import db, utcnow
from network.inputs import database_int
from network.templating import french_date, plural


@bp.get("/evenements/questionnaires/resultats/<int:survey_id>")
@requires(ANIMATION)
def survey_results(survey_id):
    survey = db.get_or_404(Survey, survey_id)
    figures = results.survey_results(survey)
    return render_template("admin/evaluations/results.html", survey=survey, results=figures,
                           charts={result.question.id: _chart(result)
                                   for result in figures.questions},
                           purposes=PURPOSE_LABELS, kinds=QUESTION_KIND_LABELS)


def _chart(result: results.QuestionResult):
    """The bars of a scale (1 to 5, its ends labelled) or of a choice."""
    if result.question.kind == QuestionKind.SCALE:
        question = result.question
        labels = {1: f"1 – {question.low_label}", 5: f"5 – {question.high_label}"}
        shares = [Share(str(value), labels.get(value, str(value)), count)
                  for value, count in enumerate(result.distribution, start=1)]
        return hbar_chart(shares, tone="teal")
    if result.question.kind == QuestionKind.CHOICE:
        return hbar_chart([Share(option, option, count) for option, count in result.choices],
                          tone="ochre")
    return None


@bp.get("/evenements/questionnaires/resultats/<int:survey_id>/reponses.csv")
@requires(ANIMATION)
def survey_export(survey_id):
    survey = db.get_or_404(Survey, survey_id)
    header, rows = results.answer_rows(survey)
    audit(g.admin.email, "questionnaire.export", utcnow(), detail=survey.title)
    db.session.commit()
    return csv_response(f"reponses-questionnaire-{survey.id}.csv", header, rows)


@bp.get("/evenements/<int:event_id>/evaluation")
@requires(ANIMATION)
def events_evaluation(event_id):
    """From the event's page: its evaluation's results once sent, else when it will go."""
    event = db.get_or_404(Event, event_id)
    survey = db.session.scalar(select(Survey).where(Survey.key == f"evaluation:{event.id}"))
    if survey is not None:
        return redirect(url_for(".survey_results", survey_id=survey.id))
    asked = db.session.scalars(select(Survey).where(
        Survey.purpose == Purpose.NEEDS, Survey.event_id == event.id)
        .order_by(Survey.created_at.desc())).all()
    questionnaire = evaluation_questionnaire(event.kind, utcnow())
    db.session.commit()
    return render_template("admin/evaluations/event.html", event=event,
                           questionnaire=questionnaire, needs=asked,
                           figures=survey_figures([survey.id for survey in asked]),
                           delay=current_app.config["EVALUATION_DELAY_HOURS"],
                           kinds=EVENT_KIND_LABELS)


def _modules() -> list[tuple[int, str]]:
    """The reinforcement modules whose registered members may be asked their needs."""
    return [(event.id, f"{event.title}, {french_date(event.starts_at)}")
            for event in db.session.scalars(select(Event).where(
                Event.kind == EventKind.REINFORCEMENT_MODULE,
                Event.status == EventStatus.PUBLISHED).order_by(Event.starts_at.desc())
                .limit(30))]


@bp.route("/evenements/questionnaires/<int:questionnaire_id>/envoyer",
          methods=["GET", "POST"])
@requires(ANIMATION)
def needs_survey_send(questionnaire_id):
    questionnaire = db.get_or_404(Questionnaire, questionnaire_id)
    if questionnaire.purpose != Purpose.NEEDS:
        abort(404)
    modules = _modules()
    form = NeedsSurveyForm(modules)
    count = None
    if form.validate_on_submit():
        event_id = None if form.audience.data == "tous" else database_int(form.audience.data)
        event = db.session.get(Event, event_id) if event_id is not None else None
        if form.confirm.data:
            now = utcnow()
            survey = needs.request_needs_survey(questionnaire, event, g.admin.email, now)
            audit(g.admin.email, "questionnaire.send", now,
                  detail=f"{survey.title} : {plural(survey.recipient_count, 'membre')}")
            db.session.commit()
            flash(f"Questionnaire en cours d'envoi à {plural(survey.recipient_count, 'membre')} "
                  "(au prochain passage du planificateur).", "success")
            return redirect(url_for(".questionnaires", _anchor="envois"))
        count = needs.needs_recipient_count(event_id)
        form.submit.label.text = "Envoyer le questionnaire"
    return render_template("admin/evaluations/send.html", questionnaire=questionnaire,
                           form=form, count=count, modules=modules), 400 if form.errors else 200
