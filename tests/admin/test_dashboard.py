"""The dashboard: its figures from a small known history, its charts and their tables."""

import re
from datetime import datetime, timedelta

import pytest

from network.admin import charts, stats
from network.admin.stats import Month, Share
from network.extensions import db
from network.membership.lifecycle import BY_THE_PERSON, move
from network.membership.models import ExitReason
from network.membership.services import exit_by_admin, leave_network
from network.templating import PARIS
from tests.factories import make_applicant, make_member
from tests.support.queries import count_queries

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def history(app):
    """Six people whose story is known month by month.

    alice  joined 2025-01, renewed in November 2025 (not a join)
    david  joined 2025-02, left on 1 January 2026 at 00:30 in Paris (still 2025 in UTC),
           applied again in June 2026
    fanny  joined 2025-03, removed by an admin in September 2026
    bruno  joined 2025-06 (acteur-relais, Aveyron, égalité professionnelle)
    chloe  joined 2026-03, left in May 2026
    emma   applied the day before NOW
    """
    alice = make_member(paris(2025, 1, 10), email="alice@exemple.fr")
    move(alice, "renew", by=BY_THE_PERSON, why="Renouvellement confirmé", now=paris(2025, 11, 30))
    david = make_member(paris(2025, 2, 1), email="david@exemple.fr", profile="acteur_interne",
                        department_codes=["81"])
    leave_network(david, paris(2026, 1, 1, 0, 30))
    fanny = make_member(paris(2025, 3, 1), email="fanny@exemple.fr")
    exit_by_admin(fanny, ExitReason.REMOVED_BY_ADMIN, "Retirée", "admin@gt-qvt.fr",
                  paris(2026, 9, 1))
    make_member(paris(2025, 6, 2), email="bruno@exemple.fr", profile="acteur_relais",
                department_codes=["12"], qvt_field_codes=["egalite"])
    chloe = make_member(paris(2026, 3, 15), email="chloe@exemple.fr")
    leave_network(chloe, paris(2026, 5, 20))
    db.session.commit()
    make_applicant(paris(2026, 6, 10), email="david@exemple.fr")
    make_applicant(NOW - timedelta(days=1), email="emma@exemple.fr")


def test_people_are_counted_by_status(history):
    # David's new application waits for the charter: he is still a former member.
    assert stats.count_by_status() == {"member": 2, "applicant": 1, "awaiting_review": 0,
                                       "exited": 3}
    assert stats.pending_applications() == 2


def test_an_empty_network_counts_zero_everywhere(app):
    assert stats.count_by_status() == {"member": 0, "applicant": 0, "awaiting_review": 0,
                                       "exited": 0}
    assert stats.joins_this_year(NOW) == 0
    assert stats.members_by_month(NOW) == []
    assert [share.count for share in stats.members_by_department()] == [0] * 13


def test_joins_this_year_count_new_members_only(history):
    assert stats.joins_this_year(NOW) == 1, "chloe; alice's renewal is not a join"
    assert stats.joins_this_year(paris(2025, 12, 31, 12)) == 4


def test_exits_this_year_go_by_reason_and_by_the_paris_calendar(history):
    exits = {share.code: share.count for share in stats.exits_this_year_by_reason(NOW)}
    # David left at 00:30 on 1 January in Paris: this year's, though still 2025 in UTC; he
    # applied again since, and still left this year.
    assert exits == {"voluntary": 2, "declined_renewal": 0, "no_renewal_answer": 0,
                     "removed_by_admin": 1, "application_refused": 0}
    labels = [share.label for share in stats.exits_this_year_by_reason(NOW)]
    assert labels[0] == "À sa demande" and len(labels) == 5
    last_year = {s.code: s.count for s in stats.exits_this_year_by_reason(paris(2025, 12, 31))}
    assert sum(last_year.values()) == 0


