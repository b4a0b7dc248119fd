"""The questionnaire as people answer it, and the back-office's editor forms."""

import functools

from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from network.evaluations.models import QUESTION_KIND_LABELS, SCALE, Question, QuestionKind
from network.evaluations.questionnaires import QuestionDraft
from network.forms import CHOOSE, Form
from network.membership.forms import REQUIRED

TEXT_MAX = 3000
ANSWER_REQUIRED = "Répondez à cette question : elle est obligatoire."


class AnswerForm(Form):
    """The base of a questionnaire's form: one field per question, named q<id>."""

    submit = SubmitField("Envoyer mes réponses")

    def values(self, questions: list[Question]) -> dict[int, object]:
        return {question.id: self[field_name(question)].data for question in questions}


def field_name(question: Question) -> str:
    return f"q{question.id}"


def answer_form(questions: list[Question], **kwargs) -> AnswerForm:
    """The form of these questions, as they stand now."""
    return answer_form_class(questions)(**kwargs)


def answer_form_class(questions: list[Question]) -> type[AnswerForm]:
    shape = tuple((q.id, q.kind, q.text, q.required, q.options, q.low_label, q.high_label)
                  for q in questions)
    return _answer_form_class(shape)


@functools.lru_cache(maxsize=64)
def _answer_form_class(shape: tuple) -> type[AnswerForm]:
    """A class per questionnaire version (WTForms declares fields on the class), kept: the
    same questions give the same class."""
    fields = {}
    for question_id, kind, text, required, options, low, high in shape:
        needed = [InputRequired(ANSWER_REQUIRED)] if required else [Optional()]
        if kind == QuestionKind.SCALE:
            fields[f"q{question_id}"] = RadioField(text, validators=needed, choices=[
                SelectChoice(str(value), _scale_label(value, low, high)) for value in SCALE])
        elif kind == QuestionKind.CHOICE:
            options = [line.strip() for line in options.splitlines() if line.strip()]
            fields[f"q{question_id}"] = RadioField(text, validators=needed, choices=[
                SelectChoice(option, option) for option in options])
        else:
            fields[f"q{question_id}"] = TextAreaField(text, validators=[
                *([DataRequired(ANSWER_REQUIRED)] if required else [Optional()]),
                Length(max=TEXT_MAX, message=f"{TEXT_MAX} caractères au maximum.")],
                render_kw={"rows": 4})
    return type("QuestionnaireAnswerForm", (AnswerForm,), fields)


def _scale_label(value: int, low: str, high: str) -> str:
    end = {SCALE[0]: low, SCALE[-1]: high}.get(value)
    return f"{value} – {end}" if end else str(value)


# --- Back-office -------------------------------------------------------------------------------

class QuestionnaireForm(Form):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    intro = TextAreaField("Présentation (facultatif)", validators=[Length(max=2000)],
                          description="Affichée en haut du questionnaire.",
                          render_kw={"rows": 3})
    submit = SubmitField("Enregistrer le titre et la présentation")


class QuestionForm(Form):
    kind = SelectField("Type de question",
                       validators=[DataRequired("Choisissez le type de question.")],
                       choices=[CHOOSE] + [SelectChoice(kind.value, label)
                                           for kind, label in QUESTION_KIND_LABELS.items()])
    text = StringField("Question", validators=[DataRequired(REQUIRED), Length(max=300)])
    required = BooleanField("Réponse obligatoire")
    options = TextAreaField("Options (choix unique)", validators=[Length(max=3000)],
                            description="Une option par ligne, deux au moins.",
                            render_kw={"rows": 4})
    low_label = StringField("Ce que signifie 1 (échelle)", validators=[Length(max=80)],
                            description="Par exemple : Pas du tout satisfait·e.")
    high_label = StringField("Ce que signifie 5 (échelle)", validators=[Length(max=80)],
                             description="Par exemple : Tout à fait satisfait·e.")
    overall = BooleanField("Question de satisfaction globale (sa moyenne figure au bilan "
                           "annuel ; une seule par questionnaire)")
    submit = SubmitField("Enregistrer la question")

    def draft(self) -> QuestionDraft:
        return QuestionDraft(self.kind.data or "", self.text.data or "", bool(self.required.data),
                             self.options.data or "", self.low_label.data or "",
                             self.high_label.data or "", bool(self.overall.data))

    @classmethod
    def data_of(cls, question: Question) -> dict:
        return vars(QuestionDraft.of(question))


class NeedsSurveyForm(Form):
    audience = SelectField("Destinataires", validators=[DataRequired(
        "Choisissez à qui envoyer le questionnaire.")])
    confirm = BooleanField("Je confirme l'envoi du questionnaire à ces membres")
    submit = SubmitField("Voir le nombre de destinataires")

    def __init__(self, modules: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.audience.choices = [CHOOSE, SelectChoice("tous", "Tous les membres")] + [
            SelectChoice(str(event_id), f"Les inscrits au module « {label} »")
            for event_id, label in modules]


class UsefulnessForm(Form):
    """Oui or Non, one button each."""

    useful = SubmitField("Oui")
    not_useful = SubmitField("Non")
