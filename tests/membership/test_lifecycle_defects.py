"""The lifecycle defects found by trying the product as its users would (issue 13)."""

import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.members_space.services import update_own_details
from network.membership import services
from network.membership.models import ExitReason, Person, Status, StatusChange
from network.renewal.campaign import run_renewal
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.renewal.services import renewal_token
from network.templating import PARIS
from tests.factories import details, join_form, make_member, member_session
from tests.renewal.test_pages import JOINED, open_campaign_now


def checked_answer(html: str) -> str | None:
    """The value of the renewal answer that the page shows selected, if any."""
    checked = re.findall(r'<input checked [^>]*name="decision"[^>]*value="(\w+)"', html)
    assert len(checked) <= 1
    return checked[0] if checked else None


REJOIN = "Vous pouvez demander à rejoindre à nouveau le réseau"


def sign_in(client, person) -> None:
    with client.session_transaction() as session:
        member_session(session, person)


def renewal_link(person) -> str:
    campaign = db.session.scalar(select(RenewalCampaign))
    return f"/renouvellement/{renewal_token(campaign, person)}"


def request_of(person) -> RenewalRequest:
    return db.session.scalar(select(RenewalRequest).where(RenewalRequest.person_id == person.id))


def emails_to(person, template: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.person_id == person.id, OutboxMessage.template == template))


def test_leaving_from_the_member_space_closes_the_renewal_and_its_link(app, client):
    anne = make_member(JOINED)
    opened = open_campaign_now(app)
    sign_in(client, anne)
    assert client.post("/espace/quitter").status_code == 200
    db.session.expire_all()
    assert request_of(anne).status == RequestStatus.CLOSED

    campaign = db.session.scalar(select(RenewalCampaign))
    run_renewal(campaign.deadline - timedelta(days=3))
    run_renewal(campaign.deadline)
    assert emails_to(anne, "renewal_reminder") == 0
    assert emails_to(anne, "renewal_dropped") == 0

    page = client.get(renewal_link(anne))
    assert "Vous avez quitté le réseau le" in page.text
    assert 'name="decision"' not in page.text
    assert REJOIN in page.text, "who left of their own will may apply again"
    client.post(renewal_link(anne), data=join_form(email=anne.email, decision="reste"))
    db.session.expire_all()
    assert anne.status == Status.EXITED
    assert opened < campaign.deadline


def test_a_member_removed_by_an_admin_cannot_renew_themselves(app, client, admin_client):
    anne = make_member(JOINED)
    open_campaign_now(app)
    admin_client.post(f"/admin/membres/{anne.id}/sortie",
                      data={"reason": ExitReason.REMOVED_BY_ADMIN, "comment": "Charte",
                            "confirm": "y"})
    db.session.expire_all()
    assert anne.status == Status.EXITED
    assert request_of(anne).status == RequestStatus.CLOSED

    link = renewal_link(anne)
    response = client.post(link, data=join_form(email=anne.email, decision="reste"))
    db.session.expire_all()
    assert anne.status == Status.EXITED
    assert response.status_code == 410
    assert "Vous avez quitté le réseau le" in response.text
    assert REJOIN not in client.get(link).text
    assert "seul un administrateur" in response.text or "initiative du GT QVT" in response.text
    assert db.session.scalar(select(func.count()).select_from(StatusChange).where(
        StatusChange.person_id == anne.id, StatusChange.to_status == Status.MEMBER)) == 1


def test_the_form_preselects_nothing_and_then_shows_the_saved_answer(app, client):
    anne = make_member(JOINED, phone="05 61 00 00 00")
    open_campaign_now(app)
    link = renewal_link(anne)
    first = client.get(link).text
    assert 'name="decision"' in first
    assert checked_answer(first) is None
    response = client.post(link, data=join_form(email="anne@", organisation=""))
    assert response.status_code == 400 and "Choisissez votre réponse" in response.text
    assert "Ce champ est obligatoire" in response.text, "every error shows at once"

    client.post(link, data={"decision": "quitte"})
    reopened = client.get(link).text
    assert "vous quittez le réseau" in reopened
    assert checked_answer(reopened) == "quitte"
    # Fixing a phone number while keeping the answer keeps the answer.
    client.post(link, data=join_form(email=anne.email, phone="06 00 00 00 00",
                                     decision="quitte"))
    db.session.expire_all()
    assert request_of(anne).status == RequestStatus.LEFT
    assert anne.status == Status.EXITED


