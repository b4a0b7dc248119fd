"""The renewal pages against bad input, and the admins' campaign page."""

from datetime import datetime, timedelta

from sqlalchemy import select

from network.extensions import db, utcnow
from network.membership.models import Person, Status
from network.membership.services import charter_token
from network.renewal.campaign import run_renewal
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.renewal.services import renewal_token
from network.templating import PARIS
from tests.factories import join_form, make_member
from tests.support.queries import count_queries

JOINED = datetime(2024, 3, 1, tzinfo=PARIS)


def open_campaign_now(app) -> datetime:
    """A campaign opened two days ago, so that pages checking the real time see it running."""
    opened = utcnow().astimezone(PARIS) - timedelta(days=2)
    app.config.update(RENEWAL_OPENS=f"{opened:%m-%d}", RENEWAL_OPENS_AT="00:00")
    run_renewal(opened)
    return opened


def members(count: int, first: int = 0) -> list[Person]:
    return [make_member(JOINED, email=f"m{n}@exemple.fr", last_name=f"Membre{n:03d}")
            for n in range(first, first + count)]


def test_forged_or_foreign_links_get_a_clear_page_and_change_nothing(app, client):
    [anne] = members(1)
    opened = open_campaign_now(app)
    campaign = db.session.scalar(select(RenewalCampaign))
    good = renewal_token(campaign, anne)
    other_year = renewal_token(RenewalCampaign(year=opened.year - 1), anne)
    for token in ("nimportequoi", good[:-3] + "xyz", charter_token(anne, utcnow()), other_year):
        response = client.get(f"/renouvellement/{token}")
        assert response.status_code == 404, token
        assert "Ce lien n'est pas valable" in response.text
        assert client.post(f"/renouvellement/{token}",
                           data=join_form(email=anne.email, decision="quitte")).status_code == 404
    db.session.expire_all()
    assert anne.status == Status.MEMBER
    assert db.session.scalar(select(RenewalRequest.status)) == RequestStatus.PENDING


def test_a_form_posted_without_its_csrf_token_is_refused_and_saves_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        [anne] = members(1)
        campaign_year = open_campaign_now(app).year
        token = renewal_token(db.session.scalar(select(RenewalCampaign)), anne)
        response = app.test_client().post(f"/renouvellement/{token}",
                                          data=join_form(email=anne.email, decision="quitte"))
        assert response.status_code == 400
        assert "Formulaire expiré" in response.text
        db.session.expire_all()
        assert anne.status == Status.MEMBER
        assert db.session.scalar(select(RenewalCampaign.year)) == campaign_year


def test_an_unknown_choice_is_refused_with_a_french_message(app, client):
    [anne] = members(1)
    open_campaign_now(app)
    token = renewal_token(db.session.scalar(select(RenewalCampaign)), anne)
    response = client.post(f"/renouvellement/{token}",
                           data=join_form(email=anne.email, decision="peut-etre"))
    assert response.status_code == 400
    assert "Choisissez votre réponse." in response.text
    assert db.session.scalar(select(RenewalRequest.status)) == RequestStatus.PENDING


def test_the_campaign_page_counts_and_lists_who_has_not_answered(app, admin_client, client):
    anne, basile, chloe = members(3)
    open_campaign_now(app)
    campaign = db.session.scalar(select(RenewalCampaign))
    client.post(f"/renouvellement/{renewal_token(campaign, anne)}",
                data=join_form(email=anne.email, last_name=anne.last_name, decision="reste"))
    client.get(f"/renouvellement/{renewal_token(campaign, basile)}")  # opened, not answered

    page = admin_client.get("/admin/renouvellement").text
    assert '<progress max="100" value="' in page
    assert "Membre001" in page and "Membre002" in page  # pending
    assert "Membre000" not in page  # answered
    renewed = admin_client.get("/admin/renouvellement?statut=renewed").text
    assert "Membre000" in renewed and "Membre001" not in renewed


def test_the_campaign_page_runs_the_same_queries_for_3_or_60_members(app, admin_client):
    members(3)
    open_campaign_now(app)
    few = count_queries(admin_client, "/admin/renouvellement")
    db.session.execute(RenewalRequest.__table__.delete())
    db.session.execute(RenewalCampaign.__table__.delete())
    db.session.commit()
    members(57, first=3)
    open_campaign_now(app)
    assert count_queries(admin_client, "/admin/renouvellement") == few
    assert count_queries(admin_client, "/admin/renouvellement?page=2") == few


def test_admin_actions_on_an_answered_or_unknown_request(app, admin_client, client):
    [anne] = members(1)
    open_campaign_now(app)
    campaign = db.session.scalar(select(RenewalCampaign))
    client.post(f"/renouvellement/{renewal_token(campaign, anne)}",
                data=join_form(email=anne.email, decision="quitte"))
    request_id = db.session.scalar(select(RenewalRequest.id))
    response = admin_client.post(f"/admin/renouvellement/demandes/{request_id}/renouveler",
                                 follow_redirects=True)
    assert "a déjà répondu" in response.text
    db.session.expire_all()
    assert anne.status == Status.EXITED, "the member's own answer stands"
    assert admin_client.post("/admin/renouvellement/demandes/99999/rappel").status_code == 404
