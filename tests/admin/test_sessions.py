"""Back-office sessions end on the server's word; throttled sign-ins never lock the GT QVT out."""

from datetime import timedelta

from network.admin.services import create_admin
from network.extensions import db
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FROZEN_NOW

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OFFICE = {"REMOTE_ADDR": "198.51.100.7"}


def copy_of(app, client):
    """Another browser holding the same session cookie (as a thief who copied it would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in_client(app, **environ):
    client = app.test_client()
    response = client.post("/admin/connexion", environ_base=environ,
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_a_copied_cookie_stops_working_after_sign_out(app, admin, admin_client):
    thief = copy_of(app, admin_client)
    assert thief.get("/admin/").status_code == 200
    admin_client.post("/admin/deconnexion")
    assert thief.get("/admin/").status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_signing_out_ends_the_other_sessions_of_the_account(app, admin, admin_client):
    laptop = signed_in_client(app)
    admin_client.post("/admin/deconnexion")
    assert laptop.get("/admin/").status_code == 302, "« Se déconnecter » signs out everywhere"
    assert signed_in_client(app).get("/admin/").status_code == 200, "a new sign-in works"


def test_replaying_a_cookie_never_outlives_the_absolute_lifetime(app, admin, admin_client):
    idle = timedelta(minutes=app.config["ADMIN_SESSION_IDLE_MINUTES"])
    limit = timedelta(hours=app.config["ADMIN_SESSION_MAX_HOURS"])
    now = FROZEN_NOW
    # Always active, never idle: each request renews the cookie, until the absolute limit.
    while now + idle / 2 < FROZEN_NOW + limit:
        now += idle / 2
        app.config["FROZEN_NOW"] = now
        assert admin_client.get("/admin/").status_code == 200, now - FROZEN_NOW
    app.config["FROZEN_NOW"] = FROZEN_NOW + limit + timedelta(seconds=1)
    response = admin_client.get("/admin/")
    assert response.status_code == 302
    assert "Votre session a expiré" in admin_client.get(response.headers["Location"]).text


def test_a_session_from_before_generations_is_refused(app, admin, admin_client):
    with admin_client.session_transaction() as session:
        del session["admin_generation"]
    assert admin_client.get("/admin/").status_code == 302


def test_disabling_then_enabling_an_account_ends_its_old_sessions(app, admin, admin_client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["admin", "disable", ADMIN_EMAIL]).exit_code == 0
    created = runner.invoke(args=["admin", "create", ADMIN_EMAIL],
                            input="un-tout-nouveau-mot-de-passe\n")
    assert created.exit_code == 0, created.output
    assert admin_client.get("/admin/").status_code == 302


def test_changing_the_password_ends_every_session(app, admin, admin_client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["admin", "password", ADMIN_EMAIL],
                         input="court\n").exit_code == 1
    changed = runner.invoke(args=["admin", "password", ADMIN_EMAIL],
                            input="un-tout-nouveau-mot-de-passe\n")
    assert changed.exit_code == 0, changed.output
    assert admin_client.get("/admin/").status_code == 302
    assert admin_client.post("/admin/connexion", data={
        "email": ADMIN_EMAIL, "password": "un-tout-nouveau-mot-de-passe"}).status_code == 302


def test_an_operator_signs_an_account_out_everywhere(app, admin, admin_client):
    result = app.test_cli_runner().invoke(args=["admin", "sign-out", ADMIN_EMAIL])
    assert result.exit_code == 0, result.output
    assert admin_client.get("/admin/").status_code == 302
    assert app.test_cli_runner().invoke(args=["admin", "sign-out", "x@gt-qvt.fr"]).exit_code == 1


# --- Throttling ----------------------------------------------------------------------------------

def throttled_app(make_app, **settings):
    app = make_app(RATELIMIT_ENABLED=True, **settings)
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    return app


def attempt(client, password="mauvais", **environ):
    return client.post("/admin/connexion", environ_base=environ,
                       data={"email": ADMIN_EMAIL, "password": password}).status_code


def test_an_attacker_cannot_lock_the_admin_out(make_app):
    app = throttled_app(make_app)
    with app.app_context():
        attacker = app.test_client()
        codes = [attempt(attacker, **ATTACKER) for _ in range(8)]
        assert codes == [400] * 5 + [429] * 3
        assert attempt(attacker, ADMIN_PASSWORD, **ATTACKER) == 429, "the attacker's right guess"
        assert attempt(app.test_client(), ADMIN_PASSWORD, **OFFICE) == 302, "the admin, at once"


def test_many_addresses_are_slowed_down_per_account_but_not_the_admins_browser(make_app):
    app = throttled_app(make_app, ADMIN_SIGN_IN_RATE_LIMIT_PER_ACCOUNT="10 per minute")
    with app.app_context():
        browser = app.test_client()
        assert attempt(browser, ADMIN_PASSWORD, **OFFICE) == 302
        browser.post("/admin/deconnexion")
        botnet = [attempt(app.test_client(), REMOTE_ADDR=f"203.0.113.{n}") for n in range(12)]
        assert botnet == [400] * 10 + [429] * 2, "one account: ten guesses a minute, at most"
        assert attempt(app.test_client(), ADMIN_PASSWORD, **OFFICE) == 429, "a new browser waits"
        # The browser the admin signed in with before is known: it signs in at once.
        assert attempt(browser, ADMIN_PASSWORD, REMOTE_ADDR="192.0.2.1") == 302
