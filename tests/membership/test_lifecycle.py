"""Stale applications expire; members leave from the link in every e-mail."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.models import ExitReason, Person, Status, StatusChange
from network.membership.services import count_expired_applications, leave_token
from network.scheduler.tick import run_tick
from tests.factories import NOW, make_applicant, make_member
from tests.support.smtp import text_of


def test_an_unconfirmed_application_is_purged_after_30_days_leaving_a_count(app):
    make_applicant(NOW)
    make_applicant(NOW + timedelta(days=2), email="paul@exemple.fr")
    assert run_tick(NOW + timedelta(days=30)).expired_applications == 0
    assert run_tick(NOW + timedelta(days=30, seconds=1)).expired_applications == 1
    assert list(db.session.scalars(select(Person.email))) == ["paul@exemple.fr"]
    assert count_expired_applications() == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == "anne.martin@exemple.fr")) == 0, "no personal data is left"
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 1


def test_a_former_member_whose_new_application_expires_goes_back_to_exited(app, client):
    person = make_member(NOW - timedelta(days=400))
    client.post(f"/quitter/{leave_token(person)}")
    make_applicant(NOW)  # applies again and never accepts the charter
    run_tick(NOW + timedelta(days=31))
    db.session.refresh(person)
    assert person.status == Status.EXITED
    assert person.email == "anne.martin@exemple.fr", "their history is kept"
    assert count_expired_applications() == 0


def test_a_member_leaves_from_the_link_of_an_email(app, client, smtp):
    person = make_member(NOW)
    run_tick(NOW)
    [confirmation] = [m for m in smtp.to("anne.martin@exemple.fr") if "Bienvenue" in m["Subject"]]
    link = re.search(r"http://reseau\.test(/quitter/\S+)", text_of(confirmation)).group(1)

    page = client.get(link)
    assert "Je confirme : je quitte le réseau" in page.text
    assert db.session.get(Person, person.id).status == Status.MEMBER, "a GET changes nothing"
    done = client.post(link)
    assert "Vous avez quitté le réseau" in done.text
    db.session.refresh(person)
    assert (person.status, person.exit_reason) == (Status.EXITED, ExitReason.VOLUNTARY)

    again = client.post(link)
    assert "Vous ne faites plus partie du réseau" in again.text
    run_tick(NOW + timedelta(minutes=1))
    assert len([m for m in smtp.to("anne.martin@exemple.fr") if "quitté" in m["Subject"]]) == 1
    [notice] = [m for m in smtp.to("gt-qvt@exemple.fr") if "Sortie" in m["Subject"]]
    assert "Anne Martin" in text_of(notice)


def test_a_forged_leave_link_changes_nothing(app, client):
    person = make_member()
    response = client.post(f"/quitter/{leave_token(person)}x")
    assert response.status_code == 404
    assert db.session.get(Person, person.id).status == Status.MEMBER


def test_tick_command_runs_one_tick_at_the_given_time(app, smtp):
    make_applicant(NOW)
    result = app.test_cli_runner().invoke(args=["tick", "--now", "2026-12-24T09:00"])
    assert result.exit_code == 0, result.output
    assert "Candidatures expirées : 1" in result.output
    assert "E-mails envoyés : 0" in result.output, "the purged applicant's e-mail is gone"
