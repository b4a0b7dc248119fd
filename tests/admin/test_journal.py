"""The audit journal: every admin action, newest first, filtered by admin, action, day, person."""

from datetime import datetime, timedelta

import pytest

from network.admin.services import audit
from network.extensions import db
from tests.conftest import ADMIN_EMAIL
from tests.factories import NOW, make_member
from tests.support.queries import count_queries

# 22:30 UTC on 23 November is 23:30 in Paris: still the 23rd there, and for the admins.
LATE_EVENING = datetime(2026, 11, 23, 22, 30, tzinfo=NOW.tzinfo)


def rows(client, query="") -> str:
    """The table of the journal (the filter form above lists every admin and action too)."""
    return client.get(f"/admin/journal{query}").text.split("<tbody>")[1]


def test_newest_first_with_french_labels_and_the_raw_code_as_fallback(admin_client):
    audit(ADMIN_EMAIL, "charter.publish", NOW - timedelta(days=1), detail="version 2")
    audit(ADMIN_EMAIL, "something.new", NOW, detail="inconnue")
    db.session.commit()
    table = rows(admin_client)
    assert table.index("something.new") < table.index("Charte publiée")
    assert "23 novembre 2026 à 11 h" in table


def test_the_admin_select_lists_the_admins_who_appear(admin_client):
    audit("autre@gt-qvt.fr", "charter.publish", NOW)
    db.session.commit()
    page = admin_client.get("/admin/journal").text
    assert '<label class="form-label" for="admin">' in page
    choices = page.split('id="admin"')[1].split("</select>")[0]
    assert ">autre@gt-qvt.fr</option>" in choices and ADMIN_EMAIL not in choices


def test_the_day_range_is_in_paris_time_and_inclusive(admin_client):
    audit(ADMIN_EMAIL, "member.note", LATE_EVENING, detail="tard le soir")
    db.session.commit()
    assert "tard le soir" in rows(admin_client, "?du=2026-11-23&au=2026-11-23")
    assert "tard le soir" not in rows(admin_client, "?du=2026-11-24")
    assert "tard le soir" not in rows(admin_client, "?au=2026-11-22")
    assert "tard le soir" in rows(admin_client, "?au=9999-12-31")


def test_the_person_filter_says_whom_it_shows(admin_client):
    anne = make_member()
    paul = make_member(first_name="Paul", last_name="Durand", email="paul@exemple.fr")
    audit(ADMIN_EMAIL, "member.exit", NOW, anne.id, "Retirée")
    audit(ADMIN_EMAIL, "member.edit", NOW, paul.id, "Téléphone")
    db.session.commit()
    everything = rows(admin_client)
    assert f'href="/admin/membres/{paul.id}"' in everything
    assert f'href="/admin/journal?personne={anne.id}"' in everything
    page = admin_client.get(f"/admin/journal?personne={anne.id}").text
    assert "Actions concernant" in page and "Anne Martin" in page
    table = page.split("<tbody>")[1]
    assert "Retirée" in table and "Téléphone" not in table
    assert 'href="/admin/journal">voir toutes les personnes' in page


@pytest.mark.parametrize("url", ["/admin/journal", "/admin/journal?personne=1"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/connexion")


def test_the_journal_runs_the_same_number_of_queries_for_3_or_30_entries(admin_client):
    people = [make_member(email=f"m{n}@exemple.fr") for n in range(30)]
    for person in people[:3]:
        audit(ADMIN_EMAIL, "member.edit", NOW, person.id)
    db.session.commit()
    few = count_queries(admin_client, "/admin/journal")
    for person in people[3:]:
        audit(f"{person.id}@gt-qvt.fr", "member.note", NOW, person.id)
    db.session.commit()
    assert count_queries(admin_client, "/admin/journal") == few
