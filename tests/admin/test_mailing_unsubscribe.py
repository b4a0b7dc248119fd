"""Stopping the mailings: one-click unsubscribe (RFC 8058), without leaving the network."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.events.services import register_member
from network.extensions import db
from network.mail.models import OutboxMessage
from network.mailings.models import Mailing
from network.mailings.services import queue_requested_mailings, unsubscribe_token
from network.membership.models import Person, Status
from network.membership.services import leave_token
from network.renewal.campaign import run_renewal
from tests.admin.test_mailings import draft
from tests.events.helpers import make_event
from tests.factories import NOW, join_form, make_member
from tests.members_space.test_space import signed_in
from tests.support.typography import as_typed

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def anne(app):
    return make_member(NOW - timedelta(days=100), email="anne@exemple.fr")


@pytest.fixture
def paul(app):
    return make_member(NOW - timedelta(days=100), email="paul@exemple.fr", first_name="Paul")


def link(person: Person) -> str:
    return f"/desabonnement/{unsubscribe_token(person)}"


def audits(person: Person, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.person_id == person.id, AuditEntry.action == action))


def send(admin_client, mailing_id: int) -> None:
    admin_client.post(f"/admin/envois/{mailing_id}/envoyer", data={"confirm": "y"})
    queue_requested_mailings(NOW)


def mailing_rows(mailing_id: int) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.mailing_id == mailing_id,
        OutboxMessage.dedup_key.startswith("mailing:")).order_by(OutboxMessage.recipient)))


def test_each_copy_of_a_mailing_carries_the_list_headers_and_a_footer_link(
        admin_client, app, anne, paul):
    mailing_id = draft(admin_client)
    admin_client.post(f"/admin/envois/{mailing_id}/test")
    send(admin_client, mailing_id)
    rows = mailing_rows(mailing_id)
    assert [row.recipient for row in rows] == ["anne@exemple.fr", "paul@exemple.fr"]
    for row, person in zip(rows, (anne, paul), strict=True):
        url = f"http://reseau.test{link(person)}"
        assert json.loads(row.extra_headers) == {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": app.config["MAILING_LIST_ID"],
            "Precedence": "bulk"}
        assert f"Ne plus recevoir les envois du réseau (vous restez membre) : {url}" in (
            as_typed(row.body_text))
        assert (f'<a href="{url}" style="color:#1d5856;">Ne plus recevoir les envois du '
                'réseau</a>') in row.body_html
        assert "/quitter/" in row.body_text, "the leave link stays, apart"
    [test_copy] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.dedup_key.startswith("mailing-test:"))).all()
    assert test_copy.extra_headers is None and "/desabonnement/" not in test_copy.body_text
    assert "lien personnel de chaque destinataire" in test_copy.body_text
    welcome = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.template == "member_confirmed", OutboxMessage.person_id == anne.id))
    assert welcome.extra_headers is None, "only mailings are bulk"


def test_opening_the_link_changes_nothing_and_shows_the_button(client, anne):
    page = client.get(link(anne))
    assert page.status_code == 200
    assert "Ne plus recevoir les envois du réseau</button>" in page.text
    assert "Vous restez membre du réseau" in page.text
    db.session.refresh(anne)
    assert anne.mailings_opt_out is False
    assert audits(anne, "member.mailings_opt_out") == 0


def test_the_one_click_post_needs_no_cookie_and_no_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        anne = make_member(email="anne@exemple.fr")
        provider = app.test_client(use_cookies=False)
        assert provider.post("/connexion", data={"email": "anne@exemple.fr"}).status_code == (
            400), "CSRF is on for every other form"

        done = provider.post(link(anne), data=ONE_CLICK)
        assert done.status_code == 200
        assert "C'est fait : vous ne recevrez plus les envois du réseau" in done.text
        assert "renouvellement annuel" in done.text and "Mes coordonnées" in done.text
        db.session.refresh(anne)
        assert anne.mailings_opt_out is True
        assert anne.status == Status.MEMBER, "the membership goes on"
        assert audits(anne, "member.mailings_opt_out") == 1

        again = provider.post(link(anne), data=ONE_CLICK)
        assert again.status_code == 200
        assert audits(anne, "member.mailings_opt_out") == 1, "idempotent"
        assert "Votre choix est déjà enregistré" in provider.get(link(anne)).text


def test_a_forged_link_is_404_and_changes_nothing(client, anne, paul):
    token = unsubscribe_token(anne)
    forged = token.replace(token.split(".")[0], unsubscribe_token(paul).split(".")[0])
    for bad in (forged, token[:-3] + "abc", leave_token(paul), "n-importe-quoi"):
        response = client.post(f"/desabonnement/{bad}", data=ONE_CLICK)
        assert response.status_code == 404
        assert "Ce lien n'est pas valable" in response.text
    for person in (anne, paul):
        db.session.refresh(person)
        assert (person.mailings_opt_out, person.status) == (False, Status.MEMBER)
    assert client.post(f"/quitter/{unsubscribe_token(paul)}").status_code == 404, (
        "an unsubscribe link cannot end a membership")
    db.session.refresh(paul)
    assert paul.status == Status.MEMBER


def test_the_next_mailing_skips_the_person_and_the_count_says_so(admin_client, client, anne,
                                                                 paul):
    client.post(link(anne), data=ONE_CLICK)
    mailing_id = draft(admin_client)
    page = admin_client.get(f"/admin/envois/{mailing_id}").text
    assert "atteindra <strong>1</strong> membre." in page
    assert "Sans compter 1 membre du segment qui\n          a demandé" in page
    send(admin_client, mailing_id)
    assert db.session.get(Mailing, mailing_id).recipient_count == 1
    assert [row.recipient for row in mailing_rows(mailing_id)] == ["paul@exemple.fr"]
    export = admin_client.get("/admin/membres/liste-de-diffusion.csv").text
    assert "paul@exemple.fr" in export and "anne@exemple.fr" not in export


def test_the_e_mails_of_their_membership_still_go(client, anne):
    client.post(link(anne), data=ONE_CLICK)
    event = make_event()
    register_member(event, anne, NOW)
    run_renewal(NOW)
    db.session.commit()
    templates = set(db.session.scalars(select(OutboxMessage.template).where(
        OutboxMessage.person_id == anne.id)))
    assert {"event_registered", "renewal_form"} <= templates


def test_the_member_space_shows_and_changes_the_preference(client, admin_client, anne, smtp):
    signed_in(client, smtp, "anne@exemple.fr")
    assert "vous les recevez" in client.get("/espace").text
    page = client.get("/espace/coordonnees").text
    assert re.search(r'<input [^>]*checked [^>]*name="receive_mailings"', page)
    assert "Recevoir les envois du réseau (lettres d'information, appels à projets…)" in page

    form = join_form(email="anne@exemple.fr")
    client.post("/espace/coordonnees", data=form)
    db.session.refresh(anne)
    assert anne.mailings_opt_out is True
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member.self_edit"))
    assert entry.detail == "envois du réseau"
    assert "vous ne les recevez plus" in client.get("/espace").text
    assert not re.search(r'<input [^>]*checked [^>]*name="receive_mailings"',
                         client.get("/espace/coordonnees").text)
    assert "Ne les reçoit plus, à sa demande" in admin_client.get(
        f"/admin/membres/{anne.id}").text
    data = json.loads(client.get("/espace/mes-donnees.json").data)
    assert data["coordonnees"]["recevoir_les_envois_du_reseau"] is False

    client.post("/espace/coordonnees", data={**form, "receive_mailings": "y"})
    db.session.refresh(anne)
    assert anne.mailings_opt_out is False
    assert "Les reçoit" in admin_client.get(f"/admin/membres/{anne.id}").text
    data = json.loads(client.get("/espace/mes-donnees.json").data)
    assert data["coordonnees"]["recevoir_les_envois_du_reseau"] is True
