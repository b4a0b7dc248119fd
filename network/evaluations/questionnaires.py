"""The questionnaires' editor rules: what may change, and what an answer freezes.

A question nobody answered is edited, moved or deleted freely. Once answered, its wording, kind,
options, ends and « satisfaction globale » flag are what its answers mean: changing one of them
archives the question and puts a copy, changed, in its place; removing it archives it. Its
answers keep pointing at the archived question, so the results never mix two wordings.
"""

from dataclasses import dataclass, fields, replace
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from network.evaluations.defaults import default_questionnaires
from network.evaluations.models import (
    Purpose,
    Question,
    QuestionKind,
    Questionnaire,
    SurveyAnswer,
)
from network.extensions import db

MAX_OPTIONS = 12


class QuestionRefused(ValueError):
    """Why a question cannot be saved, in French, and the field of the editor it is about."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass
class QuestionDraft:
    """A question as the editor's form gives it."""

    kind: str
    text: str
    required: bool = False
    options: str = ""
    low_label: str = ""
    high_label: str = ""
    overall: bool = False

    @classmethod
    def of(cls, question: Question) -> "QuestionDraft":
        return cls(**{field.name: getattr(question, field.name) for field in fields(cls)})

    def cleaned(self) -> "QuestionDraft":
        """Trimmed, options one per line without blanks; only what the kind uses."""
        scale, choice = self.kind == QuestionKind.SCALE, self.kind == QuestionKind.CHOICE
        options = "\n".join(line.strip() for line in self.options.splitlines() if line.strip())
        return QuestionDraft(self.kind, self.text.strip(), self.required,
                             options if choice else "",
                             self.low_label.strip() if scale else "",
                             self.high_label.strip() if scale else "",
                             self.overall and scale)


# --- The questionnaires themselves --------------------------------------------------------------

def ensure_questionnaires(now: datetime) -> None:
    """Write the default questionnaires that are missing (the migration wrote them; a database
    made otherwise, or emptied, gets them here)."""
    known = set(db.session.scalars(select(Questionnaire.key)))
    for default in default_questionnaires():
        if default["key"] not in known:
            _create(default, now)


def questionnaire_by_key(key: str, now: datetime) -> Questionnaire | None:
    """The questionnaire of that key, written from its default if it is missing."""
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.key == key))
    if questionnaire is not None:
        return questionnaire
    default = next((d for d in default_questionnaires() if d["key"] == key), None)
    return _create(default, now) if default else None


def evaluation_questionnaire(event_kind: str, now: datetime) -> Questionnaire | None:
    return questionnaire_by_key(f"{Purpose.EVALUATION}:{event_kind}", now)


def _create(default: dict, now: datetime) -> Questionnaire:
    questionnaire = Questionnaire(
        key=default["key"], purpose=default["purpose"], event_kind=default["event_kind"],
        title=default["title"], intro=default["intro"], updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(questionnaire)
            db.session.flush()
            for position, values in enumerate(default["questions"], start=1):
                db.session.add(Question(questionnaire_id=questionnaire.id, position=position,
                                        created_at=now, **values))
    except IntegrityError:
        # Written at the same moment by another request or the tick: that one is the one.
        return db.session.scalar(select(Questionnaire).where(
            Questionnaire.key == default["key"]))
    return questionnaire


def current_questions(questionnaire_id: int) -> list[Question]:
    """The questions asked now, in their order."""
    return db.session.scalars(select(Question).where(
        Question.questionnaire_id == questionnaire_id, Question.archived_at.is_(None))
        .order_by(Question.position, Question.id)).all()


def archived_questions(questionnaire_id: int) -> list[Question]:
    return db.session.scalars(select(Question).where(
        Question.questionnaire_id == questionnaire_id, Question.archived_at.is_not(None))
        .order_by(Question.archived_at.desc(), Question.id)).all()


def answer_counts(question_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(SurveyAnswer.question_id, func.count()).where(
            SurveyAnswer.question_id.in_(question_ids)).group_by(SurveyAnswer.question_id)).all())


def is_answered(question: Question) -> bool:
    return bool(question.id) and db.session.scalar(
        select(exists().where(SurveyAnswer.question_id == question.id)))


# --- Questions ----------------------------------------------------------------------------------

