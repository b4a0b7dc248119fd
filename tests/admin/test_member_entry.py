"""Requests received by e-mail, entered in the back-office: a charter link, or a member whose
acceptance of the network's rules came by e-mail too."""

import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.membership import entry
from network.membership.models import (
    AcceptanceMethod,
    CharterAcceptance,
    Person,
    Status,
    StatusChange,
)
from network.sessions import session_values
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import NOW, join_form, make_member, member_session
from tests.membership.test_journey import link_in
from tests.support.bad_input import database_rows
from tests.support.smtp import text_of

URL = "/admin/membres/nouveau"
NOTE = "Mail du 12/03/2021 reçu sur la boîte du réseau"


def entry_form(**overrides) -> dict:
    """The person typed in by the admin, and the choice: a charter link unless told otherwise."""
    return join_form(**{"privacy_consent": None, "entry": "lien-charte", **overrides})


def by_email(**overrides) -> dict:
    return entry_form(**{"entry": "accepte-par-mail", "accepted_on": "2021-03-12", "note": NOTE,
                         **overrides})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def the_person() -> Person:
    db.session.expire_all()
    return db.session.scalar(select(Person))


def test_the_list_links_to_the_entry_form(admin_client):
    assert f'href="{URL}"' in admin_client.get("/admin/membres").text
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert "Saisir une demande reçue par e-mail" in page.text
    # Both choices, the first one checked, and the date and note shown without any script.
    assert re.search(r'<input checked class="form-check-input" id="entry-0" name="entry" '
                     r'type="radio" value="lien-charte">', page.text)
    assert 'value="accepte-par-mail"' in page.text
    assert 'type="date"' in page.text and 'name="note"' in page.text
    assert "<script" not in page.text and "style=" not in page.text


def test_a_request_by_email_gets_the_charter_link_and_accepting_it_makes_a_member(
        app, admin_client, client, smtp):
    response = admin_client.post(URL, data=entry_form(email="Anne.Martin@Exemple.fr"))
    person = the_person()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/membres/{person.id}"
    assert (person.status, person.email) == (Status.APPLICANT, "anne.martin@exemple.fr")
    assert person.organisation == "Cabinet Travail & Santé"
    assert [d.code for d in person.departments] == ["31", "34"]
    assert person.privacy_consent_at is None, "the person has not seen the privacy notice"
    assert person.member_since is None
    [change] = db.session.scalars(select(StatusChange)).all()
    assert (change.from_status, change.to_status) == (None, Status.APPLICANT)
    assert (change.changed_by, change.reason) == (ADMIN_EMAIL, entry.REQUEST_REASON)
    [audit] = db.session.scalars(select(AuditEntry)).all()
    assert (audit.action, audit.admin_email, audit.person_id) == (
        "member.create_request", ADMIN_EMAIL, person.id)
    page = admin_client.get(response.headers["Location"]).text
    assert "le lien d'acceptation de la charte lui est envoyé" in page
    assert "Demande reçue par e-mail, saisie par le GT QVT" in page

    from network.scheduler.tick import run_tick

    run_tick(NOW)
    [welcome] = smtp.to("anne.martin@exemple.fr")
    assert "Votre demande d'adhésion" in welcome["Subject"]
    link = link_in(welcome, "charte")
    assert 'name="privacy_consent"' in client.get(link).text, "the charter page asks for it"
    assert client.post(link, data={"accept": "y", "privacy_consent": "y"}
                       ).headers["Location"].endswith("/bienvenue")
    person = the_person()
    assert person.status == Status.MEMBER
    assert person.privacy_consent_at == utcnow()
    acceptance = db.session.scalar(select(CharterAcceptance))
    assert (acceptance.person_id, acceptance.method) == (person.id, AcceptanceMethod.WEB)
    run_tick(NOW)
    assert [m for m in smtp.to("anne.martin@exemple.fr") if "Bienvenue" in m["Subject"]]


