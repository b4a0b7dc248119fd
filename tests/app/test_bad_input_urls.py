"""Bad input in URLs and query strings gets a French 4xx answer and changes nothing: ids and
numbers beyond what the database holds, control characters, redirect targets from the request."""

import pytest
from werkzeug.routing import IntegerConverter

from network.inputs import BoundedIntegerConverter
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_member
from tests.members_space.test_space import signed_in
from tests.support.bad_input import database_rows, make_world, url

BEYOND = ["2147483648", "9223372036854775808", "99999999999999999999"]
CONTROL_MESSAGE = "caractères de contrôle"


def integer_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]


def test_every_integer_of_a_url_stops_at_the_database_integer(app):
    rules = integer_rules(app)
    assert len(rules) >= 30
    for rule in rules:
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, BoundedIntegerConverter), rule.rule
                assert converter.max == 2**31 - 1, rule.rule


@pytest.mark.parametrize("value", BEYOND)
def test_ids_beyond_the_database_integer_are_not_found(app, admin_client, client, value):
    world = make_world(app)
    for rule in integer_rules(app):
        visitor = admin_client if rule.endpoint.startswith("admin.") else client
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                for method in rule.methods - {"HEAD", "OPTIONS"}:
                    response = visitor.open(url(rule, world, (name, value)), method=method)
                    assert response.status_code == 404, (rule.rule, method)
                    assert "Page introuvable" in response.text


@pytest.fixture
def member_client(app, smtp):
    member = app.test_client()
    make_member(email="lecteur@exemple.fr")
    signed_in(member, smtp, "lecteur@exemple.fr")
    return member


LISTS = ["/evenements", "/ressources", "/espace/annuaire", "/admin/membres", "/admin/evenements",
         "/admin/ressources", "/admin/courriels", "/admin/journal", "/admin/renouvellement"]


@pytest.mark.parametrize("page", BEYOND)
def test_a_page_number_beyond_any_list_is_a_missing_page(admin_client, member_client, page):
    for path in LISTS:
        visitor = admin_client if path.startswith("/admin") else member_client
        for number in (page, "abc"):  # as a page that is not a number already is
            response = visitor.get(f"{path}?page={number}")
            assert response.status_code == 404, (path, number)
        assert visitor.get(f"{path}?page=1").status_code == 200, path


@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999", "-1"])
def test_numbers_out_of_range_in_filters_are_ignored_like_any_junk(app, admin_client, value):
    world = make_world(app)
    client = app.test_client()
    for path in (f"/evenements?annee={value}", f"/ressources?annee={value}",
                 f"/ressources?evenement={value}", f"/admin/renouvellement?annee={value}",
                 f"/admin/journal?personne={value}", f"/admin/membres?par_page={value}"):
        visitor = admin_client if path.startswith("/admin") else client
        junk = visitor.get(path.rsplit("=", 1)[0] + "=n-importe-quoi")
        response = visitor.get(path)
        assert response.status_code == junk.status_code == 200, path
    under_way = world[("admin.events_attendance", "event_id")]
    response = admin_client.post(f"/admin/evenements/{under_way}/presences",
                                 data={"present": [value, "1"]})
    assert response.status_code == 302


@pytest.mark.parametrize("query", ["du=0001-01-01", "au=9999-12-31", "du=1899-12-31",
                                   "au=2101-01-01"])
def test_the_journal_ignores_dates_no_calendar_can_hold(admin_client, query):
    response = admin_client.get(f"/admin/journal?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["type=%00", "theme=%00", "q=%00", "annee=%00", "q=a%0D%0Ab",
                                   "q=%1B", "q%00=x"])
def test_control_characters_in_a_query_string_are_refused(app, admin_client, member_client,
                                                          query):
    make_world(app)
    rows = database_rows()
    for path in ("/evenements", "/ressources", "/espace/annuaire", "/admin/membres",
                 "/admin/membres/export.csv", "/admin/courriels", "/admin/journal",
                 "/admin/connexion"):
        visitor = admin_client if path.startswith("/admin") else member_client
        response = visitor.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert "Demande incorrecte" in response.text
        assert CONTROL_MESSAGE in response.text
    assert database_rows() == rows


# --- Where a sign-in sends the admin ----------------------------------------------------------

@pytest.mark.parametrize("target", ["/admin/é", "/admin/ř", "/admin\\\\evil.example",
                                    "/admin/%2F%2Fevil.example", "/admin/" + "x" * 5000])
def test_a_sign_in_never_fails_on_where_it_sends_the_admin(admin, client, target):
    response = client.post("/admin/connexion", query_string={"next": target},
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin")


@pytest.mark.parametrize("target", ["/admin/membres\r\nSet-Cookie: pris=1", "/admin/\x00",
                                    "/admin/\u2028evil"])
def test_a_sign_in_link_with_control_characters_is_refused(admin, client, target):
    response = client.post("/admin/connexion", query_string={"next": target},
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text


@pytest.mark.parametrize("referrer, expected", [
    ("http://localhost/admin/renouvellement?statut=pending",
     "/admin/renouvellement?statut=pending"),
    ("https://evil.example/admin/renouvellement", "/admin/renouvellement"),
    ("http://localhost//evil.example/admin", "/admin/renouvellement"),
    ("http://localhost/rejoindre", "/admin/renouvellement"),
    ("javascript:alert(1)", "/admin/renouvellement"),
    ("http://localhost/admin/ř\u202e", "/admin/renouvellement"),
])
def test_an_action_on_a_renewal_request_goes_back_only_to_a_back_office_page(
        app, admin_client, referrer, expected):
    world = make_world(app)
    response = admin_client.post(
        f"/admin/renouvellement/demandes/{world['request_id']}/rappel",
        headers={"Referer": referrer.encode().decode("latin-1")})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("query", ["endpoint=x", "_scheme=javascript&_external=1", "_anchor=x",
                                   "_method=POST", "values=x"])
def test_links_rebuilt_from_the_query_string_ignore_what_url_for_keeps_for_itself(
        admin_client, query):
    for number in range(60):
        make_member(email=f"membre{number}@exemple.fr", last_name=f"Nom{number:02d}")
    for path in ("/admin/membres?par_page=25&statut=member&statut=applicant",
                 "/admin/journal?personne=1"):
        response = admin_client.get(f"{path}&{query}")
        assert response.status_code == 200, (path, query)
        assert "javascript:" not in response.text
    # The page links keep every value of a filter.
    assert "statut=member&amp;statut=applicant" in admin_client.get(
        "/admin/membres?par_page=25&statut=member&statut=applicant").text.split("Suivante")[0]
