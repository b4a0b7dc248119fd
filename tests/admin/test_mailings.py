"""Mailings: a segment, a preview, a test to oneself, then one e-mail per member, once."""

import re

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.mail.models import OutboxMessage
from network.mailings.models import Mailing
from network.mailings.services import queue_requested_mailings
from network.membership.services import leave_network
from network.scheduler.tick import run_tick
from tests.conftest import ADMIN_EMAIL
from tests.factories import NOW, make_applicant, make_member
from tests.support.smtp import html_of, text_of

BODY = "## Appel à projets FACT\n\nLe **FACT** est ouvert. [Détails](https://exemple.fr/fact)"


@pytest.fixture
def members(app):
    consultant_31 = make_member(email="a@exemple.fr")
    relais_11 = make_member(email="b@exemple.fr", profile="acteur_relais",
                            department_codes=["11"])
    gone = make_member(email="c@exemple.fr")
    leave_network(gone, NOW)
    make_applicant(email="d@exemple.fr")
    db.session.commit()
    return consultant_31, relais_11


def draft(admin_client, **segment) -> int:
    response = admin_client.post("/admin/envois/nouveau", data={
        "subject": "Appel à projets FACT", "body": BODY, **segment})
    assert response.status_code == 302
    return int(re.search(r"/admin/envois/(\d+)", response.headers["Location"]).group(1))


def test_the_draft_shows_a_preview_and_how_many_members_it_reaches(admin_client, members):
    mailing_id = draft(admin_client)
    page = admin_client.get(f"/admin/envois/{mailing_id}").text
    assert "<strong>FACT</strong>" in page
    assert "atteindra <strong>2</strong> membres" in page, "members only, not exited/applicants"
    segment = draft(admin_client, profiles=["acteur_relais"], departments=["11"])
    assert "atteindra <strong>1</strong> membre" in admin_client.get(
        f"/admin/envois/{segment}").text


def test_a_test_goes_to_the_admin_only(admin_client, members, smtp):
    mailing_id = draft(admin_client)
    admin_client.post(f"/admin/envois/{mailing_id}/test")
    run_tick(NOW)
    [copy] = [m for m in smtp.to(ADMIN_EMAIL) if m["Subject"] == "Appel à projets FACT"]
    assert copy["Subject"] == "Appel à projets FACT"
    assert re.search(r'<a href="https://exemple.fr/fact"[^>]*>Détails</a>', html_of(copy))
    assert not [m for m in smtp.messages if m["Subject"] == "Appel à projets FACT"
                and m["To"] != ADMIN_EMAIL]


def test_sending_reaches_each_member_of_the_segment_once(admin_client, members, smtp):
    mailing_id = draft(admin_client, departments=["31", "11"])
    refused = admin_client.post(f"/admin/envois/{mailing_id}/envoyer", follow_redirects=True)
    assert "Cochez la case pour confirmer" in refused.text
    assert db.session.get(Mailing, mailing_id).send_requested_at is None

    admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"})
    run_tick(NOW)
    run_tick(NOW)
    received = sorted(m["To"] for m in smtp.messages if m["Subject"] == "Appel à projets FACT")
    assert received == ["a@exemple.fr", "b@exemple.fr"]
    assert "/quitter/" in text_of(smtp.to("a@exemple.fr")[0]), "each copy has its leave link"
    listing = admin_client.get("/admin/envois").text
    assert "Appel à projets FACT" in listing
    page = admin_client.get(f"/admin/envois/{mailing_id}").text
    assert "Envoyés : 2" in page
    again = admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"},
                              follow_redirects=True)
    assert "déjà parti" in again.text


def test_queueing_resumes_after_a_crash_without_doubles(admin_client, members):
    mailing_id = draft(admin_client)
    admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"})

    def crash(step, queued):
        raise RuntimeError("the process dies after its first batch")

    with pytest.raises(RuntimeError):
        queue_requested_mailings(NOW, batch_size=1, progress=crash)
    db.session.rollback()

    def queued() -> int:
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.mailing_id == mailing_id))

    assert queued() == 1
    assert queue_requested_mailings(NOW, batch_size=1) == 2
    assert queued() == 2
    assert queue_requested_mailings(NOW) == 0, "a finished mailing is not queued again"


def test_a_sent_mailing_cannot_be_edited_and_bad_input_is_refused(admin_client, members):
    empty = admin_client.post("/admin/envois/nouveau", data={"subject": "", "body": ""})
    assert empty.status_code == 400 and "Le message est vide." in empty.text
    mailing_id = draft(admin_client)
    admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"})
    response = admin_client.post(f"/admin/envois/{mailing_id}/modifier",
                                 data={"subject": "Autre", "body": "Autre"})
    assert response.status_code == 302
    assert db.session.get(Mailing, mailing_id).subject == "Appel à projets FACT"
    assert admin_client.get("/admin/envois/999").status_code == 404