def test_signing_up_with_a_former_members_address_changes_nothing_until_proven(app, client,
                                                                               smtp):
    anne = make_member(JOINED, phone="05 61 00 00 00", job_title="Consultante")
    services.leave_network(anne, JOINED + timedelta(days=100))
    db.session.commit()
    before = (anne.first_name, anne.organisation, anne.phone, anne.job_title, anne.status)

    client.post("/rejoindre", data=join_form(first_name="Intrus", organisation="Ailleurs",
                                             phone="01 02 03 04 05", job_title="Pirate",
                                             directory_opt_in="y"))
    db.session.expire_all()
    assert (anne.first_name, anne.organisation, anne.phone, anne.job_title,
            anne.status) == before
    assert anne.directory_opt_in is False

    # The address owner accepts the charter: the details of the application apply then.
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.template == "charter_link", OutboxMessage.person_id == anne.id,
        OutboxMessage.created_at > JOINED + timedelta(days=100)))
    link = message.body_text.split("http://reseau.test", 1)[1].split()[0]
    assert "Ailleurs" in client.get(link).text, "the charter page shows what will be saved"
    client.post(link, data={"accept": "y"})
    db.session.expire_all()
    assert (anne.status, anne.first_name, anne.organisation) == (Status.MEMBER, "Intrus",
                                                                 "Ailleurs")
    assert anne.pending_application is None


def test_an_applicant_signing_up_again_keeps_a_single_application(app, client):
    client.post("/rejoindre", data=join_form())
    client.post("/rejoindre", data=join_form(organisation="Autre structure"))
    people = db.session.scalars(select(Person)).all()
    assert len(people) == 1
    assert people[0].organisation == "Cabinet Travail & Santé"


def test_simultaneous_sign_ups_of_one_new_address_make_one_application(make_app):
    app = make_app()
    statuses = []
    for round_number in range(4):
        barrier = threading.Barrier(2)

        def submit(round_number=round_number, barrier=barrier):
            client = app.test_client()
            barrier.wait()
            response = client.post("/rejoindre", data=join_form(
                email=f"double{round_number}@exemple.fr"))
            statuses.append(response.status_code)

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [302] * 8
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 4


def test_opening_the_address_confirmation_link_changes_nothing(app, client):
    anne = make_member(JOINED)
    update_own_details(anne, details(email="anne@nouvelle-adresse.fr"), utcnow())
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.template == "confirm_email_change"))
    link = message.body_text.split("http://reseau.test", 1)[1].split()[0]

    page = client.get(link)
    db.session.expire_all()
    assert page.status_code == 200 and "<form" in page.text
    assert anne.email == "anne.martin@exemple.fr"

    client.post(link)
    db.session.expire_all()
    assert anne.email == "anne@nouvelle-adresse.fr"


def test_opening_the_renewal_link_is_not_counted_as_a_persons_action(app, client):
    anne = make_member(JOINED)
    open_campaign_now(app)
    client.get(renewal_link(anne))
    db.session.expire_all()
    assert request_of(anne).first_opened_at is None


def test_the_member_space_shows_the_renewal_during_the_campaign(app, client):
    anne = make_member(JOINED)
    open_campaign_now(app)
    campaign = db.session.scalar(select(RenewalCampaign))
    deadline = campaign.deadline.astimezone(PARIS)
    sign_in(client, anne)
    space = client.get("/espace").text
    assert f"Renouvellement {campaign.year}" in space
    assert f"répondez avant le {deadline.day}" in space
    assert 'href="/espace/renouvellement"' in space

    form = client.get("/espace/renouvellement")
    assert form.status_code == 200 and 'name="decision"' in form.text
    client.post("/espace/renouvellement", data=join_form(email=anne.email, decision="reste"))
    db.session.expire_all()
    assert request_of(anne).status == RequestStatus.RENEWED
    space = client.get("/espace").text
    assert "vous restez dans le réseau" in space
    assert "modifier votre réponse jusqu'au" in space


def test_simultaneous_guest_requests_of_one_address_make_one_registration(make_app):
    """The same race on the events' guest form (a sibling of the sign-up's)."""
    from network.events.models import Audience, Registration
    from tests.events.helpers import make_event

    app = make_app()
    with app.app_context():
        event_ids = [make_event(audience=Audience.PUBLIC).id for _ in range(3)]
    statuses = []
    for event_id in event_ids:
        barrier = threading.Barrier(2)

        def submit(event_id=event_id, barrier=barrier):
            client = app.test_client()
            barrier.wait()
            response = client.post(f"/evenements/{event_id}/inscription-externe", data={
                "name": "Zoé Invitée", "email": "zoe@exemple.fr", "privacy_consent": "y"})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert 500 not in statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 3


def test_leaving_through_the_renewal_of_the_member_space_shows_how_to_take_it_back(app, client):
    anne = make_member(JOINED)
    open_campaign_now(app)
    sign_in(client, anne)
    response = client.post("/espace/renouvellement", data={"decision": "quitte"})
    assert response.headers["Location"].startswith("/renouvellement/")
    page = client.get(response.headers["Location"]).text
    assert "vous quittez le réseau" in page and "Vous pouvez changer d'avis jusqu'au" in page
