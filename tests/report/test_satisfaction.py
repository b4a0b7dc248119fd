"""The report's satisfaction and usefulness figures come from the evaluations: the answers to
each questionnaire's « satisfaction globale » question, averaged by kind of event over the year's
events, and the votes « cette ressource vous a-t-elle été utile ? » of the year's months."""

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from network.evaluations.usefulness import vote
from network.events.models import EventKind
from network.events.services import register_member
from network.extensions import db
from network.resources.models import Resource
from network.templating import PARIS
from tests.evaluations.helpers import answer, evaluation_survey, people, questions
from tests.events.helpers import make_event
from tests.report.test_pages import pdf_text, text_of

# Kind, start (Paris), the marks given to the overall question by those who answered.
EVENTS = [
    (EventKind.WORKSHOP, datetime(2025, 3, 12, 14, 0), [5, 4, 4]),
    (EventKind.WORKSHOP, datetime(2025, 10, 2, 14, 0), [3, 5]),
    (EventKind.WEBINAR, datetime(2025, 6, 5, 11, 0), [2, 4, 3, 5]),
    # Evaluated, but the next year's: not in the report of 2025.
    (EventKind.WEBINAR, datetime(2026, 1, 8, 11, 0), [1, 1]),
]


@pytest.fixture
def evaluated(app):
    for number, (kind, starts, marks) in enumerate(EVENTS):
        event = make_event(title=f"Événement {number}", kind=kind,
                           starts=starts.replace(tzinfo=PARIS))
        ended = event.ends_at + timedelta(hours=3)
        survey = evaluation_survey(event, ended)
        present = [register_member(event, person, event.starts_at - timedelta(days=5))
                   for person in people(len(marks), prefix=f"e{number}-")]
        for registration in present:
            registration.attended = True
        overall = next(question for question in questions(survey) if question.overall)
        others = {question.id: 2 for question in questions(survey)
                  if question.kind == "echelle" and not question.overall}
        for registration, mark in zip(present, marks, strict=True):
            answer(survey, registration, {overall.id: mark, **others}, ended)
    resource = Resource(title="Guide", kind="outil", dated=datetime(2025, 1, 1).date(),
                        visibility="public", status="published")
    db.session.add(resource)
    db.session.commit()
    # Each vote from a browser of its own (one vote per session and resource).
    for useful, month in [(True, 2), (True, 5), (False, 5), (True, 11), (False, 14)]:
        with app.test_request_context():
            vote(resource.id, useful, datetime(2024 + (month + 11) // 12, (month - 1) % 12 + 1,
                                               10, 9, 0, tzinfo=PARIS))
    db.session.commit()


def average(marks: list[int]) -> str:
    """As the page shows it: one decimal, a decimal comma."""
    return f"{sum(marks) / len(marks):.1f}".replace(".", ",")


def test_the_report_averages_the_year_s_overall_satisfaction_by_kind(admin_client, evaluated):
    workshops = [5, 4, 4, 3, 5]
    webinars = [2, 4, 3, 5]
    text = text_of(admin_client.get("/admin/bilan/2025"))
    assert "Aucune évaluation pour 2025." not in text
    assert f"Atelier thématique Satisfaction globale 5 {average(workshops)} 5" in text
    assert f"Webinaire Satisfaction globale 4 {average(webinars)} 5" in text
    assert (f"Tous les événements Satisfaction globale 9 {average(workshops + webinars)} 5"
            in text)
    workbook = load_workbook(io.BytesIO(admin_client.get("/admin/bilan/2025.xlsx").data))
    rows = {row[0]: row[1:] for row in workbook["Satisfaction"].iter_rows(values_only=True)}
    assert rows["Webinaire"][1:3] == (4, pytest.approx(sum(webinars) / 4, abs=0.005))
    assert rows["Tous les événements"][1] == 9
    assert "Tous les événements" in pdf_text(admin_client.get("/admin/bilan/2025.pdf").data)


def test_the_report_counts_the_year_s_usefulness_votes(admin_client, evaluated):
    text = text_of(admin_client.get("/admin/bilan/2025"))
    assert "« Cette ressource vous a-t-elle été utile ? » Réponse Votes Oui 3 Non 1" in text
    workbook = load_workbook(io.BytesIO(admin_client.get("/admin/bilan/2025.xlsx").data))
    rows = {row[0]: row[1:] for row in workbook["Ressources"].iter_rows(values_only=True)}
    assert rows["Oui"][0] == 3 and rows["Non"][0] == 1
    assert rows["Part de oui"][0] == pytest.approx(0.75)