def check(questionnaire: Questionnaire, draft: QuestionDraft) -> QuestionDraft:
    """The draft, cleaned, or QuestionRefused saying what is wrong."""
    if draft.overall and draft.kind != QuestionKind.SCALE:
        raise QuestionRefused("La satisfaction globale se mesure sur l'échelle de 1 à 5.",
                              "overall")
    draft = draft.cleaned()
    if draft.kind not in set(QuestionKind):
        raise QuestionRefused("Choisissez le type de question.", "kind")
    if not draft.text:
        raise QuestionRefused("Écrivez la question.", "text")
    if draft.kind == QuestionKind.CHOICE:
        options = draft.options.splitlines()
        if len(options) < 2:
            raise QuestionRefused("Un choix unique demande au moins deux options, une par "
                                  "ligne.", "options")
        if len(options) > MAX_OPTIONS:
            raise QuestionRefused(f"{MAX_OPTIONS} options au plus.", "options")
        if len({option.casefold() for option in options}) < len(options):
            raise QuestionRefused("Deux options sont identiques.", "options")
        if any(len(option) > 200 for option in options):
            raise QuestionRefused("Une option fait plus de 200 caractères.", "options")
    if draft.kind == QuestionKind.SCALE and not (draft.low_label and draft.high_label):
        field = "high_label" if draft.low_label else "low_label"
        raise QuestionRefused("Une échelle dit ce que signifient 1 et 5 : remplissez les deux "
                              "libellés.", field)
    if draft.overall and questionnaire.purpose != Purpose.EVALUATION:
        raise QuestionRefused("La satisfaction globale ne concerne que les évaluations "
                              "d'événements.", "overall")
    return draft


def add_question(questionnaire: Questionnaire, draft: QuestionDraft, now: datetime) -> Question:
    """A new question at the end (QuestionRefused if the draft is not one)."""
    draft = check(questionnaire, draft)
    last = db.session.scalar(select(func.max(Question.position)).where(
        Question.questionnaire_id == questionnaire.id, Question.archived_at.is_(None))) or 0
    question = Question(questionnaire_id=questionnaire.id, position=last + 1, created_at=now,
                        **vars(draft))
    db.session.add(question)
    db.session.flush()
    if draft.overall:
        _only_overall(question, now)
    questionnaire.updated_at = now
    return question


# What an answer means: changed on an answered question, a new question takes its place.
MEANING = ("kind", "text", "options", "low_label", "high_label", "overall")


def update_question(question: Question, draft: QuestionDraft, now: datetime) -> Question:
    """Save the edit: in place, or, when the meaning of an answered question changes, as a new
    question in its place (the answered one archived). Returns the question as it now stands."""
    questionnaire = db.session.get(Questionnaire, question.questionnaire_id)
    draft = check(questionnaire, draft)
    questionnaire.updated_at = now
    changed = [name for name in MEANING if getattr(question, name) != getattr(draft, name)]
    if not changed or not is_answered(question):
        for name, value in vars(draft).items():
            setattr(question, name, value)
        if draft.overall:
            _only_overall(question, now)
        return question
    replacement = _replace(question, draft, now)
    if draft.overall:
        _only_overall(replacement, now)
    return replacement


def _replace(question: Question, draft: QuestionDraft, now: datetime) -> Question:
    question.archived_at = now
    replacement = Question(questionnaire_id=question.questionnaire_id,
                           position=question.position, created_at=now, **vars(draft))
    db.session.add(replacement)
    db.session.flush()
    return replacement


def _only_overall(question: Question, now: datetime) -> None:
    """One « satisfaction globale » per questionnaire: the other current one loses its flag (an
    answered one through a copy, so that its answers stay counted as what they were)."""
    for other in current_questions(question.questionnaire_id):
        if other.id != question.id and other.overall:
            if is_answered(other):
                _replace(other, replace(QuestionDraft.of(other), overall=False), now)
            else:
                other.overall = False


def move_question(question: Question, step: int, now: datetime) -> bool:
    """One place up (-1) or down (+1) among the current questions; False at either end."""
    questions = current_questions(question.questionnaire_id)
    index = next(i for i, q in enumerate(questions) if q.id == question.id)
    target = index + step
    if not 0 <= target < len(questions):
        return False
    questions[index], questions[target] = questions[target], questions[index]
    for position, each in enumerate(questions, start=1):
        each.position = position
    db.session.get(Questionnaire, question.questionnaire_id).updated_at = now
    return True


def remove_question(question: Question, now: datetime) -> str:
    """'archived' when it has answers (they stay in the results), else 'deleted'."""
    db.session.get(Questionnaire, question.questionnaire_id).updated_at = now
    if is_answered(question):
        question.archived_at = now
        outcome = "archived"
    else:
        db.session.delete(question)
        outcome = "deleted"
    db.session.flush()
    for position, each in enumerate(current_questions(question.questionnaire_id), start=1):
        each.position = position
    return outcome
