"""The Rendez-vous annuel du réseau is held during the Semaine QVT, in June: a rule on its date,
said on its page, in the agenda and on the home page; the event form warns when an annual
meeting is dated another month."""

from datetime import UTC, datetime, timedelta

import pytest

from network.events.annual import date_warning, semaine_qvt_line
from network.events.models import Audience, EventKind
from network.extensions import db
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.support.bad_input import event_form

LINE = "Rendez-vous annuel du réseau, pendant la Semaine QVT 2027"
JUNE = datetime(2027, 6, 17, 9, 30, tzinfo=PARIS)


class Meeting:
    def __init__(self, kind, starts_at):
        self.kind, self.starts_at = kind, starts_at


@pytest.mark.parametrize("kind, starts, line, warns", [
    (EventKind.ANNUAL_MEETING, JUNE, LINE, False),
    # 22 h 30 UTC on 31 May is already 1 June in Paris, and on 30 June already 1 July.
    (EventKind.ANNUAL_MEETING, datetime(2027, 5, 31, 22, 30, tzinfo=UTC), LINE, False),
    (EventKind.ANNUAL_MEETING, datetime(2027, 6, 30, 22, 30, tzinfo=UTC), None, True),
    (EventKind.ANNUAL_MEETING, datetime(2027, 9, 16, 9, 30, tzinfo=PARIS), None, True),
    (EventKind.WORKSHOP, JUNE, None, False),
    (EventKind.WORKSHOP, datetime(2027, 9, 16, 9, 30, tzinfo=PARIS), None, False),
])
def test_the_rule(kind, starts, line, warns):
    assert semaine_qvt_line(Meeting(kind, starts)) == line
    assert (date_warning(kind, starts) is not None) == warns


def annual_meeting(**values):
    return make_event(title="Rendez-vous annuel 2027", kind=EventKind.ANNUAL_MEETING,
                      starts=JUNE, audience=Audience.PUBLIC, capacity=None, **values)


def test_its_page_the_agenda_and_the_home_page_say_it(app, client):
    app.config["FROZEN_NOW"] = datetime(2027, 6, 1, 8, tzinfo=UTC)
    event = annual_meeting()
    make_event(title="Atelier de juin", starts=JUNE + timedelta(days=1))
    page = client.get(f"/evenements/{event.id}").text
    assert f"{LINE}, la semaine nationale pour la qualité de vie et des conditions de " \
           "travail" in page
    agenda = client.get("/evenements").text
    assert agenda.count("pendant la Semaine QVT") == 1
    assert LINE in agenda.split("Rendez-vous annuel 2027</a>")[1].split("</article>")[0]
    home = client.get("/").text.split('id="prochains-evenements"')[1]
    assert LINE in home


def test_an_annual_meeting_in_another_month_is_only_the_year_s(app, client):
    event = annual_meeting()
    event.starts_at, event.ends_at = (datetime(2027, 9, 16, 9, tzinfo=PARIS),
                                      datetime(2027, 9, 16, 17, tzinfo=PARIS))
    db.session.commit()
    assert "Semaine QVT" not in client.get(f"/evenements/{event.id}").text


def test_the_event_form_warns_of_an_annual_meeting_not_in_june(admin_client):
    september = admin_client.post("/admin/evenements/nouveau", data=event_form(
        kind="rendez-vous", starts_at="2027-09-16T09:00", ends_at="2027-09-16T17:00"),
        follow_redirects=True)
    assert "L'événement est enregistré." in september.text
    assert "Le Rendez-vous annuel du réseau a lieu pendant la Semaine QVT, en juin" in \
        september.text
    june = admin_client.post("/admin/evenements/nouveau", data=event_form(
        kind="rendez-vous", starts_at="2027-06-17T09:00", ends_at="2027-06-17T17:00"),
        follow_redirects=True)
    assert "L'événement est enregistré." in june.text
    assert "a lieu pendant la Semaine QVT, en juin" not in june.text
    form = admin_client.get("/admin/evenements/nouveau").text
    assert "Le Rendez-vous annuel du réseau a lieu pendant la Semaine QVT, en juin" in form
