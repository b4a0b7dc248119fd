"""Guests of public events: their name, address and organisation are kept a set time after
the event, then erased with the e-mails sent to them; the event's figures stay."""

from datetime import timedelta

from sqlalchemy import select

from network.events.attendance import mark_attendance
from network.events.models import Audience, Registration, RegistrationStatus
from network.events.services import (
    confirm_guest_registration,
    event_figures,
    request_guest_registration,
)
from network.extensions import db
from network.mail.models import OutboxMessage
from network.scheduler.tick import run_tick
from tests.events.helpers import NOW, STARTS, make_event


def guest(event, name: str, email: str) -> Registration:
    registration = request_guest_registration(event, name, email, "Cabinet Z", NOW)
    confirm_guest_registration(registration, NOW)
    db.session.commit()
    return registration


def mail_to(address: str) -> list[str]:
    return db.session.scalars(select(OutboxMessage.template).where(
        OutboxMessage.recipient == address)).all()


def test_guests_are_erased_a_set_time_after_their_event(app, admin_client):
    days = app.config["GUEST_RETENTION_DAYS"]
    event = make_event(audience=Audience.PUBLIC)
    later = make_event(audience=Audience.PUBLIC, starts=STARTS + timedelta(days=days + 30))
    zoe = guest(event, "Zoé Invitée", "zoe@exemple.fr")
    yann = guest(event, "Yann Invité", "yann@exemple.fr")
    guest(later, "Yann Invité", "yann@exemple.fr")
    mark_attendance(event, {zoe.id}, STARTS + timedelta(hours=1))
    db.session.commit()
    assert mail_to("zoe@exemple.fr") and mail_to("yann@exemple.fr")

    run_tick(event.ends_at + timedelta(days=days - 1))
    assert db.session.get(Registration, zoe.id).guest_email == "zoe@exemple.fr"

    run_tick(event.ends_at + timedelta(days=days, minutes=1))
    db.session.expire_all()
    for registration in (zoe, yann):
        assert (registration.guest_name, registration.guest_email,
                registration.guest_organisation) == (None, None, None)
    assert zoe.status == RegistrationStatus.REGISTERED and zoe.attended is True
    figures = event_figures([event.id], event.ends_at + timedelta(days=days))[event.id]
    assert (figures.registered, figures.attended) == (2, 1), "the figures stay"
    assert mail_to("zoe@exemple.fr") == []
    assert mail_to("yann@exemple.fr"), "Yann is still registered to a later event"
    page = admin_client.get(f"/admin/evenements/{event.id}").text
    assert "Zoé" not in page and "zoe@" not in page and "None" not in page
