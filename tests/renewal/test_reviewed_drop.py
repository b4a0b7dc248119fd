"""The yearly drop spares whoever the form never reached, and the GT QVT reviews before it."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.mail.bounces import return_path
from network.mail.models import OutboxMessage, OutboxStatus
from network.membership.models import ExitReason, Person, Status
from network.renewal.models import RenewalRequest, RequestStatus
from network.scheduler.tick import run_tick
from network.templating import PARIS
from tests.conftest import ADMIN_EMAIL
from tests.factories import make_member
from tests.mail.test_bounces import BOUNCE_ADDRESS, sample
from tests.renewal.test_pages import open_campaign_now
from tests.renewal.test_year import DEADLINE, OPENS, link_for
from tests.support.smtp import text_of

JOINED = datetime(2024, 3, 1, tzinfo=PARIS)
REVIEW = DEADLINE - timedelta(days=7)


def member(name: str, **details) -> Person:
    return make_member(JOINED, email=f"{name}@exemple.fr", first_name=name.capitalize(),
                       last_name=name.capitalize(), **details)


def request_of(person: Person) -> RenewalRequest:
    return db.session.scalar(select(RenewalRequest).where(RenewalRequest.person_id == person.id))


def admin_mail(smtp, subject_part: str) -> str:
    [message] = [m for m in smtp.to(ADMIN_EMAIL) if subject_part in m["Subject"]]
    return text_of(message)


def test_who_the_form_did_not_reach_waits_for_the_gt_qvt(app, smtp, admin_client):
    basile = member("basile", phone="05 61 11 11 11")   # receives the form, never answers
    chloe = member("chloe", phone="05 61 22 22 22", organisation="Mairie de Rodez")
    denis = member("denis")                              # his server answers « later »
    smtp.handler.refused_recipients["chloe@exemple.fr"] = "550 5.1.1 No such user"
    smtp.handler.refused_recipients["denis@exemple.fr"] = "451 4.2.1 Mailbox busy, try later"
    run_tick(OPENS)
    db.session.expire_all()
    assert chloe.email_bounced_at is not None, "a 5xx at sending flags the address"
    assert denis.email_bounced_at is None, "a 4xx does not"

    # A week before the deadline the admins get the list, the unreached first, to call them.
    run_tick(REVIEW)
    review = admin_mail(smtp, "sans réponse à vérifier")
    assert review.index("Chloe") < review.index("Basile")
    assert review.index("Denis") < review.index("Basile")
    assert "05 61 22 22 22" in review and "Mairie de Rodez" in review
    assert "E-MAIL NON REMIS : 550 5.1.1 No such user" in review
    run_tick(REVIEW + timedelta(hours=1))
    assert len([m for m in smtp.to(ADMIN_EMAIL) if "à vérifier" in m["Subject"]]) == 1
    page = admin_client.get("/admin/renouvellement?statut=a-verifier").text
    assert page.index("Chloe") < page.index("Basile") and "Adresse en échec" in page

    run_tick(DEADLINE)
    db.session.expire_all()
    assert (basile.status, basile.exit_reason) == (Status.EXITED, ExitReason.NO_RENEWAL_ANSWER)
    assert [request_of(p).status for p in (chloe, denis)] == [RequestStatus.UNREACHED] * 2
    assert chloe.status == denis.status == Status.MEMBER
    summary = admin_mail(smtp, "clos")
    assert "Sorties faute de réponse (formulaire reçu) : 1" in summary
    assert "e-mail non remis (à décider par le GT QVT) : 2" in summary
    unreached = admin_client.get("/admin/renouvellement").text
    assert "Chloe" in unreached and "Denis" in unreached and "Basile" not in unreached

    # Chloe is marked renewed after a call; Denis gets the form again at a corrected address.
    admin_client.post(f"/admin/renouvellement/demandes/{request_of(chloe).id}/renouveler")
    response = admin_client.post(
        f"/admin/renouvellement/demandes/{request_of(denis).id}/renvoyer",
        data={"email": "denis@nouvelle.fr", "deadline": "2026-12-31"})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert request_of(chloe).status == RequestStatus.RENEWED
    assert (denis.email, request_of(denis).status) == ("denis@nouvelle.fr", RequestStatus.PENDING)
    run_tick(DEADLINE + timedelta(days=1))
    assert link_for(smtp, "denis@nouvelle.fr")
    # Without an answer by his own deadline, and the form having reached him, he leaves.
    run_tick(datetime(2026, 12, 31, 12, 0, tzinfo=PARIS))
    db.session.expire_all()
    assert denis.status == Status.MEMBER
    run_tick(datetime(2027, 1, 1, 0, 0, tzinfo=PARIS))
    db.session.expire_all()
    assert (denis.status, request_of(denis).status) == (Status.EXITED, RequestStatus.DROPPED)


def test_admin_decisions_on_a_request_are_checked(app, smtp, admin_client):
    anne, paul = member("anne"), member("paul")
    smtp.handler.refused_recipients["anne@exemple.fr"] = "550 5.1.1 No such user"
    run_tick(OPENS)
    run_tick(DEADLINE)
    request = request_of(anne)
    assert request.status == RequestStatus.UNREACHED
    url = f"/admin/renouvellement/demandes/{request.id}"
    for data in ({"email": "paul@exemple.fr", "deadline": "2026-12-31"},
                 {"email": "pas-une-adresse", "deadline": "2026-12-31"},
                 {"email": "anne@exemple.fr", "deadline": "2020-01-01"}):
        assert admin_client.post(f"{url}/renvoyer", data=data).status_code == 400, data
    assert admin_client.post(f"{url}/sortir").status_code == 302
    db.session.expire_all()
    assert (anne.status, request.status) == (Status.EXITED, RequestStatus.DROPPED)
    # Once settled, nothing more applies to it.
    admin_client.post(f"{url}/renouveler")
    db.session.expire_all()
    assert anne.status == Status.EXITED
    assert admin_client.get(f"{url}/renvoyer").status_code == 302
    assert admin_client.post("/admin/renouvellement/demandes/99999/sortir").status_code == 404
    assert request_of(paul).status == RequestStatus.DROPPED, "the form reached Paul"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_campaign_with_a_refused_and_a_bounced_address_drops_neither(make_app, smtp,
                                                                       imap_server, admin):
    """End to end on PostgreSQL: the relay refuses one address, a DSN for another arrives
    later over IMAP; neither is dropped, and the admins' review names both."""
    imap_server.empty()
    app = make_app(MAIL_BOUNCE_ADDRESS=BOUNCE_ADDRESS, BOUNCE_IMAP_HOST=imap_server.host,
                   BOUNCE_IMAP_PORT=imap_server.port, BOUNCE_IMAP_SSL=False,
                   BOUNCE_IMAP_USER=imap_server.user, BOUNCE_IMAP_PASSWORD=imap_server.password)
    with app.app_context():
        refused, bounced, silent = member("refuse"), member("rebond"), member("silence")
        smtp.handler.refused_recipients["refuse@exemple.fr"] = (
            "550 5.1.1 <refuse@exemple.fr>: Recipient address rejected")
        run_tick(OPENS)
        [form] = [m for m in smtp.to("rebond@exemple.fr") if "Renouvellement" in m["Subject"]]
        row = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.person_id == bounced.id, OutboxMessage.template == "renewal_form"))
        assert smtp.envelope_sender(form) == return_path(row.id)
        imap_server.deliver(sample("postfix", row))

        run_tick(REVIEW)
        review = admin_mail(smtp, "à vérifier")
        assert review.index("Refuse") < review.index("Silence")
        assert review.index("Rebond") < review.index("Silence")
        run_tick(DEADLINE)
        db.session.expire_all()
        assert (refused.status, bounced.status, silent.status) == (
            Status.MEMBER, Status.MEMBER, Status.EXITED)
        assert [request_of(p).status for p in (refused, bounced)] == [
            RequestStatus.UNREACHED] * 2
        assert [m["Subject"] for m in smtp.to("silence@exemple.fr")][-1] == (
            "Votre participation au réseau a pris fin")


def test_the_campaign_page_says_when_the_last_form_leaves_under_the_relays_quota(
        app, admin_client):
    app.config.update(MAIL_RATE_PER_MINUTE=30, MAIL_RATE_PER_DAY=10_000)
    for n in range(70):
        member(f"membre{n:02d}")
    # Their welcome e-mails left long ago.
    db.session.execute(OutboxMessage.__table__.update().values(status=OutboxStatus.SENT))
    db.session.commit()
    open_campaign_now(app)  # the forms are queued, none has left yet
    page = admin_client.get("/admin/renouvellement").text
    assert "70 formulaires ou rappels en attente d'envoi" in page
    # 70 waiting at 30 a minute: three minutes after the instant the pages see (09:00).
    assert ("(30 par minute, 10 000 par jour), le dernier partira vers le 23 novembre 2026 "
            "à 9 h 03") in page
