"""The consent to the privacy notice asked of whoever never gave it on the site: a request
entered by an admin (on the charter page), an imported member (on the go-live page), any member
without one (on the renewal form). Shown only then, required, and its date recorded."""

import html
import re

import pytest
from sqlalchemy import select

from network.extensions import db, utcnow
from network.golive.services import invite_imported_members
from network.membership import entry
from network.membership.models import Person, Status
from network.membership.services import charter_token
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.renewal.services import renewal_token
from tests.conftest import ADMIN_EMAIL
from tests.factories import details, join_form, make_applicant, make_member, member_session
from tests.golive.test_golive import INVITED, an_import, answer_form, imported, link_of
from tests.renewal.test_pages import JOINED, open_campaign_now
from tests.support.bad_input import database_rows

LABEL = ("J'ai lu la notice de confidentialité et j'accepte que le réseau conserve mes données "
         "pour gérer ma participation")
MESSAGE = "Votre accord est nécessaire pour que le réseau conserve vos données."


def without_consent(person: Person) -> Person:
    person.privacy_consent_at = None
    db.session.commit()
    return person


# Each page: (the person, its address, a body that passes everything but the consent).

def charter_page(app, consented: bool) -> tuple[Person, str, dict]:
    """A web applicant consented on the sign-up form; a request entered by an admin did not."""
    if consented:
        person = make_applicant()
    else:
        person = entry.enter_request(details(), ADMIN_EMAIL, utcnow())
        db.session.commit()
    return person, f"/charte/{charter_token(person, utcnow())}", {"accept": "y"}


def golive_page(app, consented: bool) -> tuple[Person, str, dict]:
    """An imported member, the current charter still to accept."""
    person = imported(an_import(), 0, charter=False)
    if not consented:
        without_consent(person)
    invite_imported_members(INVITED)
    return person, link_of(person), {**answer_form(person), "accept_charter": "y"}


def renewal_page(app, consented: bool) -> tuple[Person, str, dict]:
    """« Je reste », from the renewal e-mail's link."""
    person = make_member(JOINED, email="m0@exemple.fr")
    if not consented:
        without_consent(person)
    open_campaign_now(app)
    campaign = db.session.scalar(select(RenewalCampaign))
    return person, f"/renouvellement/{renewal_token(campaign, person)}", {
        **join_form(email=person.email, privacy_consent=None), "decision": "reste"}


PAGES = pytest.mark.parametrize("page", [charter_page, golive_page, renewal_page],
                                ids=["charte", "bienvenue", "renouvellement"])


def read(response) -> str:
    """The page as read, whatever its typography (curly apostrophes, no-break spaces)."""
    return (html.unescape(response.text).replace("\u2019", "'")
            .replace("\u202f", " ").replace("\u00a0", " "))


def consent_of(person: Person):
    db.session.expire_all()
    return db.session.get(Person, person.id).privacy_consent_at


@PAGES
def test_the_box_is_shown_to_whom_no_consent_is_recorded(app, client, page):
    _, url, _ = page(app, consented=False)
    shown = client.get(url)
    assert shown.status_code == 200
    text = read(shown)
    assert 'name="privacy_consent"' in text and LABEL in text
    assert re.search(r'<input[^>]*id="privacy_consent"[^>]*required', text)
    assert '<a href="/confidentialite">Lire la notice de confidentialité</a>' in text
    assert "Nous n'avons pas encore votre accord" in text
    # The strict CSP: nothing inline.
    assert "style=" not in text and "<script>" not in text


@PAGES
def test_who_already_consented_sees_no_box(app, client, page):
    _, url, _ = page(app, consented=True)
    shown = client.get(url)
    assert shown.status_code == 200
    text = read(shown)
    assert 'name="privacy_consent"' not in text and LABEL not in text
    assert "Vos données" not in text


@PAGES
def test_unchecked_the_box_refuses_the_form_and_saves_nothing(app, client, page):
    person, url, body = page(app, consented=False)
    rows = database_rows()
    refused = client.post(url, data=body)
    assert refused.status_code == 400
    text = read(refused)
    # Said next to the box (and in the summary at the top), the box marked invalid.
    assert re.search(r'<div id="privacy_consent-erreur" class="invalid-feedback d-block">\s*'
                     rf"<span>{re.escape(MESSAGE)}</span>", text)
    assert re.search(r'<input[^>]*aria-describedby="privacy_consent-erreur"[^>]*'
                     r'aria-invalid="true"[^>]*id="privacy_consent"', text)
    assert re.search(r'<a href="#privacy_consent">[^<]*' + re.escape(MESSAGE), text)
    assert database_rows() == rows
    assert consent_of(person) is None


@PAGES
def test_checked_the_box_records_the_consent_with_the_answer(app, client, page):
    person, url, body = page(app, consented=False)
    response = client.post(url, data={**body, "privacy_consent": "y"})
    assert response.status_code == 302
    assert consent_of(person) == utcnow()
    assert db.session.get(Person, person.id).status == Status.MEMBER


@PAGES
def test_a_consent_already_recorded_is_neither_asked_again_nor_replaced(app, client, page):
    person, url, body = page(app, consented=True)
    before = consent_of(person)
    assert before is not None
    assert client.post(url, data=body).status_code == 302
    assert consent_of(person) == before


def test_leaving_at_the_renewal_needs_no_consent_and_records_none(app, client):
    person, url, body = renewal_page(app, consented=False)
    response = client.post(url, data={**body, "decision": "quitte"})
    assert response.status_code == 302
    assert consent_of(person) is None
    assert db.session.scalar(select(RenewalRequest.status)) == RequestStatus.LEFT


def test_the_renewal_from_the_member_space_asks_too(app, client):
    person, _, body = renewal_page(app, consented=False)
    with client.session_transaction() as session:
        member_session(session, person)
    assert 'name="privacy_consent"' in client.get("/espace/renouvellement").text
    assert client.post("/espace/renouvellement", data=body).status_code == 400
    assert consent_of(person) is None
    assert client.post("/espace/renouvellement",
                       data={**body, "privacy_consent": "y"}).status_code == 302
    assert consent_of(person) == utcnow()


def test_an_admin_entered_applicant_who_then_signs_up_on_the_site_is_not_asked_twice(
        app, client):
    """The sign-up form asked for it: the charter page does not, and accepting records it."""
    person = entry.enter_request(details(), ADMIN_EMAIL, utcnow())
    db.session.commit()
    assert client.post("/rejoindre", data=join_form()).status_code == 302
    db.session.expire_all()
    url = f"/charte/{charter_token(person, utcnow())}"
    assert 'name="privacy_consent"' not in client.get(url).text
    assert client.post(url, data={"accept": "y"}).status_code == 302
    assert consent_of(person) == utcnow()