def test_a_member_who_accepted_the_rules_by_email(app, admin_client, smtp):
    response = admin_client.post(URL, data=by_email())
    person = the_person()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/membres/{person.id}"
    assert person.status == Status.MEMBER
    # Noon in Paris on the day of the e-mail, stored in UTC.
    accepted_at = datetime(2021, 3, 12, 11, 0, tzinfo=UTC)
    assert person.member_since == accepted_at
    assert person.applied_at == accepted_at
    assert person.created_at == utcnow()
    assert person.privacy_consent_at is None, "an e-mail accepting the rules is not that consent"
    assert person.charter_nonce is None
    [acceptance] = db.session.scalars(select(CharterAcceptance)).all()
    assert (acceptance.method, acceptance.recorded_by, acceptance.note) == (
        AcceptanceMethod.EMAIL, ADMIN_EMAIL, NOTE)
    assert acceptance.accepted_at == accepted_at
    assert acceptance.charter_version.number == 1
    [change] = db.session.scalars(select(StatusChange)).all()
    assert (change.from_status, change.to_status, change.changed_by) == (
        None, Status.MEMBER, ADMIN_EMAIL)
    assert change.reason == "Cadre du réseau accepté par e-mail le 12/03/2021"
    [audit] = db.session.scalars(select(AuditEntry)).all()
    assert (audit.action, audit.admin_email, audit.person_id) == (
        "member.create_by_email", ADMIN_EMAIL, person.id)

    page = admin_client.get(response.headers["Location"]).text
    assert "est membre du réseau depuis le 12/03/2021" in page
    assert f"Cadre accepté par e-mail le 12 mars 2021 (enregistré par {ADMIN_EMAIL})" in page
    assert "Mail du 12/03/2021 reçu sur la boîte du réseau" in page
    assert "Membre depuis</dt><dd class=\"col-7\">12 mars 2021" in page

    from network.scheduler.tick import run_tick

    run_tick(NOW)
    [welcome] = [m for m in smtp.to("anne.martin@exemple.fr") if "Bienvenue" in m["Subject"]]
    assert welcome["Subject"] == "Bienvenue dans le réseau des intervenants QVT en Occitanie"
    assert not [m for m in smtp.to("anne.martin@exemple.fr") if "adhésion" in m["Subject"]]
    assert "vous êtes membre du réseau" in text_of(welcome)
    # What the person did not see on the site: their member space and the privacy notice.
    assert "http://reseau.test/connexion" in text_of(welcome)
    assert "http://reseau.test/confidentialite" in text_of(welcome)
    assert "/charte/" not in text_of(welcome)


def test_the_launch_day_and_today_are_both_possible(admin_client):
    assert admin_client.post(URL, data=by_email(accepted_on="2019-11-22")).status_code == 302
    today = utcnow().date().isoformat()
    assert admin_client.post(URL, data=by_email(email="paul@exemple.fr", accepted_on=today)
                             ).status_code == 302
    assert count(Person) == 2


@pytest.mark.parametrize("overrides, field, message", [
    ({"accepted_on": ""}, "accepted_on", "Indiquez la date de l'e-mail d'acceptation."),
    ({"accepted_on": None}, "accepted_on", "Indiquez la date de l'e-mail d'acceptation."),
    ({"note": ""}, "note", "Indiquez où retrouver l'e-mail d'acceptation."),
    ({"note": "  \r\n "}, "note", "Indiquez où retrouver l'e-mail d'acceptation."),
    ({"note": "x" * 1001}, "note", "1000 caractères au maximum."),
    ({"accepted_on": "2026-11-24"}, "accepted_on", "La date ne peut pas être dans le futur."),
    ({"accepted_on": "2019-11-21"}, "accepted_on", "Le réseau a été lancé le 22/11/2019"),
    ({"accepted_on": "9999-12-31"}, "accepted_on", "Saisissez une date entre le 1er janvier"),
    ({"accepted_on": "pas-une-date"}, "accepted_on", 'id="accepted_on-erreur"'),
    ({"entry": "autre-chose"}, "entry", 'id="entry-erreur"'),
])
def test_an_acceptance_by_email_needs_a_plausible_date_and_a_note(admin_client, overrides,
                                                                  field, message):
    response = admin_client.post(URL, data={key: value for key, value in by_email(
        **overrides).items() if value is not None})
    assert response.status_code == 400
    assert f'id="{field}-erreur"' in response.text
    assert message in response.text
    assert "Le formulaire contient 1 erreur" in response.text
    assert 'value="Cabinet Travail &amp; Santé"' in response.text, "what was typed is kept"
    assert count(Person) == count(OutboxMessage) == count(AuditEntry) == 0