def test_the_month_series_counts_joins_exits_and_members_at_the_end_of_each_month(history):
    months = {month.key: month for month in stats.members_by_month(NOW)}
    # Since the first join (January 2025) rather than 24 months back (December 2024).
    assert list(months)[0] == "2025-01" and list(months)[-1] == "2026-11"
    assert len(months) == 23
    expected = {"2025-01": (1, 0, 1), "2025-02": (1, 0, 2), "2025-03": (1, 0, 3),
                "2025-06": (1, 0, 4), "2025-11": (0, 0, 4), "2026-01": (0, 1, 3),
                "2026-03": (1, 0, 4), "2026-05": (0, 1, 3), "2026-09": (0, 1, 2),
                "2026-11": (0, 0, 2)}
    for key, figures in expected.items():
        month = months[key]
        assert (month.joins, month.exits, month.total) == figures, key
    assert sum(m.joins for m in months.values()) == 5
    assert sum(m.exits for m in months.values()) == 3
    assert months["2026-11"].total == stats.count_by_status()["member"]


def test_a_shorter_series_starts_from_the_members_already_there(history):
    months = stats.members_by_month(NOW, months=6)
    assert [m.key for m in months] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
                                       "2026-11"]
    assert [m.total for m in months] == [3, 3, 3, 2, 2, 2]


def test_the_series_ignores_what_happens_after_now(history):
    months = stats.members_by_month(paris(2025, 4, 30))
    assert [(m.key, m.total) for m in months] == [("2025-01", 1), ("2025-02", 2),
                                                  ("2025-03", 3), ("2025-04", 3)]
    assert stats.members_by_month(paris(2024, 12, 31)) == []


def test_breakdowns_cover_every_department_profile_and_field(history):
    departments = {share.label: share.count for share in stats.members_by_department()}
    assert list(departments) == [
        "09 – Ariège", "11 – Aude", "12 – Aveyron", "30 – Gard", "31 – Haute-Garonne",
        "32 – Gers", "34 – Hérault", "46 – Lot", "48 – Lozère", "65 – Hautes-Pyrénées",
        "66 – Pyrénées-Orientales", "81 – Tarn", "82 – Tarn-et-Garonne"]
    # Members only: David (Tarn) applied again but is not a member yet.
    assert departments["31 – Haute-Garonne"] == 1 and departments["34 – Hérault"] == 1
    assert departments["12 – Aveyron"] == 1 and departments["81 – Tarn"] == 0
    assert stats.members_by_profile() == [Share("consultant", "Conseil", 1),
                                          Share("acteur_interne", "Interne", 0),
                                          Share("acteur_relais", "Relais", 1)]
    fields = {share.code: share.count for share in stats.members_by_qvt_field()}
    assert len(fields) == 7
    assert (fields["sante"], fields["contenu"], fields["egalite"]) == (1, 1, 1)


@pytest.fixture
def at_now(monkeypatch):
    """The dashboard as seen at NOW, whatever the clock says."""
    monkeypatch.setattr("network.admin.dashboard.utcnow", lambda: NOW)


def test_the_page_shows_the_figures(admin_client, history, at_now):
    page = admin_client.get("/admin/").text
    assert "Le réseau au 23 novembre 2026 à 10 h (heure de Paris)." in page
    figures = dict((label, value) for value, label in re.findall(
        r'figure-value">([^<]+)</p>\s*<p class="figure-label">(?:<a[^>]*>)?([^<]+)<', page))
    assert figures["Membres"] == "2"
    assert figures["Candidatures en attente de la charte"] == "2"
    assert figures["Adhésion en 2026"] == "1", "a label agrees with its number"
    assert figures["Sorties en 2026, par motif :"] == "3"
    assert "<dt>À sa demande</dt><dd>2</dd>" in page
    assert "<dt>Retiré par le GT QVT</dt><dd>1</dd>" in page
    assert "<dt>Renouvellement refusé</dt><dd>0</dd>" in page
    assert figures["Événement à venir"] == "0"


