"""What the answers say: per survey (the back-office's results page and CSV), per year (the
annual report's satisfaction), and the resources' usefulness. Never a name: the answers have
none."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from network.evaluations.models import (
    SCALE,
    Purpose,
    Question,
    QuestionKind,
    ResourceUsefulness,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from network.events.models import Event, EventKind
from network.extensions import db
from network.templating import PARIS


@dataclass
class QuestionResult:
    question: Question
    # Answers given to this question (an optional one may have fewer than the survey).
    count: int = 0
    # A scale: the answers for 1 to 5, and their average.
    distribution: list[int] = field(default_factory=list)
    average: float | None = None
    # A choice: (option, answers) in the options' order.
    choices: list[tuple[str, int]] = field(default_factory=list)
    # A free text: the texts, as written.
    texts: list[str] = field(default_factory=list)

    @property
    def archived(self) -> bool:
        return self.question.archived_at is not None


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    answered: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


def survey_results(survey: Survey) -> SurveyResults:
    """Who was asked, how many answered, and each question's figures."""
    invited, answered = db.session.execute(
        select(func.count(), func.count(SurveyInvitation.answered_on))
        .where(SurveyInvitation.survey_id == survey.id)).one()
    return SurveyResults(survey, invited, answered,
                         [_result(question, survey) for question in survey_questions(survey)])


def survey_questions(survey: Survey) -> list[Question]:
    """The questions asked now, and those archived since that this survey's answers answered."""
    answered_here = select(SurveyAnswer.question_id).join(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id)
    return db.session.scalars(select(Question).where(
        Question.questionnaire_id == survey.questionnaire_id,
        or_(Question.archived_at.is_(None), Question.id.in_(answered_here)))
        .order_by(Question.archived_at.is_not(None), Question.position, Question.id)).all()


def _answers(question: Question, survey: Survey):
    return (select(SurveyAnswer).join(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id,
                   SurveyAnswer.question_id == question.id))


def _result(question: Question, survey: Survey) -> QuestionResult:
    result = QuestionResult(question)
    if question.kind == QuestionKind.SCALE:
        counts = _counts(SurveyAnswer.scale_value, question, survey)
        result.distribution = [counts.get(value, 0) for value in SCALE]
        result.count = sum(result.distribution)
        if result.count:
            result.average = sum(value * counts.get(value, 0) for value in SCALE) / result.count
    elif question.kind == QuestionKind.CHOICE:
        counts = _counts(SurveyAnswer.choice, question, survey)
        options = question.option_list
        result.choices = [(option, counts.pop(option, 0)) for option in options] + sorted(
            counts.items())
        result.count = sum(count for _, count in result.choices)
    else:
        # In the responses' (random) order: the order people answered in says nothing here.
        result.texts = db.session.scalars(
            _answers(question, survey).with_only_columns(SurveyAnswer.text)
            .order_by(SurveyAnswer.response_id)).all()
        result.count = len(result.texts)
    return result


def _counts(column, question: Question, survey: Survey) -> dict:
    """{value: answers} of a scale or a choice."""
    return dict(db.session.execute(
        select(column, func.count()).join(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyAnswer.question_id == question.id)
        .group_by(column)).all())


def answer_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """The CSV: one row per response (numbered, in no telling order), one column per question."""
    questions = survey_questions(survey)
    header = ["Réponse"] + [question.text + (" (question retirée)" if question.archived_at
                                              else "") for question in questions]
    column = {question.id: index for index, question in enumerate(questions)}
    rows: dict[str, list] = {}
    for response_id, question_id, scale, choice, text in db.session.execute(
            select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.scale_value,
                   SurveyAnswer.choice, SurveyAnswer.text).join(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
            .order_by(SurveyAnswer.response_id)):
        row = rows.setdefault(response_id, [""] * len(questions))
        if question_id in column:
            row[column[question_id]] = scale if scale is not None else choice or text or ""
    # Responses without any answer (every question optional, none answered) are rows too.
    for response_id in db.session.scalars(select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)):
        rows.setdefault(response_id, [""] * len(questions))
    return header, [[number, *row] for number, (_, row) in enumerate(sorted(rows.items()), 1)]


# --- The year, for the annual report --------------------------------------------------------------

@dataclass(frozen=True)
class Satisfaction:
    """The average of the « satisfaction globale » answers (1 to 5), and how many there are."""

    answers: int
    average: float | None


@dataclass(frozen=True)
class YearSatisfaction:
    year: int
    # Every kind of event (EventKind values, in their order), with 0 answers when none.
    by_kind: dict[str, Satisfaction]
    overall: Satisfaction


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January to 1 January, in Paris."""
    return datetime(year, 1, 1, tzinfo=PARIS), datetime(year + 1, 1, 1, tzinfo=PARIS)


def satisfaction_for_year(year: int) -> YearSatisfaction:
    """For the events that started in `year` (Paris), the average overall satisfaction per kind
    of event and for all of them, with the number of answers it is computed from."""
    start, end = year_bounds(year)
    rows = db.session.execute(
        select(Event.kind, func.count(SurveyAnswer.scale_value),
               func.sum(SurveyAnswer.scale_value))
        .select_from(SurveyAnswer).join(Question, SurveyAnswer.question_id == Question.id)
        .join(SurveyResponse).join(Survey, SurveyResponse.survey_id == Survey.id)
        .join(Event, Survey.event_id == Event.id)
        .where(Question.overall.is_(True), Question.kind == QuestionKind.SCALE,
               Survey.purpose == Purpose.EVALUATION, Event.starts_at >= start,
               Event.starts_at < end)
        .group_by(Event.kind)).all()
    sums = {kind: (count, int(total or 0)) for kind, count, total in rows}
    by_kind = {kind.value: _satisfaction(*sums.get(kind.value, (0, 0))) for kind in EventKind}
    count = sum(count for count, _ in sums.values())
    return YearSatisfaction(year, by_kind,
                            _satisfaction(count, sum(total for _, total in sums.values())))


def _satisfaction(count: int, total: int) -> Satisfaction:
    return Satisfaction(count, total / count if count else None)


# --- Resources ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Usefulness:
    useful: int
    not_useful: int

    @property
    def votes(self) -> int:
        return self.useful + self.not_useful


def usefulness_of(resource_id: int) -> Usefulness:
    useful, not_useful = db.session.execute(
        select(func.coalesce(func.sum(ResourceUsefulness.useful), 0),
               func.coalesce(func.sum(ResourceUsefulness.not_useful), 0))
        .where(ResourceUsefulness.resource_id == resource_id)).one()
    return Usefulness(int(useful), int(not_useful))


def usefulness_for_year(year: int) -> Usefulness:
    """« Cette ressource vous a-t-elle été utile ? » over the year's months, every resource."""
    useful, not_useful = db.session.execute(
        select(func.coalesce(func.sum(ResourceUsefulness.useful), 0),
               func.coalesce(func.sum(ResourceUsefulness.not_useful), 0))
        .where(ResourceUsefulness.month.like(f"{year:04d}-%"))).one()
    return Usefulness(int(useful), int(not_useful))
