"""Roles: every back-office route, walked by an account of each role.

The expected role of each route is written here, apart from the code: a route that moves from
one role to another is a decision this file records.
"""

import re

import pytest
from werkzeug.exceptions import HTTPException

from network.admin.roles import ADMINISTRATEUR, ANIMATION, LECTURE, ROLES, reaches, requires
from network.admin.services import create_admin
from network.events.services import register_member
from network.extensions import db
from tests.admin.test_auth import admin_rules, fill
from tests.events.helpers import make_event
from tests.factories import make_member

# Pages read on SQLite: what a role may open does not depend on the database.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# What every account needs for itself (its second factor, signing out) is lecture's too.
LECTURE_ENDPOINTS = {"admin.dashboard", "admin.report_years", "admin.report",
                     "admin.report_pdf_file", "admin.report_xlsx_file", "admin.logout",
                     "admin.two_factor", "admin.two_factor_recovery_codes",
                     "admin.two_factor_disable"}
ANIMATION_PREFIXES = ("admin.events", "admin.questionnaire", "admin.question_",
                      "admin.needs_survey", "admin.survey", "admin.themes", "admin.resources",
                      "admin.news", "admin.mailing")
# The members' details, whatever area their route is in.
ADMINISTRATEUR_ONLY = {"admin.mailing_list_export"}


def expected_role(endpoint: str) -> str:
    if endpoint in LECTURE_ENDPOINTS:
        return LECTURE
    if endpoint.startswith(ANIMATION_PREFIXES) and endpoint not in ADMINISTRATEUR_ONLY:
        return ANIMATION
    return ADMINISTRATEUR


PASSWORD = "un-mot-de-passe-solide"


def signed_in(app, role: str):
    create_admin(f"{role}@gt-qvt.fr", PASSWORD, role)
    db.session.commit()
    client = app.test_client()
    response = client.post("/admin/connexion",
                           data={"email": f"{role}@gt-qvt.fr", "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_every_route_states_the_role_this_file_expects(app):
    stated = {rule.endpoint: app.view_functions[rule.endpoint].required_role
              for rule in admin_rules(app)}
    assert stated == {endpoint: expected_role(endpoint) for endpoint in stated}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_its_routes_and_gets_a_french_403_elsewhere(app, role):
    member = make_member(first_name="Inès", last_name="Roux")
    event = make_event()
    register_member(event, member, event.created_at)
    db.session.commit()
    ids = {"person_id": member.id, "event_id": event.id}
    client = signed_in(app, role)
    adapter = app.url_map.bind("localhost")
    opened, refused = set(), set()
    for rule in sorted(admin_rules(app), key=lambda rule: rule.endpoint == "admin.logout"):
        needed = expected_role(rule.endpoint)
        for url in urls_of(rule, ids):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method, buffered=True)
                if not reaches(role, needed):
                    assert response.status_code == 403, (role, method, url)
                    assert "ne donne pas accès à cette page" in response.text
                    assert f"elle demande le rôle « {needed.capitalize()} »" in response.text
                    refused.add(rule.endpoint)
                    continue
                assert response.status_code not in (403, 500), (role, method, url)
                if rule.endpoint != "admin.logout":
                    assert "/admin/connexion" not in response.headers.get("Location", "")
                opened.add(rule.endpoint)
                if response.status_code == 200 and response.mimetype == "text/html":
                    links_open_to(role, response.text, adapter, (method, url))
    assert opened and all(reaches(role, expected_role(endpoint)) for endpoint in opened)
    assert role == ADMINISTRATEUR or refused


def urls_of(rule, ids: dict) -> list[str]:
    """The rule's URLs, with the ids of the rows made for the walk (1, unknown, elsewhere)."""
    if set(rule.arguments) <= set(ids):
        return [rule.build({arg: ids[arg] for arg in rule.arguments})[1]]
    return fill(rule)


def links_open_to(role: str, html: str, adapter, where) -> None:
    """No link or form of a page a role opens leads to a page the role is refused."""
    for target in re.findall(r'(?:href|action)="(/admin/[^"?#]*)', html):
        for method in ("GET", "POST"):
            try:
                endpoint, _ = adapter.match(target, method=method)
            except HTTPException:
                continue
            assert reaches(role, expected_role(endpoint)), (where, target, endpoint)
            break


def test_the_menu_shows_only_the_areas_of_the_role(app):
    menus = {}
    for role in ROLES:
        page = signed_in(app, role).get("/admin/").text
        menu = page.split('aria-label="Administration"')[1].split("</nav>")[0]
        menus[role] = re.findall(r'class="nav-link" href="[^"]*"[^>]*>([^<]+)<', menu)
    assert menus[LECTURE] == ["Tableau de bord"]
    assert menus[ANIMATION] == ["Tableau de bord", "Événements", "Ressources", "Actualités",
                                "Envois"]
    assert menus[ADMINISTRATEUR][:3] == ["Tableau de bord", "Membres", "Renouvellement"]
    assert "Journal" in menus[ADMINISTRATEUR]


def test_the_dashboard_names_applicants_only_to_administrators(make_app):
    app = make_app(ADMISSION_REVIEW=True)
    with app.app_context():
        from network.membership import services
        from tests.factories import make_applicant

        applicant = make_applicant(first_name="Théo", last_name="Vidal")
        services.accept_charter(applicant, services.current_charter(), applicant.created_at)
        db.session.commit()
        assert "Théo Vidal" in signed_in(app, ADMINISTRATEUR).get("/admin/").text
        for role in (LECTURE, ANIMATION):
            assert "Théo Vidal" not in signed_in(app, role).get("/admin/").text


def test_a_route_that_states_no_role_is_refused_to_everyone(app):
    app.add_url_rule("/admin/oubliee", endpoint="admin.forgotten", view_func=lambda: "ouvert")
    assert signed_in(app, ADMINISTRATEUR).get("/admin/oubliee").status_code == 403


def test_an_unknown_role_cannot_be_stated_nor_given(app):
    with pytest.raises(ValueError):
        requires("superadmin")
    result = app.test_cli_runner().invoke(args=["admin", "create", "x@gt-qvt.fr", "--role", "chef"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 2 and "chef" in result.output


def test_the_command_line_creates_an_account_of_a_role(app):
    result = app.test_cli_runner().invoke(
        args=["admin", "create", "Lea@gt-qvt.fr", "--role", "animation"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    listing = app.test_cli_runner().invoke(args=["admin", "list"]).output
    assert "lea@gt-qvt.fr\tactif\tanimation" in listing


def test_the_command_line_lists_the_routes_of_each_role(app):
    output = app.test_cli_runner().invoke(args=["admin", "routes"]).output
    lecture, animation, administrateur = output.split("# ")[1:]
    assert lecture.startswith("lecture") and "GET\t/admin/bilan\n" in lecture
    assert "GET\t/admin/evenements\n" in animation and "/admin/membres" not in animation
    assert "GET\t/admin/membres/export.csv\n" in administrateur
