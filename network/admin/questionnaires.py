"""The questionnaires in the back-office: one per kind of event and the needs survey, their
questions edited (an answered question is archived, never changed under its answers)."""

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import case, func, select

from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.views import bp
from network.evaluations import questionnaires as editor
from network.evaluations.forms import QuestionForm, QuestionnaireForm
from network.evaluations.models import (
    PURPOSE_LABELS,
    QUESTION_KIND_LABELS,
    Purpose,
    Question,
    Questionnaire,
    Survey,
    SurveyInvitation,
)
from network.events.models import EVENT_KIND_LABELS, EventKind
from network.extensions import db, utcnow


@bp.get("/evenements/questionnaires")
@requires(ANIMATION)
def questionnaires():
    # The defaults are written by the migration; a questionnaire missing comes back here.
    editor.ensure_questionnaires(utcnow())
    db.session.commit()
    kind_order = case({kind.value: index for index, kind in enumerate(EventKind)},
                      value=Questionnaire.event_kind, else_=len(EventKind))
    all_questionnaires = db.session.scalars(select(Questionnaire).order_by(
        Questionnaire.purpose, kind_order, Questionnaire.id)).all()
    surveys = db.session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
                                 .limit(60)).all()
    return render_template(
        "admin/evaluations/list.html",
        evaluations=[q for q in all_questionnaires if q.purpose == Purpose.EVALUATION],
        needs=[q for q in all_questionnaires if q.purpose == Purpose.NEEDS],
        question_counts=_question_counts(), surveys=surveys,
        figures=survey_figures([survey.id for survey in surveys]), kinds=EVENT_KIND_LABELS,
        purposes=PURPOSE_LABELS)


def _question_counts() -> dict[int, int]:
    return dict(db.session.execute(
        select(Question.questionnaire_id, func.count()).where(Question.archived_at.is_(None))
        .group_by(Question.questionnaire_id)).all())


def survey_figures(survey_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(invited, answered) of each survey, in one query."""
    figures = dict.fromkeys(survey_ids, (0, 0))
    figures.update({survey_id: (invited, answered) for survey_id, invited, answered in
                    db.session.execute(
                        select(SurveyInvitation.survey_id, func.count(),
                               func.count(SurveyInvitation.answered_on))
                        .where(SurveyInvitation.survey_id.in_(survey_ids))
                        .group_by(SurveyInvitation.survey_id))})
    return figures


@bp.route("/evenements/questionnaires/<int:questionnaire_id>",
          methods=["GET", "POST"])
@requires(ANIMATION)
def questionnaire(questionnaire_id):
    questionnaire = db.get_or_404(Questionnaire, questionnaire_id)
    form = QuestionnaireForm(data={"title": questionnaire.title, "intro": questionnaire.intro})
    if form.validate_on_submit():
        now = utcnow()
        questionnaire.title = form.title.data.strip()
        questionnaire.intro = (form.intro.data or "").strip()
        questionnaire.updated_at = now
        audit(g.admin.email, "questionnaire.edit", now, detail=questionnaire.title)
        db.session.commit()
        flash("Le titre et la présentation sont enregistrés.", "success")
        return redirect(url_for(".questionnaire", questionnaire_id=questionnaire.id))
    current = editor.current_questions(questionnaire.id)
    archived = editor.archived_questions(questionnaire.id)
    return render_template(
        "admin/evaluations/questionnaire.html", questionnaire=questionnaire, form=form,
        questions=current, archived=archived,
        answers=editor.answer_counts([q.id for q in current + archived]),
        kinds=QUESTION_KIND_LABELS, event_kinds=EVENT_KIND_LABELS,
        purposes=PURPOSE_LABELS), 400 if form.errors else 200


@bp.route("/evenements/questionnaires/<int:questionnaire_id>/questions/nouvelle",
          methods=["GET", "POST"])
@bp.route("/evenements/questionnaires/<int:questionnaire_id>/questions/<int:question_id>",
          methods=["GET", "POST"])
@requires(ANIMATION)
def question_edit(questionnaire_id, question_id=None):
    questionnaire = db.get_or_404(Questionnaire, questionnaire_id)
    question = _question(questionnaire, question_id) if question_id else None
    if question is not None and question.archived_at is not None:
        abort(404)
    form = QuestionForm(data=QuestionForm.data_of(question) if question else None)
    answered = question is not None and editor.is_answered(question)
    if form.validate_on_submit():
        now = utcnow()
        try:
            if question is None:
                saved = editor.add_question(questionnaire, form.draft(), now)
                message = "La question est ajoutée."
            else:
                saved = editor.update_question(question, form.draft(), now)
                message = ("La question est enregistrée." if saved is question else
                           "La question est enregistrée comme une nouvelle question : "
                           "l'ancienne, déjà répondue, est archivée avec ses réponses.")
        except editor.QuestionRefused as refusal:
            form[refusal.field].errors = [str(refusal)]
        else:
            audit(g.admin.email, "questionnaire.question", now,
                  detail=f"{questionnaire.title} : {saved.text}")
            db.session.commit()
            flash(message, "success")
            return redirect(url_for(".questionnaire", questionnaire_id=questionnaire.id,
                                    _anchor=f"question-{saved.id}"))
    return render_template("admin/evaluations/question.html", questionnaire=questionnaire,
                           question=question, form=form, answered=answered,
                           evaluation=questionnaire.purpose == Purpose.EVALUATION), (
        400 if form.errors else 200)


def _question(questionnaire: Questionnaire, question_id: int) -> Question:
    return db.first_or_404(select(Question).where(
        Question.id == question_id, Question.questionnaire_id == questionnaire.id))


@bp.post("/evenements/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/"
         "<any('monter', 'descendre', 'retirer'):action>")
@requires(ANIMATION)
def question_action(questionnaire_id, question_id, action):
    questionnaire = db.get_or_404(Questionnaire, questionnaire_id)
    question = _question(questionnaire, question_id)
    if question.archived_at is not None:
        flash("Cette question est archivée.", "warning")
        return redirect(url_for(".questionnaire", questionnaire_id=questionnaire.id))
    now = utcnow()
    anchor = f"question-{question.id}"
    if action == "retirer":
        outcome = editor.remove_question(question, now)
        flash("La question est archivée : ses réponses restent dans les résultats."
              if outcome == "archived" else "La question est supprimée.", "success")
        anchor = "questions"
    elif not editor.move_question(question, -1 if action == "monter" else 1, now):
        flash("La question est déjà à cette extrémité du questionnaire.", "info")
    audit(g.admin.email, f"questionnaire.{action}", now,
          detail=f"{questionnaire.title} : {question.text}")
    db.session.commit()
    return redirect(url_for(".questionnaire", questionnaire_id=questionnaire.id,
                            _anchor=anchor))
