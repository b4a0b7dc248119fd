"""The sign-up form: validation, re-submissions, anti-spam; bad input changes nothing."""

import re

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership import services
from network.membership.models import Person, Status, StatusChange
from network.membership.services import leave_network
from tests.factories import NOW, join_form, make_applicant, make_member


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_form_has_a_label_for_every_field(client):
    page = client.get("/rejoindre").text
    inputs = [tag for tag in re.findall(r"<input[^>]*>", page)
              if 'type="hidden"' not in tag and 'type="submit"' not in tag]
    input_ids = {re.search(r'\sid="([^"]+)"', tag).group(1) for tag in inputs}
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
    assert len(input_ids) > 25
    assert input_ids <= labelled
    assert '<legend class="form-label fs-6 fw-semibold">Votre profil' in page
    assert 'class="honeypot" aria-hidden="true"' in page and 'tabindex="-1"' in page


@pytest.mark.parametrize("field, value, message", [
    ("email", "anne.martin@", "Saisissez une adresse e-mail valide"),
    ("email", None, "Ce champ est obligatoire."),
    ("first_name", "", "Ce champ est obligatoire."),
    ("organisation", None, "Ce champ est obligatoire."),
    ("profile", None, "Choisissez votre profil."),
    ("profile", "astronaute", "pas un choix valide"),
    ("departments", None, "Cochez au moins un département."),
    ("departments", ["75"], "pas un choix valide"),
    ("qvt_fields", None, "Cochez au moins un champ de la QVT."),
    ("privacy_consent", None, "Votre accord est nécessaire pour que le réseau conserve vos"),
    ("last_name", "x" * 101, "100 caractères au maximum."),
    ("organisation", "x" * 201, "200 caractères au maximum."),
    ("phone", "appelez-moi", "Saisissez un numéro de téléphone"),
    ("website", "pas une adresse", "Saisissez une adresse complète"),
])
def test_invalid_input_is_shown_next_to_its_field_and_nothing_is_saved(
        client, field, value, message):
    response = client.post("/rejoindre", data=join_form(**{field: value}))
    assert response.status_code == 400
    field_id = {"departments": "departments", "qvt_fields": "qvt_fields"}.get(field, field)
    error_block = response.text.split(f'id="{field_id}-erreur"', 1)[1][:300]
    assert message in error_block
    assert 'value="Martin"' in response.text or field == "last_name", "typed values are kept"
    assert count(Person) == 0 and count(OutboxMessage) == 0


def test_an_over_long_body_is_refused_in_french(client):
    response = client.post("/rejoindre", data=join_form(organisation="x" * 3_000_000))
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text
    assert count(Person) == 0


def test_an_applicant_who_signs_up_again_gets_the_link_again(client):
    make_applicant()
    response = client.post("/rejoindre", data=join_form(first_name="Annette"))
    assert response.headers["Location"].endswith("/rejoindre/verifiez-vos-e-mails")
    [person] = db.session.scalars(select(Person))
    assert person.first_name == "Anne", "a stranger cannot overwrite a pending application"
    templates = list(db.session.scalars(select(OutboxMessage.template)))
    assert templates == ["charter_link", "charter_link"]


def test_the_same_address_in_other_case_is_the_same_person(client):
    make_applicant()
    client.post("/rejoindre", data=join_form(email="  ANNE.Martin@Exemple.fr "))
    assert count(Person) == 1


def test_a_member_who_signs_up_again_is_told_by_email_only(client):
    make_member()
    applicant_page = client.post("/rejoindre", data=join_form(email="new@exemple.fr"))
    member_page = client.post("/rejoindre", data=join_form())
    assert member_page.headers["Location"] == applicant_page.headers["Location"]
    person = db.session.scalar(select(Person).where(Person.email == "anne.martin@exemple.fr"))
    assert person.status == Status.MEMBER
    assert db.session.scalar(select(OutboxMessage.template).order_by(
        OutboxMessage.id.desc()).where(OutboxMessage.person_id == person.id)) == "already_member"


def test_an_exited_person_applies_again_and_keeps_their_history(client):
    person = make_member()
    leave_network(person, NOW)
    db.session.commit()
    client.post("/rejoindre", data=join_form(organisation="Nouvelle structure"))
    db.session.refresh(person)
    # Nothing changes until the address owner accepts the charter (issue 13).
    assert (person.status, person.organisation) == (Status.EXITED, "Cabinet Travail & Santé")
    assert services.accept_charter(person, services.current_charter(), NOW)
    db.session.commit()
    assert (person.status, person.organisation) == (Status.MEMBER, "Nouvelle structure")
    history = list(db.session.scalars(select(StatusChange.to_status).where(
        StatusChange.person_id == person.id).order_by(StatusChange.id)))
    assert history == ["applicant", "member", "exited", "member"]


def test_the_honeypot_pretends_success_and_saves_nothing(client):
    response = client.post("/rejoindre", data=join_form(nickname="http://spam.example"))
    assert response.status_code == 302
    assert count(Person) == 0 and count(OutboxMessage) == 0


def test_a_form_without_csrf_token_is_shown_again_with_what_was_typed(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        response = app.test_client().post("/rejoindre", data=join_form())
        assert response.status_code == 400
        assert "le formulaire avait expiré et n'a pas été enregistré" in response.text
        assert 'value="Cabinet Travail &amp; Santé"' in response.text
        assert count(Person) == 0


def test_sign_ups_are_rate_limited_per_address_and_per_ip(make_app):
    app = make_app(RATELIMIT_ENABLED=True, JOIN_RATE_LIMIT_PER_ADDRESS="2 per hour",
                   JOIN_RATE_LIMIT_PER_IP="4 per hour")
    with app.app_context():
        client = app.test_client()
        statuses = [client.post("/rejoindre", data=join_form()).status_code for _ in range(3)]
        assert statuses == [302, 302, 429]
        assert "Trop de demandes" in client.post("/rejoindre", data=join_form()).text
        other = [client.post("/rejoindre", data=join_form(email=f"p{n}@exemple.fr")).status_code
                 for n in range(3)]
        assert other == [302, 302, 429], "the fifth request from one address of IP is refused"
        assert client.get("/rejoindre").status_code == 200, "reading the form is never limited"
