"""The results of a survey (figures checked against counts made here), its CSV, the year's
satisfaction for the annual report."""

import csv
import html
import io
import random
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest

from network.evaluations.results import satisfaction_for_year, survey_results
from network.events.models import EventKind
from network.events.services import register_member
from network.extensions import db
from network.templating import PARIS
from tests.evaluations.helpers import (
    QUESTIONNAIRES,
    answer,
    evaluation_survey,
    invite,
    past_event,
    people,
    questions,
    registered,
)

COMMENTS = ["Très concret, merci.", "Trop court ; on aurait aimé plus d'échanges.",
            "=SOMME(A1:A9) n'est pas une formule", "Des outils « clés en main »."]


@pytest.fixture
def answered(app):
    """A workshop: twelve present, nine answered (random marks and texts), three did not."""
    rng = random.Random(18)
    event = past_event()
    registrations = registered(event, people(12))
    survey = evaluation_survey(event)
    overall, content, exchanges, retained, themes = questions(survey)
    given = []
    for registration in registrations[:9]:
        values = {overall.id: rng.randint(1, 5), content.id: rng.choice([None, 2, 3, 4, 5]),
                  exchanges.id: rng.choice([None, 1, 5]),
                  retained.id: rng.choice([None, *COMMENTS]), themes.id: None}
        answer(survey, registration, values)
        given.append(values)
    for registration in registrations[9:]:
        invite(survey, registration)
    return event, survey, given


def expected_scale(given, question) -> tuple[int, float | None, list[int]]:
    marks = [values[question.id] for values in given if values[question.id] is not None]
    counts = Counter(marks)
    return (len(marks), sum(marks) / len(marks) if marks else None,
            [counts[value] for value in range(1, 6)])


def french(number: float) -> str:
    return f"{number:.1f}".replace(".", ",")


def test_the_figures_match_the_answers(answered):
    event, survey, given = answered
    results = survey_results(survey)
    assert (results.invited, results.answered) == (12, 9)
    assert results.response_rate == 9 / 12
    by_id = {result.question.id: result for result in results.questions}
    for question in questions(survey):
        result = by_id[question.id]
        if question.kind == "echelle":
            count, average, distribution = expected_scale(given, question)
            assert (result.count, result.distribution) == (count, distribution), question.text
            assert result.average == pytest.approx(average) if average else result.average is None
        elif question.kind == "texte":
            assert sorted(result.texts) == sorted(
                values[question.id] for values in given if values[question.id])


def test_the_results_page_shows_them_without_a_name(admin_client, answered):
    event, survey, given = answered
    page = admin_client.get(f"{QUESTIONNAIRES}/resultats/{survey.id}")
    assert page.status_code == 200
    text = page.text
    overall, content, exchanges, retained, _ = questions(survey)
    assert re.search(r'figure-value">12<.*personnes invitées', text, re.S)
    assert re.search(r'figure-value">9<.*réponses', text, re.S)
    assert "75 %" in text
    for question in (overall, content, exchanges):
        count, average, distribution = expected_scale(given, question)
        assert f"Moyenne : <strong>{french(average)}</strong> sur 5" in text
        section = text.split(f'id="q-{question.id}"')[1].split("</section>")[0]
        assert f"{count} réponse" in section
        # The chart, and its figures as a table (for screen readers).
        assert '<svg class="chart' in section and 'role="img"' in section
        rows = re.findall(r'<th scope="row" class="fw-normal">([^<]*)</th><td class="text-end">'
                          r"(\d+)</td>", section)
        assert [int(count) for _, count in rows] == distribution
        assert rows[0][0] == f"1 – {question.low_label}"
    shown = html.unescape(text)
    for comment in {values[retained.id] for values in given if values[retained.id]}:
        assert f">{comment}</blockquote>" in shown
    for n in range(12):
        assert f"Nom{n}" not in text and f"p{n}@exemple.fr" not in text