def test_the_date_and_note_are_not_read_for_a_charter_link(admin_client):
    response = admin_client.post(URL, data=entry_form(accepted_on="pas-une-date",
                                                      note="\x00"))
    assert response.status_code == 302
    assert the_person().status == Status.APPLICANT
    assert count(CharterAcceptance) == 0


@pytest.mark.parametrize("choice", [entry_form, by_email], ids=["lien-charte", "par-mail"])
def test_a_known_address_is_refused_with_a_link_to_that_person(admin_client, choice):
    anne = make_member()
    rows = database_rows()
    response = admin_client.post(URL, data=choice(email="ANNE.MARTIN@exemple.fr",
                                                  first_name="Autre"))
    assert response.status_code == 400
    error = re.search(r'<div id="email-erreur"[^>]*>(.*?)</div>', response.text, re.S).group(1)
    assert "Cette adresse est déjà connue du réseau : Anne Martin (Membre)" in error
    assert f'<a href="/admin/membres/{anne.id}">Ouvrir sa fiche</a>' in error
    assert database_rows() == rows


def test_the_second_of_two_admins_entering_one_address_gets_the_same_error(
        admin_client, monkeypatch):
    """The other admin's row is saved between this one's check and its insert: the unique
    address refuses the insert, and the answer is the same as for an address already known."""
    anne = make_member()
    rows = database_rows()
    looked_up = []
    real_lookup = entry._person_with

    def not_yet_saved(email):
        looked_up.append(email)
        return None if len(looked_up) == 1 else real_lookup(email)

    monkeypatch.setattr(entry, "_person_with", not_yet_saved)
    response = admin_client.post(URL, data=by_email())
    assert response.status_code == 400
    assert len(looked_up) == 2, "the insert was tried"
    assert "Cette adresse est déjà connue du réseau : Anne Martin" in response.text
    assert f'href="/admin/membres/{anne.id}"' in response.text
    assert database_rows() == rows


def test_two_admins_entering_one_address_at_once(make_app):
    app = make_app()
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    clients = []
    for _ in range(2):
        client = app.test_client()
        client.post("/admin/connexion", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        clients.append(client)
    for round_number in range(3):
        barrier, answers = threading.Barrier(2), []

        def submit(client, round_number=round_number, barrier=barrier, answers=answers):
            barrier.wait()
            response = client.post(URL, data=entry_form(email=f"double{round_number}@exemple.fr"))
            answers.append((response.status_code, response.text))

        threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(status for status, _ in answers) == [302, 400], round_number
        assert "déjà connue du réseau" in next(text for status, text in answers if status == 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 3


@pytest.mark.parametrize("field", ["first_name", "last_name", "organisation", "job_title",
                                   "note"])
def test_control_characters_are_refused(admin_client, field):
    response = admin_client.post(URL, data=by_email(**{field: "Anne\x00\x1b[31m"}))
    assert response.status_code == 400
    assert f'id="{field}-erreur"' in response.text
    assert "caractères de contrôle" in response.text
    assert count(Person) == 0


def test_line_breaks_stay_allowed_in_the_note(admin_client):
    admin_client.post(URL, data=by_email(note="Mail du 12/03/2021\r\nboîte du réseau"))
    assert db.session.scalar(select(CharterAcceptance.note)) == (
        "Mail du 12/03/2021\r\nboîte du réseau")


def test_anonymous_visitors_and_members_are_sent_to_the_admins_sign_in(app, client):
    member = app.test_client()
    with member.session_transaction() as session:
        member_session(session, make_member(email="membre@exemple.fr"))
    for visitor in (client, member):
        for method in ("GET", "POST"):
            response = visitor.open(URL, method=method, data=by_email())
            assert response.status_code == 302
            assert "/admin/connexion" in response.headers["Location"]
    assert count(Person) == 1


def test_a_post_without_its_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(session_values("admin", admin, utcnow()))
        refused = client.post(URL, data=by_email())
        assert refused.status_code == 400
        assert "Formulaire expiré" in refused.text
        assert count(Person) == 0
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get(URL).text)[1]
        assert client.post(URL, data={**by_email(), "csrf_token": token}).status_code == 302
        assert count(Person) == 1
