"""The member space: magic links, my details, the directory, my data, leaving, anonymisation."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config import ProductionConfig
from network.admin.models import AuditEntry
from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.members_space.services import anonymise_departed
from network.membership.models import Status, StatusChange
from network.membership.services import leave_network, leave_token
from network.scheduler.tick import run_tick
from tests.factories import NOW, join_form, make_applicant, make_member
from tests.support.smtp import text_of


def sign_in_messages(smtp, address):
    return [m for m in smtp.to(address) if "lien de connexion" in m["Subject"]]


def sign_in_link(client, smtp, address="anne.martin@exemple.fr") -> str:
    before = len(sign_in_messages(smtp, address))
    response = client.post("/connexion", data={"email": address})
    assert "Si cette adresse est celle d'un membre" in response.text
    run_tick(utcnow())
    messages = sign_in_messages(smtp, address)
    assert len(messages) == before + 1
    return re.search(r"http://reseau\.test(/connexion/\S+)", text_of(messages[-1])).group(1)


def signed_in(client, smtp, address="anne.martin@exemple.fr"):
    link = sign_in_link(client, smtp, address)
    assert "Ouvrir mon espace membre" in client.get(link).text
    response = client.post(link)
    assert response.headers["Location"] == "/espace"
    return link


@pytest.fixture
def anne(app):
    return make_member(NOW - timedelta(days=100))


def test_the_page_says_the_same_for_strangers_and_sends_them_nothing(client, anne, smtp):
    make_applicant(email="candidat@exemple.fr")
    for address in ("inconnu@exemple.fr", "candidat@exemple.fr"):
        response = client.post("/connexion", data={"email": address})
        assert "Si cette adresse est celle" in response.text
    run_tick(utcnow())
    assert smtp.to("inconnu@exemple.fr") == []
    assert sign_in_messages(smtp, "candidat@exemple.fr") == []


def test_a_sign_in_link_works_once(client, anne, smtp):
    link = signed_in(client, smtp)
    assert "Bonjour Anne" in client.get("/espace").text
    client.post("/deconnexion")
    assert client.get("/espace").headers["Location"] == "/connexion"
    again = client.post(link)
    assert again.status_code == 410 and "Ce lien a déjà servi" in again.text
    assert client.get("/espace").status_code == 302


def test_expired_and_forged_links(client, anne, smtp, app):
    link = sign_in_link(client, smtp)
    forged = client.get(link[:-2] + "xx")
    assert forged.status_code == 404 and "Ce lien n'est pas valable" in forged.text
    app.config["SIGN_IN_LINK_MINUTES"] = -1
    expired = client.post(link)
    assert expired.status_code == 410 and "Ce lien a expiré" in expired.text
    assert client.get("/espace").status_code == 302


def test_session_cookie_flags_and_idle_expiry(client, anne, smtp, app):
    link = sign_in_link(client, smtp)
    response = client.post(link)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ProductionConfig.SESSION_COOKIE_SECURE, "HTTPS-only in production"
    with client.session_transaction() as session:
        session["member_seen"] -= (app.config["MEMBER_SESSION_IDLE_MINUTES"] + 1) * 60
    assert client.get("/espace").headers["Location"] == "/connexion"


def test_sign_in_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT_PER_ADDRESS="2 per hour")
    with app.app_context():
        client = app.test_client()
        codes = [client.post("/connexion", data={"email": "x@exemple.fr"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]


def test_my_details_share_the_sign_up_validation_and_are_in_the_history(client, anne, smtp):
    signed_in(client, smtp)
    page = client.get("/espace/coordonnees").text
    assert 'value="Cabinet Travail &amp; Santé"' in page
    form = join_form(organisation="Nouveau cabinet", phone="appelez-moi", directory_opt_in="y")
    invalid = client.post("/espace/coordonnees", data=form)
    assert invalid.status_code == 400
    assert "Saisissez un numéro de téléphone" in invalid.text
    db.session.refresh(anne)
    assert anne.organisation == "Cabinet Travail & Santé"

    client.post("/espace/coordonnees", data={**form, "phone": "05 61 00 00 00"})
    db.session.refresh(anne)
    assert (anne.organisation, anne.phone, anne.directory_opt_in) == (
        "Nouveau cabinet", "05 61 00 00 00", True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member.self_edit"))
    assert "structure" in entry.detail and "téléphone" in entry.detail


def test_a_new_address_is_used_only_once_confirmed(client, anne, smtp):
    signed_in(client, smtp)
    response = client.post("/espace/coordonnees",
                           data=join_form(email="anne.nouvelle@exemple.fr"), follow_redirects=True)
    assert "Un lien de confirmation a été envoyé à anne.nouvelle@exemple.fr" in response.text
    db.session.refresh(anne)
    assert (anne.email, anne.pending_email) == ("anne.martin@exemple.fr",
                                                 "anne.nouvelle@exemple.fr")
    run_tick(utcnow())
    [confirmation] = smtp.to("anne.nouvelle@exemple.fr")
    link = re.search(r"http://reseau\.test(/espace/adresse/\S+)", text_of(confirmation)).group(1)
    assert "Confirmer ma nouvelle adresse" in client.get(link).text
    assert "Adresse confirmée" in client.post(link).text
    db.session.refresh(anne)
    assert (anne.email, anne.pending_email) == ("anne.nouvelle@exemple.fr", None)
    assert client.post(link).status_code == 410, "a confirmation link works once"


def test_a_new_address_taken_meanwhile_is_refused_at_confirmation(client, anne, smtp):
    signed_in(client, smtp)
    client.post("/espace/coordonnees", data=join_form(email="paul@exemple.fr"))
    make_member(email="paul@exemple.fr")
    run_tick(utcnow())
    link = re.search(r"http://reseau\.test(/espace/adresse/\S+)",
                     text_of(smtp.to("paul@exemple.fr")[0])).group(1)
    response = client.post(link)
    assert "Cette adresse est déjà utilisée" in response.text
    db.session.refresh(anne)
    assert anne.email == "anne.martin@exemple.fr"


def test_the_directory_shows_members_who_opted_in(client, anne, smtp):
    make_member(email="paul@exemple.fr", first_name="Paul", last_name="Durand",
                organisation="Carsat", directory_opt_in=True)
    make_member(email="discret@exemple.fr", first_name="Jean", last_name="Discret")
    assert client.get("/espace/annuaire").headers["Location"] == "/connexion"
    signed_in(client, smtp)
    page = client.get("/espace/annuaire").text
    assert "Paul Durand" in page and "Jean Discret" not in page and "Anne Martin" not in page
    assert "Paul Durand" not in client.get("/espace/annuaire?q=inconnu").text
    assert "Paul Durand" in client.get("/espace/annuaire?q=carsat&departement=31").text


def test_my_data_holds_everything(client, anne, smtp):
    signed_in(client, smtp)
    response = client.get("/espace/mes-donnees.json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["coordonnees"]["email"] == "anne.martin@exemple.fr"
    assert [h["vers"] for h in data["historique"]] == ["applicant", "member"]
    assert data["acceptations_de_la_charte"][0]["version"] == 1
    assert any("connexion" in e["objet"] for e in data["emails_envoyes"])


def test_leaving_from_the_space(client, anne, smtp):
    signed_in(client, smtp)
    assert "Je confirme : je quitte le réseau" in client.get("/espace/quitter").text
    done = client.post("/espace/quitter")
    assert "Vous avez quitté le réseau" in done.text
    db.session.refresh(anne)
    assert anne.status == Status.EXITED and anne.exit_reason == "voluntary"
    assert client.get("/espace").status_code == 302, "signed out"
    run_tick(utcnow())
    assert [m for m in smtp.to("anne.martin@exemple.fr") if "quitté" in m["Subject"]]
    assert [m for m in smtp.to("gt-qvt@exemple.fr") if "Sortie" in m["Subject"]]


def test_one_member_cannot_act_for_another(client, anne, smtp):
    paul = make_member(email="paul@exemple.fr")
    signed_in(client, smtp)
    client.post("/espace/coordonnees", data=join_form(organisation="Changé par Anne"))
    db.session.refresh(paul)
    assert paul.organisation == "Cabinet Travail & Santé"
    # A's leave link cannot make B leave: the link names its owner, signed.
    token = leave_token(anne)
    forged = token.replace(token.split(".")[0], leave_token(paul).split(".")[0])
    assert client.post(f"/quitter/{forged}").status_code == 404
    db.session.refresh(paul)
    assert paul.status == Status.MEMBER


def test_people_who_left_are_anonymised_after_the_retention_period(app, anne):
    stays = make_member(email="reste@exemple.fr")
    leaver = make_member(email="part@exemple.fr")
    leave_network(leaver, NOW)
    db.session.commit()
    assert anonymise_departed(NOW + timedelta(days=359)) == 0
    assert run_tick(NOW + timedelta(days=361)).anonymised == 1
    db.session.refresh(leaver)
    assert (leaver.email, leaver.last_name, leaver.organisation) == (None, None, None)
    assert leaver.profile == "consultant" and [d.code for d in leaver.departments]
    assert db.session.scalar(select(func.count()).select_from(StatusChange).where(
        StatusChange.person_id == leaver.id)) == 3, "the anonymous history stays"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.person_id == leaver.id)) == 0
    db.session.refresh(stays)
    db.session.refresh(anne)
    assert stays.email == "reste@exemple.fr" and anne.email == "anne.martin@exemple.fr"
    assert anonymise_departed(NOW + timedelta(days=800)) == 0, "once is enough"