def test_the_csv_has_one_row_per_answer_and_no_name(admin_client, answered):
    event, survey, given = answered
    response = admin_client.get(f"{QUESTIONNAIRES}/resultats/{survey.id}/reponses.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="reponses-questionnaire-{survey.id}.csv"')
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    header, lines = rows[0], rows[1:]
    assert header == ["Réponse"] + [q.text for q in questions(survey)]
    assert len(lines) == 9
    assert [line[0] for line in lines] == [str(n) for n in range(1, 10)]
    ids = [q.id for q in questions(survey)]
    expected = sorted(tuple("" if values[i] is None else str(values[i]) for i in ids)
                      for values in given)
    # A text that looks like a formula is neutralised for spreadsheets.
    got = sorted(tuple(cell[1:] if cell.startswith("'=") else cell for cell in line[1:])
                 for line in lines)
    assert got == expected
    assert "exemple.fr" not in response.text and "Nom1" not in response.text


def test_a_choice_question_counts_each_option(admin_client, app):
    event = past_event(kind=EventKind.WEBINAR, title="Webinaire : droit à la déconnexion")
    registrations = registered(event, people(5))
    survey = evaluation_survey(event)
    overall, content, duration, *_ = questions(survey)
    picks = ["Adaptée", "Trop longue", "Adaptée", None, "Adaptée"]
    for registration, pick in zip(registrations, picks, strict=True):
        answer(survey, registration, {overall.id: 4, content.id: 4, duration.id: pick})
    result = next(r for r in survey_results(survey).questions if r.question.id == duration.id)
    assert result.choices == [("Trop courte", 0), ("Adaptée", 3), ("Trop longue", 1)]
    page = admin_client.get(f"{QUESTIONNAIRES}/resultats/{survey.id}").text
    section = page.split(f'id="q-{duration.id}"')[1].split("</section>")[0]
    assert re.findall(r'fw-normal">([^<]*)</th><td class="text-end">(\d+)<', section) == [
        ("Trop courte", "0"), ("Adaptée", "3"), ("Trop longue", "1")]


def test_the_year_s_satisfaction_per_kind_and_overall(app):
    """Averages of the « satisfaction globale » answers, by the year the events took place."""
    rng = random.Random(2026)
    expected: dict[str, list[int]] = {}
    dates = [(datetime(2026, 3, 12, 14, 0, tzinfo=PARIS), EventKind.WORKSHOP, True),
             (datetime(2026, 6, 18, 9, 0, tzinfo=PARIS), EventKind.ANNUAL_MEETING, True),
             (datetime(2026, 11, 20, 14, 0, tzinfo=PARIS), EventKind.WORKSHOP, True),
             # Half past midnight on New Year's Day in Paris is still the 31st in UTC: 2027.
             (datetime(2027, 1, 1, 0, 30, tzinfo=PARIS), EventKind.WEBINAR, False),
             (datetime(2025, 12, 31, 23, 0, tzinfo=PARIS), EventKind.WEBINAR, False)]
    for number, (starts, kind, in_2026) in enumerate(dates):
        event = past_event(starts=starts, kind=kind, title=f"Événement {number}")
        registrations = registered_then(event, people(4, f"e{number}-"), starts)
        survey = evaluation_survey(event, now=starts)
        overall, content, *_ = questions(survey)
        for registration in registrations:
            mark = rng.randint(1, 5)
            answer(survey, registration, {overall.id: mark, content.id: rng.randint(1, 5)},
                   now=starts + timedelta(hours=3))
            if in_2026:
                expected.setdefault(kind.value, []).append(mark)
    year = satisfaction_for_year(2026)
    assert list(year.by_kind) == [kind.value for kind in EventKind]
    for kind in EventKind:
        marks = expected.get(kind.value, [])
        assert year.by_kind[kind.value].answers == len(marks)
        assert year.by_kind[kind.value].average == (
            pytest.approx(sum(marks) / len(marks)) if marks else None)
    every = [mark for marks in expected.values() for mark in marks]
    assert year.overall.answers == len(every) == 12
    assert year.overall.average == pytest.approx(sum(every) / len(every))
    assert satisfaction_for_year(2027).by_kind["webinaire"].answers == 4
    assert satisfaction_for_year(2024).overall == type(year.overall)(0, None)


def registered_then(event, persons, starts):
    registrations = [register_member(event, person, starts - timedelta(days=5))
                     for person in persons]
    for registration in registrations:
        registration.attended = True
    db.session.commit()
    return registrations
