"""Charter links: forged, expired, superseded or reused links get a clear page, change nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.membership.models import CharterAcceptance, Person, Status
from network.membership.services import charter_token
from tests.factories import NOW, make_applicant


def acceptances() -> int:
    return db.session.scalar(select(func.count()).select_from(CharterAcceptance))


def test_a_forged_link_is_refused(client):
    person = make_applicant()
    forged = charter_token(person, NOW)[:-3] + "abc"
    for response in (client.get(f"/charte/{forged}"),
                     client.post(f"/charte/{forged}", data={"accept": "y"})):
        assert response.status_code == 404
        assert "Ce lien n'est pas valable" in response.text
        assert "Recevoir un nouveau lien" in response.text
    assert person.status == Status.APPLICANT and acceptances() == 0


def test_a_link_signed_with_another_key_is_refused(client, app):
    person = make_applicant()
    app.config["SECRET_KEY"] = "another-key"
    token = charter_token(person, NOW)
    app.config["SECRET_KEY"] = "test-secret-key"
    assert client.get(f"/charte/{token}").status_code == 404


def test_an_expired_link_is_refused_with_a_way_to_get_a_new_one(client, app):
    person = make_applicant()
    days = app.config["CHARTER_LINK_DAYS"]
    old = charter_token(person, utcnow() - timedelta(days=days, minutes=1))
    fresh = charter_token(person, utcnow() - timedelta(days=days - 1))
    response = client.post(f"/charte/{old}", data={"accept": "y"})
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.text
    assert acceptances() == 0
    assert client.get(f"/charte/{fresh}").status_code == 200


def test_a_new_link_is_sent_to_a_pending_applicant_only(client):
    make_applicant()
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    for email in ("anne.martin@exemple.fr", "inconnu@exemple.fr"):
        response = client.post("/charte/nouveau-lien", data={"email": email})
        assert response.headers["Location"].endswith("/rejoindre/verifiez-vos-e-mails")
    after = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert after == before + 1


def test_asking_for_a_new_link_with_a_bad_address_says_why(client):
    response = client.post("/charte/nouveau-lien", data={"email": "pas-une-adresse"})
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide" in response.text


def test_a_link_from_a_previous_application_is_no_longer_valid(client):
    from network.membership.services import leave_network

    person = make_applicant()
    first_link = charter_token(person, NOW)
    leave_network(person, NOW)  # withdrawn: a first application is purged
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert client.get(f"/charte/{first_link}").status_code == 404
