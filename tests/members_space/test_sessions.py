"""A member's session ends on the server's word: a copied cookie dies with « Se déconnecter »."""

from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from tests.factories import NOW, make_member
from tests.members_space.test_space import signed_in


@pytest.fixture
def anne(app):
    return make_member(NOW - timedelta(days=100))


def copy_of(app, client):
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, client, anne, smtp):
    signed_in(client, smtp)
    thief = copy_of(app, client)
    assert "Bonjour Anne" in thief.get("/espace").text
    client.post("/deconnexion")
    assert thief.get("/espace").headers["Location"] == "/connexion"
    assert thief.get("/espace/mes-donnees").status_code == 302


def test_signing_out_ends_the_sessions_of_every_browser(app, client, anne, smtp):
    signed_in(client, smtp)
    phone = app.test_client()
    signed_in(phone, smtp)
    phone.post("/deconnexion")
    assert client.get("/espace").headers["Location"] == "/connexion"
    signed_in(client, smtp)
    assert client.get("/espace").status_code == 200, "a new link opens the space again"


def test_replaying_a_cookie_never_outlives_the_absolute_lifetime(app, client, anne, smtp):
    signed_in(client, smtp)
    idle = timedelta(minutes=app.config["MEMBER_SESSION_IDLE_MINUTES"])
    limit = timedelta(hours=app.config["MEMBER_SESSION_MAX_HOURS"])
    now = FROZEN_NOW
    while now + idle / 2 < FROZEN_NOW + limit:
        now += idle / 2
        app.config["FROZEN_NOW"] = now
        assert client.get("/espace").status_code == 200, now - FROZEN_NOW
    app.config["FROZEN_NOW"] = FROZEN_NOW + limit + timedelta(seconds=1)
    assert client.get("/espace").headers["Location"] == "/connexion"
    assert "Votre session a expiré" in client.get("/connexion").text


def test_a_session_from_before_generations_is_refused(client, anne, smtp):
    signed_in(client, smtp)
    with client.session_transaction() as session:
        del session["member_generation"]
    assert client.get("/espace").headers["Location"] == "/connexion"
