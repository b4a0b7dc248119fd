"""The dashboard's figures, from a small known history."""

import re
from datetime import datetime, timedelta

from network.admin import stats
from network.extensions import db
from network.membership.services import leave_network
from network.templating import PARIS
from tests.factories import make_applicant, make_member
from tests.support.queries import count_queries

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)


def history():
    """Two members joined in 2025, one in March 2026 who left in May, one applicant."""
    make_member(datetime(2025, 1, 10, tzinfo=PARIS), email="a@exemple.fr")
    make_member(datetime(2025, 6, 2, tzinfo=PARIS), email="b@exemple.fr",
                profile="acteur_relais", department_codes=["12"], qvt_field_codes=["egalite"])
    leaver = make_member(datetime(2026, 3, 15, tzinfo=PARIS), email="c@exemple.fr")
    leave_network(leaver, datetime(2026, 5, 20, tzinfo=PARIS))
    make_applicant(NOW, email="d@exemple.fr")
    db.session.commit()


def test_figures(app):
    history()
    assert stats.count_by_status() == {"member": 2, "exited": 1, "applicant": 1}
    assert stats.exits_this_year_by_reason(NOW) == {"voluntary": 1}
    assert stats.joins_since(stats.start_of_year(NOW)) == 1


def test_month_series_counts_joins_exits_and_running_total(app):
    history()
    months = {m.label: m for m in stats.members_by_month(NOW, months=24)}
    assert len(months) == 24 and "2024-12" in months and "2026-11" in months
    assert (months["2025-01"].joins, months["2025-01"].total) == (1, 1)
    assert (months["2025-06"].joins, months["2025-06"].total) == (1, 2)
    assert (months["2026-03"].joins, months["2026-03"].total) == (1, 3)
    assert (months["2026-05"].exits, months["2026-05"].total) == (1, 2)
    assert months["2026-11"].total == 2
    shorter = stats.members_by_month(NOW, months=6)
    assert shorter[0].label == "2026-06" and shorter[0].total == 2, "history before counts"


def test_breakdowns_cover_every_department_and_field(app):
    history()
    departments = dict(stats.members_by_department())
    assert len(departments) == 13
    assert departments["31 – Haute-Garonne"] == 1 and departments["12 – Aveyron"] == 1
    assert departments["09 – Ariège"] == 0
    assert dict(stats.members_by_profile()) == {"Consultant": 1, "Acteur interne": 0,
                                                "Acteur-relais": 1}
    fields = dict(stats.members_by_qvt_field())
    assert len(fields) == 7 and fields["Égalité professionnelle"] == 1


def test_the_page_draws_charts_with_their_tables(admin_client):
    history()
    page = admin_client.get("/admin/").text
    assert page.count('<svg class="chart"') == 4
    assert page.count('role="img"') == 4 and page.count("<caption>") >= 4
    assert "Le module Événements n'est pas encore en service." in page
    members_card = re.search(r'figure-value">([^<]+)</div>\s*<div class="figure-label"><a[^>]*>'
                             r"Membres<", page)
    assert members_card.group(1) == "2"
    assert "<th scope=\"row\">12 – Aveyron</th><td>1</td>" in page


def test_the_dashboard_query_count_does_not_grow_with_members(admin_client):
    history()
    few = count_queries(admin_client, "/admin/")
    for n in range(20):
        make_member(NOW - timedelta(days=n * 20), email=f"m{n}@exemple.fr")
    assert count_queries(admin_client, "/admin/") == few
