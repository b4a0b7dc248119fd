"""Questionnaires, who was asked, and the answers — kept apart so that no answer has a name.

An invitation (SurveyInvitation) knows the person or the registration it went to, and whether
they answered, to refuse a second answer. A response (SurveyResponse) knows only its survey: no
key to the invitation, the person or the registration, no time, and a random id (ids in order
would follow the order of the answers, and that order the invitations' answer dates).
"""

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow


class Purpose(enum.StrEnum):
    # After an event, to the people present.
    EVALUATION = "evaluation"
    # The reinforcement module's needs survey, sent by an admin to members.
    NEEDS = "besoins"


PURPOSE_LABELS = {Purpose.EVALUATION: "Évaluation d'événement",
                  Purpose.NEEDS: "Recueil des besoins"}


class QuestionKind(enum.StrEnum):
    SCALE = "echelle"
    CHOICE = "choix"
    TEXT = "texte"


QUESTION_KIND_LABELS = {QuestionKind.SCALE: "Échelle de 1 à 5",
                        QuestionKind.CHOICE: "Choix unique",
                        QuestionKind.TEXT: "Texte libre"}
SCALE = range(1, 6)


class Questionnaire(db.Model):
    """The questions asked for one kind of event, or for the needs survey."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "evaluation:atelier", "besoins": one questionnaire each (network.evaluations.defaults).
    key: Mapped[str] = mapped_column(String(40), unique=True)
    purpose: Mapped[str] = mapped_column(String(12), index=True)
    event_kind: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(db.Model):
    """One question. Once answered its wording never changes: editing it archives it and puts a
    new question in its place, so that every answer keeps the question it answered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(default=False)
    # A choice question's options, one per line.
    options: Mapped[str] = mapped_column(Text, default="")
    # A scale's labelled ends (1 and 5).
    low_label: Mapped[str] = mapped_column(String(80), default="")
    high_label: Mapped[str] = mapped_column(String(80), default="")
    # The « satisfaction globale »: the scale the annual report averages (one per questionnaire).
    overall: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class Survey(db.Model):
    """One asking of a questionnaire: an event's evaluation, or a needs survey an admin sent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "evaluation:<event id>": one evaluation per event, whoever creates it first.
    key: Mapped[str | None] = mapped_column(String(60), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(12), index=True)
    # The event evaluated, or the module whose registered members are asked their needs.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                                 index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(254))
    # A needs survey: how many members it was for, and when the tick had invited them all.
    recipient_count: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime | None]

    questionnaire: Mapped[Questionnaire] = relationship()
    event = relationship("Event")


class SurveyInvitation(db.Model):
    """Who was asked, and whether they answered: never which answer is theirs."""

    __table_args__ = (
        UniqueConstraint("survey_id", "person_id", name="uq_survey_invitation_person"),
        UniqueConstraint("survey_id", "registration_id", name="uq_survey_invitation_registration"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)
    # Unlinked (None) when the person is anonymised: the row stays, for the response rate.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    invited_at: Mapped[datetime]
    # The day only: an hour would let the answers' order be matched to the people's.
    answered_on: Mapped[date | None]

    survey: Mapped[Survey] = relationship()


def random_id() -> str:
    return secrets.token_hex(16)


class SurveyResponse(db.Model):
    """One person's answers to a survey, without anything that says whose."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"),
                                           index=True)

    answers: Mapped[list["SurveyAnswer"]] = relationship(cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    """The answer to one question: a value of the scale, an option, or a text."""

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True,
                                             index=True)
    scale_value: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)


class ResourceUsefulness(db.Model):
    """« Cette ressource vous a-t-elle été utile ? » in a month (YYYY-MM): counts, no one."""

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"),
                                             primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    useful: Mapped[int] = mapped_column(default=0)
    not_useful: Mapped[int] = mapped_column(default=0)
