"""The satisfaction of the year's participants, for the annual report.

The evaluations (the questionnaires sent after each event) are their own feature; this is the
one place the report asks them for its figures, so that wiring them in changes nothing else.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Satisfaction:
    """The average answer to a scale question over a kind of event (or one event), in a year."""

    label: str  # what was evaluated: a kind of event, an event
    question: str
    answers: int
    average: float
    scale_max: int  # the average is out of this (e.g. 5)


def satisfaction(year: int) -> list[Satisfaction]:
    """The year's satisfaction averages; none until the evaluations give theirs."""
    return []
