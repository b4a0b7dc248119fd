"""Registration, the waiting list, cancellation and promotion, reminders, with injected times."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.events.attendance import mark_attendance
from network.events.models import Audience, EventKind, Registration, RegistrationStatus
from network.events.services import (
    InvitationSegment,
    RegistrationRefused,
    cancel_event,
    cancel_registration,
    confirm_guest_registration,
    invitation_token,
    parcours,
    queue_requested_invitations,
    register_member,
    registration_token,
    request_guest_registration,
    request_invitation,
    waiting_position,
)
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.models import Status
from network.membership.search import PersonFilter, filtered_people
from network.scheduler.tick import run_tick
from tests.events.helpers import NOW, STARTS, make_event
from tests.factories import make_member
from tests.support.smtp import text_of


def members(count: int, first: int = 0):
    return [make_member(NOW - timedelta(days=400), email=f"m{n}@exemple.fr",
                        first_name=f"Membre{n}") for n in range(first, first + count)]


def subjects(smtp, address) -> list[str]:
    return [m["Subject"] for m in smtp.to(address) if "Bienvenue" not in m["Subject"]
            and "adhésion" not in m["Subject"]]


def test_places_then_the_waiting_list_in_order_then_promotion(app, smtp):
    event = make_event(capacity=2)
    anne, basile, chloe, denis = members(4)
    for person in (anne, basile, chloe, denis):
        register_member(event, person, NOW)
        db.session.commit()
    statuses = {r.person_id: r.status for r in db.session.scalars(select(Registration))}
    assert [statuses[p.id] for p in (anne, basile, chloe, denis)] == [
        "registered", "registered", "waiting", "waiting"]
    chloe_r, denis_r = (db.session.scalar(select(Registration).where(
        Registration.person_id == p.id)) for p in (chloe, denis))
    assert (waiting_position(chloe_r), waiting_position(denis_r)) == (1, 2)

    anne_r = db.session.scalar(select(Registration).where(Registration.person_id == anne.id))
    assert cancel_registration(anne_r, NOW + timedelta(hours=1))
    db.session.commit()
    assert not cancel_registration(anne_r, NOW + timedelta(hours=2)), "twice is harmless"
    db.session.commit()
    assert chloe_r.status == "registered" and chloe_r.promoted_at is not None
    assert waiting_position(denis_r) == 1

    run_tick(NOW + timedelta(hours=2))
    assert subjects(smtp, chloe.email) == [
        "Liste d'attente : Atelier « Télétravail et QVT »",
        "Une place s'est libérée : Atelier « Télétravail et QVT »"]
    assert subjects(smtp, anne.email) == [
        "Inscription confirmée : Atelier « Télétravail et QVT »",
        "Désinscription enregistrée : Atelier « Télétravail et QVT »"]
    [waiting] = [m for m in smtp.to(denis.email) if "attente" in m["Subject"]]
    assert "en position 2" in text_of(waiting)
    # The online link goes to the registered only, in their e-mails.
    [promotion] = [m for m in smtp.to(chloe.email) if "place" in m["Subject"]]
    assert "https://visio.exemple.fr/atelier-qvt" in text_of(promotion)
    assert "https://visio.exemple.fr/atelier-qvt" not in text_of(waiting)


def test_registering_twice_changes_nothing_and_again_after_cancelling_takes_a_new_turn(app):
    event = make_event(capacity=1)
    anne, basile = members(2)
    first = register_member(event, anne, NOW)
    assert register_member(event, anne, NOW) is first
    register_member(event, basile, NOW)
    cancel_registration(first, NOW)
    db.session.commit()
    again = register_member(event, anne, NOW + timedelta(minutes=5))
    db.session.commit()
    assert again.id == first.id, "one row per person and event"
    assert again.status == RegistrationStatus.WAITING, "basile was promoted meanwhile"
    assert db.session.scalar(select(Registration.status).where(
        Registration.person_id == basile.id)) == RegistrationStatus.REGISTERED


def test_registration_opens_and_closes_on_time(app):
    [anne] = members(1)
    event = make_event(registration_opens_at=NOW + timedelta(days=1),
                       registration_closes_at=STARTS - timedelta(days=1))
    with pytest.raises(RegistrationRefused, match="pas encore ouvertes"):
        register_member(event, anne, NOW)
    with pytest.raises(RegistrationRefused, match="closes"):
        register_member(event, anne, STARTS - timedelta(hours=2))
    assert register_member(event, anne, NOW + timedelta(days=2)).status == "registered"
    late = make_event()
    with pytest.raises(RegistrationRefused, match="closes"):
        register_member(late, anne, STARTS)
    draft = make_event(publish=False)
    with pytest.raises(RegistrationRefused):
        register_member(draft, anne, NOW)


def test_the_day_before_reminder_goes_once_to_the_registered_only(app, smtp):
    event = make_event(capacity=1)
    anne, basile = members(2)
    register_member(event, anne, NOW)
    register_member(event, basile, NOW)
    db.session.commit()
    run_tick(STARTS - timedelta(hours=25))
    assert not [m for m in smtp.messages if m["Subject"].startswith("Rappel")]
    run_tick(STARTS - timedelta(hours=24))
    run_tick(STARTS - timedelta(hours=23))
    run_tick(STARTS - timedelta(minutes=5))
    reminders = Counter(m["To"] for m in smtp.messages if m["Subject"].startswith("Rappel"))
    assert reminders == Counter({anne.email: 1})


def test_cancelling_the_event_tells_everyone_registered_or_waiting(app, smtp):
    event = make_event(capacity=1)
    anne, basile, chloe = members(3)
    for person in (anne, basile):
        register_member(event, person, NOW)
    db.session.commit()
    assert cancel_event(event, NOW) == 2
    assert cancel_event(event, NOW) == 0
    db.session.commit()
    run_tick(NOW)
    cancelled = Counter(m["To"] for m in smtp.messages if m["Subject"].startswith("Annulé"))
    assert cancelled == Counter({anne.email: 1, basile.email: 1})
    with pytest.raises(RegistrationRefused):
        register_member(event, chloe, NOW)


def test_a_non_member_registers_to_a_public_event_after_confirming_their_address(
        app, client, smtp):
    event = make_event(capacity=5, audience=Audience.PUBLIC)
    page = client.post(f"/evenements/{event.id}/inscription-externe",
                       data={"name": "Zoé Invitée", "email": "zoe@exemple.fr",
                             "organisation": "Cabinet Z"})
    assert "Vérifiez votre boîte e-mail" in page.text
    run_tick(NOW)
    [mail] = smtp.to("zoe@exemple.fr")
    link = re.search(r"http://reseau\.test(/evenements/inscription/\S+/confirmer)",
                     text_of(mail)).group(1)
    assert "Confirmer mon inscription" in client.get(link).text
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.UNCONFIRMED, "a GET spends nothing"
    client.post(link)
    db.session.expire_all()
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.guest_name == "Zoé Invitée"
    assert client.post(link).status_code == 302, "confirming twice is harmless"
    run_tick(NOW)
    assert [m["Subject"] for m in smtp.to("zoe@exemple.fr")][1:] == [
        "Inscription confirmée : Atelier « Télétravail et QVT »"]


def test_the_guest_form_refuses_bad_input_with_french_messages(app, client):
    event = make_event(audience=Audience.PUBLIC)
    response = client.post(f"/evenements/{event.id}/inscription-externe",
                           data={"name": "", "email": "zoe@", "organisation": "Z"})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.text
    assert "Saisissez une adresse e-mail valide" in response.text
    assert 'value="Z"' in response.text, "nothing typed is lost"
    members_only = make_event()
    refused = client.post(f"/evenements/{members_only.id}/inscription-externe",
                          data={"name": "Zoé", "email": "zoe@exemple.fr"},
                          follow_redirects=True)
    assert "réservé aux membres" in refused.text
    assert db.session.scalar(select(Registration.id)) is None


def test_guest_with_a_member_address_becomes_that_members_registration(app):
    event = make_event(audience=Audience.PUBLIC)
    [anne] = members(1)
    registration = request_guest_registration(event, "Anne", "M0@exemple.fr ", "", NOW)
    assert registration.person_id == anne.id and registration.guest_email is None
    assert confirm_guest_registration(registration, NOW)
    assert not confirm_guest_registration(registration, NOW)


def test_forged_links_get_a_clear_page(app, client):
    event = make_event()
    [anne] = members(1)
    good = registration_token(register_member(event, anne, NOW))
    db.session.commit()
    for url in ("/evenements/inscription/abc/annuler", f"/evenements/inscription/{good}x",
                f"/evenements/invitation/{good}", "/evenements/invitation/xyz",
                f"/evenements/inscription/{invitation_token(event, anne)}/confirmer"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Ce lien n'est pas valable" in response.text
    assert client.get("/evenements/999999").status_code == 404
    draft = make_event(publish=False)
    assert client.get(f"/evenements/{draft.id}").status_code == 404


def test_an_invitation_link_registers_on_a_button_not_on_opening(app, client):
    event = make_event()
    [anne] = members(1)
    url = f"/evenements/invitation/{invitation_token(event, anne)}"
    page = client.get(url)
    assert "Confirmez votre inscription en un clic" in page.text
    assert db.session.scalar(select(Registration.id)) is None
    client.post(url)
    assert db.session.scalar(select(Registration.status)) == RegistrationStatus.REGISTERED
    assert "déjà inscrit" in client.get(url).text


def test_attendance_makes_the_parcours_and_the_welcome_module_filter(app):
    welcome = make_event(kind=EventKind.WELCOME_MODULE, title="Intégrer le réseau")
    workshop = make_event()
    anne, basile = members(2)
    for event in (welcome, workshop):
        for person in (anne, basile):
            register_member(event, person, NOW)
    db.session.commit()
    registrations = {(r.event_id, r.person_id): r.id for r in db.session.scalars(
        select(Registration))}
    during = STARTS + timedelta(hours=1)
    mark_attendance(welcome, {registrations[(welcome.id, anne.id)]}, during)
    mark_attendance(workshop, {registrations[(workshop.id, anne.id)],
                               registrations[(workshop.id, basile.id)]}, during)
    db.session.commit()
    assert parcours(anne, during).welcome_done and not parcours(basile, during).welcome_done
    assert parcours(basile, during).by_kind == {EventKind.WORKSHOP: 1}
    app.config["FROZEN_NOW"] = during
    not_welcomed = db.session.scalars(filtered_people(PersonFilter(
        statuses=[Status.MEMBER], without_welcome_module=True))).all()
    assert [p.id for p in not_welcomed] == [basile.id]


def test_the_outbox_shows_the_calendar_attached_to_a_confirmation(app, admin_client):
    event = make_event()
    [anne] = members(1)
    register_member(event, anne, NOW)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.subject.startswith("Inscription confirmée")))
    assert message.attachment_name == f"evenement-{event.id}.ics"
    page = admin_client.get(f"/admin/courriels/{message.id}").text
    assert f"Pièce jointe : evenement-{event.id}.ics" in page
    assert "BEGIN:VCALENDAR" in page


def test_two_guests_and_a_guest_registering_twice(app, smtp):
    event = make_event(capacity=5, audience=Audience.PUBLIC)
    zoe = request_guest_registration(event, "Zoé", "zoe@exemple.fr", "", NOW)
    yann = request_guest_registration(event, "Yann", "yann@exemple.fr", "", NOW)
    assert zoe.id != yann.id
    confirm_guest_registration(zoe, NOW)
    again = request_guest_registration(event, "Zoé", "ZOE@exemple.fr", "", NOW)
    db.session.commit()
    assert again.id == zoe.id and again.status == RegistrationStatus.REGISTERED
    run_tick(NOW)
    assert [m["Subject"] for m in smtp.to("zoe@exemple.fr")][-1] == (
        "Votre inscription : Atelier « Télétravail et QVT »")


def test_an_invitation_e_mail_links_to_the_event_page(app):
    event = make_event()
    make_member(first_name="Anne", email="anne@exemple.fr")
    request_invitation(event, InvitationSegment([], []), "gt-qvt@exemple.fr", NOW)
    queue_requested_invitations(NOW)
    sent = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.template == "event_invitation"))
    page = f"http://reseau.test/evenements/{event.id}"
    assert f"Détails\u00a0: {page}" in sent.body_text
    assert f'href="{page}"' in sent.body_html
