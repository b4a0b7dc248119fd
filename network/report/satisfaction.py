"""The satisfaction of the year's participants, for the annual report: the evaluations' answers
to their « satisfaction globale » question (network/evaluations), by kind of event."""

from dataclasses import dataclass

from network.evaluations.results import satisfaction_for_year
from network.events.models import EVENT_KIND_LABELS

OVERALL_QUESTION = "Satisfaction globale"
SCALE_MAX = 5


@dataclass(frozen=True)
class Satisfaction:
    """The average answer to a scale question over a kind of event (or one event), in a year."""

    label: str  # what was evaluated: a kind of event, an event
    question: str
    answers: int
    average: float
    scale_max: int  # the average is out of this (e.g. 5)


def satisfaction(year: int) -> list[Satisfaction]:
    """The year's average overall satisfaction for each kind of event that was evaluated, then
    for all of them; nothing when no one answered."""
    figures = satisfaction_for_year(year)
    lines = [Satisfaction(EVENT_KIND_LABELS[kind], OVERALL_QUESTION, figure.answers,
                          round(figure.average, 2), SCALE_MAX)
             for kind, figure in figures.by_kind.items() if figure.answers]
    if lines:
        lines.append(Satisfaction("Tous les événements", OVERALL_QUESTION,
                                  figures.overall.answers, round(figures.overall.average, 2),
                                  SCALE_MAX))
    return lines