def test_every_chart_is_an_svg_image_with_its_title_and_its_table(admin_client, history,
                                                                  at_now):
    page = admin_client.get("/admin/").text
    labelled = re.findall(r'<svg [^>]*role="img" aria-labelledby="([^"]+)"', page)
    # The month chart, and three bar charts each drawn for a wide screen and for a phone.
    assert len(labelled) == 1 + 3 * 2
    assert sum(title_id.endswith("-telephone") for title_id in labelled) == 3
    for title_id in labelled:
        assert re.search(rf'<title id="{title_id}">[^<]+</title>', page)
    assert page.count("<summary>Voir les données</summary>") == 4
    for caption in ("Membres par profil", "Membres par département d'Occitanie",
                    "Membres par champ de la QVT"):
        assert f"<caption>{caption}</caption>" in page
    for department in ("09 – Ariège", "31 – Haute-Garonne", "82 – Tarn-et-Garonne"):
        assert department in page
    link = re.search(r'href="([^"]+)">12 – Aveyron</a></th>\s*<td class="text-end">1</td>',
                     page)
    members = admin_client.get(link.group(1).replace("&amp;", "&")).text
    assert "bruno@exemple.fr" in members and "alice@exemple.fr" not in members
    assert "<script" not in page.split("<main", 1)[-1]


def test_the_month_table_names_months_in_french(admin_client, history, at_now):
    page = admin_client.get("/admin/").text
    table = page[page.index("<th scope=\"col\">Mois</th>"):]
    rows = re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>\s*'
                      r'<td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>'
                      r'<td class="text-end">(\d+)</td>', table)
    assert ("janvier 2025", "1", "0", "1") in rows
    assert ("mai 2026", "0", "1", "3") in rows


def test_an_empty_network_has_a_dashboard_too(admin_client):
    page = admin_client.get("/admin/").text
    assert "Personne n'a encore adhéré au réseau." in page
    assert page.count('role="img"') == 3 * 2, "three bar charts, for a wide screen and a phone"


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/connexion")


def make_members(numbers: range) -> None:
    """Members who joined over the last two years, a quarter of whom left since."""
    for n in numbers:
        person = make_member(NOW - timedelta(days=23 * n), email=f"m{n}@exemple.fr",
                             profile=["consultant", "acteur_relais"][n % 2],
                             department_codes=["31", "09", "48"][: 1 + n % 3])
        if n % 4 == 3:
            leave_network(person, NOW - timedelta(days=7 * n))
    db.session.commit()


def test_the_dashboard_query_count_does_not_grow_with_members(admin_client, at_now):
    empty = count_queries(admin_client, "/admin/")
    make_members(range(3))
    assert count_queries(admin_client, "/admin/") == empty
    make_members(range(3, 30))
    assert count_queries(admin_client, "/admin/") == empty


# The charts' geometry, without a database.

def test_axes_use_round_steps():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(8) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(246) == [0, 100, 200, 300]
    assert charts.nice_ticks(9_800) == [0, 5_000, 10_000]
    assert charts.nice_ticks(7, count=3) == [0, 5, 10]


def test_horizontal_bars_are_proportional_and_long_labels_shortened():
    shares = [Share("a", "Court", 10), Share("b", "Un libellé " + "très " * 20 + "long", 5),
              Share("c", "Vide", 0)]
    chart = charts.hbar_chart(shares, width=560)
    long, short = chart.bars[1], chart.bars[0]
    assert short.length == 2 * long.length and chart.bars[2].length == 0
    assert long.label.endswith("…") and len(long.label) * charts.CHAR_WIDTH <= 280
    assert short.label == "Court"
    assert chart.label_width <= 290 and chart.height == 10 + 3 * 30
    assert chart.label_width + short.length < chart.width, "room left for the value"


def test_bars_over_their_totals_share_one_scale():
    shares = [Share("1", "Atelier", 3), Share("2", "Webinaire", 10)]
    chart = charts.hbar_chart(shares, totals=[4, 20])
    atelier, webinaire = chart.bars
    assert webinaire.total_length == pytest.approx(5 * atelier.total_length, abs=0.5)
    assert atelier.length == pytest.approx(0.75 * atelier.total_length, abs=0.1)
    assert (atelier.value, webinaire.value) == ("3 / 4", "10 / 20")
    assert chart.label_width + webinaire.total_length + charts._text_width("20 / 20") \
        < chart.width, "room left for the value"
    assert charts.hbar_chart(shares).bars[0].value == "3", "without totals, the count alone"


