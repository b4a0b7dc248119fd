"""The annual report's figures for a year whose story is known (tests/report/history.py), on both
databases: what each member was that year, not what they are today."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from network.extensions import db
from network.membership.lifecycle import BY_THE_PERSON, move
from network.membership.models import StatusChange
from network.membership.services import leave_network, readmit
from network.report.period import years_covered
from network.report.services import YearNotCovered, annual_report
from tests.factories import make_member
from tests.report.history import YEAR, build_year, paris

NOW = paris(2026, 11, 23, 10)


@pytest.fixture
def year(app):
    return build_year()


@pytest.fixture
def report(year):
    return annual_report(YEAR, NOW)


def counts(shares) -> dict:
    return {share.code: share.count for share in shares}


def test_members_at_the_start_and_the_end_come_from_the_history(report):
    members = report.membership
    # Jack left in March 2026 and Leo on 1 January 2026: both were members at the end of 2025.
    # Gail, entered by an admin in February 2025, had accepted the rules by e-mail in 2024.
    assert (members.at_start, members.joins, members.exit_count, members.at_end) == (7, 5, 5, 7)


def test_exits_go_by_the_reason_they_had_that_year(report):
    # Iris left of her own will in May 2025; removed in 2026 after she was readmitted, her
    # person now says « retiré »: the history still says why she left in 2025.
    assert counts(report.membership.exits) == {
        "voluntary": 2, "declined_renewal": 1, "no_renewal_answer": 1, "removed_by_admin": 1}


def test_the_months_follow_the_paris_calendar(report):
    months = {month.month: month for month in report.membership.months}
    assert len(months) == 12
    assert [(months[m].joins, months[m].exits) for m in (2, 3, 4, 5, 6, 9, 11, 12)] == [
        (1, 0), (1, 0), (0, 1), (0, 1), (1, 0), (0, 1), (1, 0), (1, 2)]
    # Kate joined on 31 December at 23:30 in Paris (22:30 UTC): December 2025.
    assert months[1].total == 7 and months[5].total == 7 and months[12].total == 7
    assert months[2].total == 8 and months[3].total == 9


def test_the_renewal_campaign_of_the_year(report):
    renewal = report.renewal
    assert renewal.campaign.year == YEAR
    counts_ = renewal.counts
    assert (counts_.asked, counts_.renewed, counts_.left, counts_.dropped, renewal.still_open,
            counts_.exempt) == (5, 1, 1, 1, 2, 2)
    assert renewal.answer_rate == pytest.approx(2 / 5)


def test_events_held_by_kind_with_attendance(report):
    by_kind = {kind.kind: kind for kind in report.events}
    assert [(k.events, k.registered, k.attended, k.marked) for k in (
        by_kind["module-accueil"], by_kind["atelier"], by_kind["webinaire"],
        by_kind["rendez-vous"])] == [(2, 5, 3, 5), (1, 5, 4, 5), (1, 3, 0, 0), (0, 0, 0, 0)]
    assert by_kind["atelier"].attendance_rate == pytest.approx(0.8)
    # The webinar's attendance was not marked: no rate, rather than 0 %.
    assert by_kind["webinaire"].attendance_rate is None
    total = report.events_total
    assert (total.events, total.registered, total.attended) == (4, 13, 7)
    assert total.attendance_rate == pytest.approx(0.7)


def test_the_welcome_module_s_reach(report):
    reach = report.welcome
    assert (reach.modules, reach.participants) == (2, 3)
    # Of the five newcomers only Hugo came by the end of 2025 (Jack and Kate came in 2026).
    assert (reach.new_members, reach.new_members_welcomed) == (5, 1)
    # Ann, Gail, Hugo, and Leo (in 2024) among the seven members at the end of the year.
    assert (reach.members, reach.members_welcomed) == (7, 4)


def test_resources_published_and_downloaded_in_the_year(year, report):
    library = report.library
    assert counts(library.published) == {"lettre": 1, "replay": 0, "support": 0, "outil": 1,
                                         "referentiel": 0, "synthese": 0, "appel": 0,
                                         "autre": 0}
    downloads = counts(library.downloads_by_month)
    assert downloads["2025-01"] == 2 and downloads["2025-03"] == 3 and downloads["2025-12"] == 1
    assert library.downloads == 6
    assert [(resource.title, count) for resource, count in library.most_downloaded] == [
        ("Guide de la démarche QVT", 3), ("Référentiel 2024", 2),
        ("Lettre d'information de septembre", 1)]


def test_members_at_the_end_by_profile_department_and_field(report):
    assert counts(report.by_profile) == {"consultant": 3, "acteur_interne": 1,
                                         "acteur_relais": 3}
    departments = {code: count for code, count in counts(report.by_department).items() if count}
    assert departments == {"31": 3, "34": 1, "12": 1, "81": 1, "48": 1, "09": 1}
    assert len(report.by_department) == 13
    fields = {code: count for code, count in counts(report.by_field).items() if count}
    # Jack, Kate, Iris…: the factory's fields unless told otherwise.
    assert fields["egalite"] == 1 and fields["management"] == 1


def test_the_year_under_way_stops_at_now(year):
    report = annual_report(2026, NOW)
    assert not report.period.complete
    members = report.membership
    # Leo (1 January), Jack (March) and Iris (readmitted, then removed) in 2026.
    assert (members.at_start, members.joins, members.exit_count, members.at_end) == (7, 1, 3, 5)
    assert counts(members.exits)["removed_by_admin"] == 1
    assert len(members.months) == 11
    # A join after `now` is not in the figures yet.
    make_member(NOW + timedelta(days=2), email="later@exemple.fr")
    assert annual_report(2026, NOW).membership.joins == 1


def test_the_years_covered_go_from_the_earliest_data_to_this_year(year):
    # Dina joined in September 2023, the earliest of the history.
    assert years_covered(NOW) == [2026, 2025, 2024, 2023]
    for outside in (2022, 2027, 0):
        with pytest.raises(YearNotCovered):
            annual_report(outside, NOW)


def test_an_empty_network_has_a_report_for_this_year_only(app):
    assert years_covered(NOW) == [2026]
    report = annual_report(2026, NOW)
    assert (report.membership.at_start, report.membership.at_end) == (0, 0)
    assert report.renewal.campaign is None and report.welcome.new_members_share is None


def test_a_renewal_is_not_a_join(app):
    anne = make_member(paris(2024, 5, 2), email="anne@exemple.fr")
    move(anne, "renew", by=BY_THE_PERSON, why="Renouvellement confirmé", now=paris(2025, 12, 1))
    report = annual_report(2025, NOW)
    assert (report.membership.at_start, report.membership.joins, report.membership.at_end) == (
        1, 0, 1)


def test_an_exit_written_before_the_history_kept_reasons_is_counted_all_the_same(app):
    # Left in 2025 and came back in 2026, before migration 0021: that exit has no reason left.
    anne = make_member(paris(2024, 5, 2), email="anne@exemple.fr")
    leave_network(anne, paris(2025, 3, 1))
    readmit(anne, "admin@gt-qvt.fr", paris(2026, 1, 10))
    db.session.execute(update(StatusChange).values(exit_reason=None))
    db.session.commit()
    report = annual_report(2025, NOW)
    assert report.membership.exit_count == 1
    assert [(share.label, share.count) for share in report.membership.exits
            if share.count] == [("Motif non enregistré", 1)]
