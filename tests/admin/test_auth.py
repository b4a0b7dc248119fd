"""Back-office accounts, sign-in, and the guard on every admin route."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.admin.models import AdminUser
from network.admin.views import OPEN_ENDPOINTS
from network.extensions import db
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_member


def admin_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and rule.endpoint not in OPEN_ENDPOINTS]


def fill(rule) -> list[str]:
    """Every URL of the rule: each choice of an `any(...)` argument, 1 for the others."""
    choices = {arg: sorted(getattr(rule._converters[arg], "items", [1]))
               for arg in rule.arguments}
    urls = [{}]
    for arg, values in choices.items():
        urls = [{**url, arg: value} for url in urls for value in values]
    return [rule.build(values)[1] for values in urls]


def test_every_admin_route_refuses_anonymous_visitors_and_members(app, client):
    member = make_member()
    rules = admin_rules(app)
    assert len(rules) >= 15
    # A member's own signed links give no access to the back-office either.
    with client.session_transaction() as session:
        session["person_id"] = member.id
    for rule in rules:
        for url in fill(rule):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = client.open(url, method=method)
                assert response.status_code == 302, (url, method)
                assert "/admin/connexion" in response.headers["Location"], (url, method)


def test_sign_in_and_out(app, admin, client):
    page = client.get("/admin/connexion")
    assert "Mot de passe" in page.text
    response = client.post("/admin/connexion?next=/admin/membres",
                           data={"email": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/admin/membres"
    assert client.get("/admin/").status_code == 200
    assert db.session.scalar(select(AdminUser.last_login_at)) is not None
    client.post("/admin/deconnexion")
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/rejoindre"])
def test_sign_in_never_redirects_elsewhere(admin, client, target):
    response = client.post(f"/admin/connexion?next={target}",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_a_wrong_password_is_refused_with_a_message(admin, client):
    response = client.post("/admin/connexion", data={"email": ADMIN_EMAIL, "password": "non"})
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert client.get("/admin/").status_code == 302


def test_sign_in_is_throttled_after_repeated_failures(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from network.admin.services import create_admin

        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        client = app.test_client()
        codes = [client.post("/admin/connexion",
                             data={"email": ADMIN_EMAIL, "password": "mauvais"}).status_code
                 for _ in range(6)]
        assert codes == [400] * 5 + [429]
        blocked = client.post("/admin/connexion",
                              data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert blocked.status_code == 429, "even the right password waits"


def test_a_disabled_admin_is_signed_out(app, admin, admin_client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "disable", ADMIN_EMAIL])
    assert result.exit_code == 0
    assert admin_client.get("/admin/").status_code == 302


def test_the_session_expires_after_inactivity(app, admin_client):
    with admin_client.session_transaction() as session:
        idle = timedelta(minutes=app.config["ADMIN_SESSION_IDLE_MINUTES"] + 1)
        session["admin_seen"] -= idle.total_seconds()
    response = admin_client.get("/admin/")
    assert response.status_code == 302
    assert "expiré" in admin_client.get(response.headers["Location"]).text


def test_admin_commands(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["admin", "create", "a@gt-qvt.fr"], input="court\n").exit_code == 1
    created = runner.invoke(args=["admin", "create", "a@gt-qvt.fr"],
                            input="un-mot-de-passe-long\n")
    assert created.exit_code == 0, created.output
    duplicate = runner.invoke(args=["admin", "create", "a@gt-qvt.fr"],
                              input="un-mot-de-passe-long\n")
    assert "existe déjà" in duplicate.output
    assert "a@gt-qvt.fr\tactif" in runner.invoke(args=["admin", "list"]).output
    runner.invoke(args=["admin", "disable", "a@gt-qvt.fr"])
    assert "a@gt-qvt.fr\tdésactivé" in runner.invoke(args=["admin", "list"]).output
    assert runner.invoke(args=["admin", "disable", "b@gt-qvt.fr"]).exit_code == 1


def test_admins_are_notified_at_their_account_addresses(app, admin, smtp):
    from network.scheduler.tick import run_tick
    from tests.factories import NOW

    make_member()
    run_tick(NOW)
    assert [m["Subject"] for m in smtp.to(ADMIN_EMAIL)] == ["Nouveau membre : Anne Martin"]
    assert smtp.to("gt-qvt@exemple.fr") == []