def test_the_month_chart_puts_joins_above_and_exits_below_zero():
    months = [Month(2025, m, joins=m, exits=m % 3, total=10 * m) for m in range(1, 13)]
    months += [Month(2026, m, joins=1, exits=0, total=120) for m in range(1, 13)]
    chart = charts.month_chart(months)
    assert len(chart.columns) == 24
    ticks = [column.tick for column in chart.columns if column.tick]
    assert ticks == ["mars 2025", "juin 2025", "sept. 2025", "déc. 2025", "mars 2026",
                     "juin 2026", "sept. 2026", "déc. 2026"], "every third month, the last shown"
    december = chart.columns[11]
    assert december.name == "décembre 2025"
    assert december.join_y + december.join_height == chart.zero_y
    # 12 joins at most: a scale of 0, 5, 10, 15 each way.
    assert sorted({t.label for t in chart.flow_ticks}, key=int) == ["0", "5", "10", "15"]
    assert december.join_height == (chart.zero_y - chart.flow_top) * 12 / 15
    assert chart.columns[1].exit_height == december.join_height * 2 / 12
    assert [t.label for t in chart.total_ticks] == ["0", "50", "100", "150"]
    assert chart.columns[-1].total_y == chart.total_bottom - 120 / 150 * (
        chart.total_bottom - chart.total_top)
    assert chart.columns[-1].x + chart.column_width <= chart.width - chart.right + 0.01


def test_a_short_month_chart_labels_every_month():
    chart = charts.month_chart([Month(2026, 10, joins=2, total=2), Month(2026, 11, total=2)])
    assert [column.tick for column in chart.columns] == ["oct. 2026", "nov. 2026"]
    assert chart.columns[1].join_height == 0
    assert chart.total_area.startswith("M") and chart.total_area.endswith("Z")


def test_attendance_of_the_past_year_per_event(admin_client, at_now):
    from network.events.attendance import mark_attendance
    from network.events.models import Registration
    from tests.events.helpers import make_event

    people = [make_member(email=f"p{n}@exemple.fr") for n in range(4)]
    marked = make_event(title="Atelier de juin", starts=NOW - timedelta(days=160))
    make_event(title="Sans relevé", starts=NOW - timedelta(days=100))
    make_event(title="Trop ancien", starts=NOW - timedelta(days=400))
    make_event(title="À venir", starts=NOW + timedelta(days=10))
    for person in people:
        db.session.add(Registration(event_id=marked.id, person_id=person.id,
                                    status="registered"))
    db.session.commit()
    ids = db.session.scalars(db.select(Registration.id).order_by(Registration.id)).all()
    mark_attendance(marked, set(ids[:3]), NOW)
    db.session.commit()
    few = count_queries(admin_client, "/admin/")
    page = admin_client.get("/admin/").text
    figures = dict((label, value) for value, label in re.findall(
        r'figure-value">([^<]+)</p>\s*<p class="figure-label">(?:<a[^>]*>)?([^<]+)<', page))
    assert figures["Événement à venir"] == "1"
    table = page.split("Présence par événement, douze derniers mois</caption>")[1]
    table = table.split("</table>")[0]
    assert "Atelier de juin" in table and "75 %" in table
    assert "Sans relevé" not in table and "Trop ancien" not in table
    assert 'titre">Personnes présentes par événement, douze derniers mois</title>' in page
    chart = page.split('id="graphique-presences-titre"')[1].split("</svg>")[0]
    assert 'class="chart-track"' in chart and 'class="chart-value">3 / 4</text>' in chart
    second = make_event(title="Webinaire d'octobre", starts=NOW - timedelta(days=40))
    db.session.add(Registration(event_id=second.id, person_id=people[0].id,
                                status="registered", attended=True))
    db.session.commit()
    assert count_queries(admin_client, "/admin/") == few
