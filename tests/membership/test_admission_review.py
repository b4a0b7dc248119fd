"""The optional admission review (ADMISSION_REVIEW): the charter leads to « en attente de
validation », an admin admits in one click or refuses with a reason, the admins are reminded."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.members_space.services import request_sign_in_link
from network.membership import admission, services
from network.membership.models import (
    CharterAcceptance,
    ExitReason,
    Person,
    Status,
    StatusChange,
)
from network.scheduler.tick import run_tick
from network.sessions import session_values
from tests.admin.test_browser_admin import sign_in
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import (
    NOW,
    details,
    join_form,
    make_applicant,
    make_member,
    member_session,
)
from tests.membership.test_journey import link_in
from tests.support.smtp import html_of, text_of
from tests.support.typography import as_typed, fr

ANNE = "anne.martin@exemple.fr"
REASON = "Votre activité ne relève pas de la QVT : le réseau réunit des intervenants QVT."


@pytest.fixture
def app(make_app):
    """The app with the review on: `client` and `admin_client` use it."""
    app = make_app(ADMISSION_REVIEW=True)
    with app.app_context():
        yield app


def make_waiting(now=NOW, **overrides) -> Person:
    """An applicant who accepted the charter (the review on): waiting since `now`."""
    person = make_applicant(now, **overrides)
    assert services.accept_charter(person, services.current_charter(), now)
    db.session.commit()
    return person


def make_member_before_the_review(app, **overrides) -> Person:
    """A member who joined while the review was off."""
    app.config["ADMISSION_REVIEW"] = False
    try:
        return make_member(**overrides)
    finally:
        app.config["ADMISSION_REVIEW"] = True


def history(person) -> list[tuple]:
    return [(c.from_status, c.to_status) for c in db.session.scalars(
        select(StatusChange).where(StatusChange.person_id == person.id)
        .order_by(StatusChange.id))]


def queued(template: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def subjects(smtp, address: str) -> list[str]:
    return [message["Subject"] for message in smtp.to(address)]


def sign_up_and_accept(client, smtp):
    client.post("/rejoindre", data=join_form())
    run_tick(NOW)
    link = link_in(smtp.to(ANNE)[-1], "charte")
    return link, client.post(link, data={"accept": "y"})


def test_with_the_review_off_the_charter_makes_a_member_as_before(make_app, smtp):
    app = make_app()
    assert app.config["ADMISSION_REVIEW"] is False, "off by default"
    with app.app_context():
        client = app.test_client()
        _, accepted = sign_up_and_accept(client, smtp)
        assert accepted.headers["Location"].endswith("/bienvenue")
        run_tick(NOW)
        person = db.session.scalar(select(Person))
        assert person.status == Status.MEMBER
        assert history(person) == [(None, "applicant"), ("applicant", "member")]
        assert "Bienvenue dans le réseau des intervenants QVT en Occitanie" in subjects(smtp, ANNE)
        assert subjects(smtp, "gt-qvt@exemple.fr") == ["Nouveau membre : Anne Martin"]
        assert not queued("admission_pending")

        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        admin_client = app.test_client()
        admin_client.post("/admin/connexion", data={"email": ADMIN_EMAIL,
                                                    "password": ADMIN_PASSWORD})
        assert "Candidatures à valider" not in admin_client.get("/admin/").text, (
            "no review, nobody waiting: no queue on the dashboard")


def test_with_the_review_on_the_charter_leads_to_a_wait(client, admin_client, smtp):
    client.post("/rejoindre", data=join_form())
    run_tick(NOW)
    link = link_in(smtp.to(ANNE)[-1], "charte")
    # The button says what happens: an application, not a membership yet.
    assert "j&#39;envoie ma candidature" in client.get(link).text
    accepted = client.post(link, data={"accept": "y"})
    assert accepted.headers["Location"].endswith("/bienvenue/en-attente-de-validation")
    page = client.get(accepted.headers["Location"]).text
    assert "en attente de validation" in page and "pas encore" in page
    run_tick(NOW)

    person = db.session.scalar(select(Person))
    assert person.status == Status.AWAITING_REVIEW
    assert person.member_since is None
    assert history(person) == [(None, "applicant"), ("applicant", "awaiting_review")]
    acceptance = db.session.scalar(select(CharterAcceptance))
    assert acceptance.person_id == person.id and acceptance.charter_version.number == 1

    pending = [m for m in smtp.to(ANNE) if m["Subject"] == (
        "Votre candidature est en attente de validation")]
    assert len(pending) == 1
    assert "en attente de validation par le GT QVT" in text_of(pending[0])
    assert "Retirer votre candidature" in html_of(pending[0]), "a way out, in every e-mail"
    assert not [s for s in subjects(smtp, ANNE) if s.startswith("Bienvenue")]
    [to_review] = smtp.to(ADMIN_EMAIL)
    assert to_review["Subject"] == "Candidature à valider : Anne Martin"
    assert f"http://reseau.test/admin/membres/{person.id}" in text_of(to_review)
    assert "Cabinet Travail & Santé" in text_of(to_review)

    again = client.get(link)
    assert again.status_code == 410
    assert "Votre candidature est en attente de validation" in again.text

    dashboard = admin_client.get("/admin/").text
    assert "Candidatures à valider" in dashboard
    assert f'href="/admin/membres/{person.id}">Anne Martin</a>' in dashboard
    assert "Cabinet Travail &amp; Santé" in dashboard
    detail = admin_client.get(f"/admin/membres/{person.id}").text
    assert "En attente de validation" in detail
    assert "Valider l'adhésion" in detail and "Refuser la candidature" in detail


def test_the_dashboard_says_when_nobody_waits(admin_client):
    text = admin_client.get("/admin/").text
    assert "Candidatures à valider" in text
    assert "Aucune candidature n'attend de validation." in text


def test_an_admin_admits_in_one_click(admin_client, smtp):
    anne = make_waiting(NOW - timedelta(days=3))
    response = admin_client.post(f"/admin/membres/{anne.id}/valider")
    assert response.headers["Location"].endswith(f"/admin/membres/{anne.id}")
    db.session.expire_all()
    anne = db.session.get(Person, anne.id)
    assert anne.status == Status.MEMBER
    assert anne.member_since == utcnow(), "a member from the admission, not from the charter"
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert (change.from_status, change.to_status, change.changed_by) == (
        "awaiting_review", "member", ADMIN_EMAIL)
    assert db.session.scalar(select(AuditEntry.action)) == "member.admit"

    run_tick(NOW)
    [welcome] = [m for m in smtp.to(ANNE) if m["Subject"].startswith("Bienvenue")]
    assert "a validé votre candidature" in text_of(welcome)
    assert "inscrit·e sur sa liste de diffusion" in text_of(welcome)
    assert "Nouveau membre : Anne Martin" in subjects(smtp, ADMIN_EMAIL)

    page = admin_client.get(f"/admin/membres/{anne.id}").text
    assert "En attente de validation → Membre" in page and "Adhésion validée" in page
    assert "Adhésion validée" in admin_client.get("/admin/journal").text

    twice = admin_client.post(f"/admin/membres/{anne.id}/valider", follow_redirects=True)
    assert "n'a pas de candidature en attente de validation" in twice.text
    assert len(queued("member_confirmed")) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_former_member_applying_again_waits_then_starts_a_new_period(app, admin_client):
    anne = make_member_before_the_review(app, now=NOW - timedelta(days=400))
    services.leave_network(anne, NOW - timedelta(days=30))
    db.session.commit()
    services.join(details(organisation="Carsat"), NOW - timedelta(days=2))
    db.session.commit()
    assert services.accept_charter(anne, services.current_charter(), NOW - timedelta(days=2))
    db.session.commit()
    assert anne.status == Status.AWAITING_REVIEW and anne.organisation == "Carsat"

    admin_client.post(f"/admin/membres/{anne.id}/valider")
    db.session.expire_all()
    anne = db.session.get(Person, anne.id)
    assert anne.status == Status.MEMBER and anne.exit_reason is None
    assert anne.member_since == utcnow()
    assert history(anne)[-2:] == [("exited", "awaiting_review"), ("awaiting_review", "member")]


def test_an_admin_refuses_with_a_reason_the_applicant_receives(admin_client, client, smtp):
    anne = make_waiting()
    url = f"/admin/membres/{anne.id}/refuser"
    form = admin_client.get(url)
    assert form.status_code == 200 and "Motif du refus" in form.text

    empty = admin_client.post(url, data={"refusal_reason": "   "})
    assert empty.status_code == 400
    assert re.search(r'id="refusal_reason-erreur"[^>]*>\s*<span>Indiquez le motif du refus',
                     empty.text)
    too_long = admin_client.post(url, data={"refusal_reason": "x" * 1001})
    assert too_long.status_code == 400
    assert "1000 caractères au maximum." in too_long.text
    db.session.expire_all()
    assert db.session.get(Person, anne.id).status == Status.AWAITING_REVIEW

    done = admin_client.post(url, data={"refusal_reason": REASON})
    assert done.headers["Location"].endswith(f"/admin/membres/{anne.id}")
    db.session.expire_all()
    anne = db.session.get(Person, anne.id)
    assert (anne.status, anne.exit_reason) == (Status.EXITED, ExitReason.APPLICATION_REFUSED)
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert (change.from_status, change.to_status) == ("awaiting_review", "exited")
    assert change.reason == f"Candidature non retenue : {REASON}"
    audit = db.session.scalar(select(AuditEntry))
    assert (audit.action, audit.person_id, audit.detail) == ("member.refuse", anne.id, REASON)

    run_tick(NOW)
    [refusal] = [m for m in smtp.to(ANNE) if m["Subject"] == (
        "Votre candidature au réseau des intervenants QVT en Occitanie")]
    assert REASON in text_of(refusal) and "n'a pas été retenue" in text_of(refusal)
    page = admin_client.get(f"/admin/membres/{anne.id}").text
    assert "Candidature refusée" in page and "Candidature non retenue" in page
    assert "Réintégrer" in page, "an admin may still bring them in"

    # Signing up again opens no new application: they are told to write to the GT QVT.
    assert client.post("/rejoindre", data=join_form()).status_code == 302
    db.session.expire_all()
    anne = db.session.get(Person, anne.id)
    assert anne.status == Status.EXITED
    assert anne.pending_application is None and anne.charter_nonce is None
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    [answer] = queued("rejoin_refused")
    assert "Votre précédente candidature n'a pas été retenue" in as_typed(answer.body_text)


def test_a_long_reason_is_kept_whole_in_the_email_and_the_journal(admin_client):
    anne = make_waiting()
    reason = "Motif détaillé. " * 60  # 960 characters
    admin_client.post(f"/admin/membres/{anne.id}/refuser", data={"refusal_reason": reason})
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert len(change.reason) == admission.HISTORY_REASON_LENGTH and change.reason.endswith("…")
    assert db.session.scalar(select(AuditEntry.detail)) == reason.strip()
    assert reason.strip() in queued("admission_refused")[0].body_text


def test_the_admins_are_reminded_once_after_the_set_days(app):
    assert app.config["ADMISSION_REVIEW_REMINDER_DAYS"] == 7
    anne = make_waiting(NOW)
    paul = make_waiting(NOW + timedelta(days=2), email="paul@exemple.fr", first_name="Paul")
    week = timedelta(days=7)

    assert admission.remind_admins_of_waiting(NOW + week - timedelta(seconds=1)) == 0
    assert run_tick(NOW + week).admission_reminders == 1
    [reminder] = queued("admin_admission_reminder")
    assert reminder.subject == "Candidature toujours en attente de validation : Anne Martin"
    assert reminder.recipient == "gt-qvt@exemple.fr"
    assert f"http://reseau.test/admin/membres/{anne.id}" in reminder.body_text
    assert "(7 jours)" in reminder.body_text

    assert admission.remind_admins_of_waiting(NOW + week) == 0, "never twice"
    assert admission.remind_admins_of_waiting(NOW + week + timedelta(days=1)) == 0
    assert admission.remind_admins_of_waiting(NOW + week + timedelta(days=2)) == 1
    assert [m.subject for m in queued("admin_admission_reminder")][1:] == [
        "Candidature toujours en attente de validation : Paul Martin"]

    # Waiting people wait on the admins: they never expire like an unanswered charter link.
    report = run_tick(NOW + timedelta(days=60))
    assert (report.expired_applications, report.admission_reminders) == (0, 0)
    db.session.expire_all()
    assert {p.status for p in db.session.scalars(select(Person))} == {Status.AWAITING_REVIEW}
    assert [w.person.id for w in admission.awaiting_review()] == [anne.id, paul.id]


def test_signing_up_again_while_waiting_changes_nothing(client):
    anne = make_waiting()
    response = client.post("/rejoindre", data=join_form(organisation="Autre structure"))
    assert response.headers["Location"].endswith("/rejoindre/verifiez-vos-e-mails")
    db.session.expire_all()
    anne = db.session.get(Person, anne.id)
    assert anne.status == Status.AWAITING_REVIEW
    assert anne.organisation == "Cabinet Travail & Santé"
    assert anne.pending_application is None and anne.charter_nonce is None
    assert not queued("charter_link")[1:], "no new charter link"
    again = queued("admission_pending")[-1]
    assert "Vous avez déjà accepté la charte" in again.body_text


def test_a_waiting_applicant_may_withdraw_and_is_not_a_member_yet(client):
    anne = make_waiting()
    request_sign_in_link(ANNE, NOW)
    db.session.commit()
    assert not queued("sign_in_link"), "the member space is for members"

    url = f"/quitter/{services.leave_token(anne)}"
    assert "Retirer votre candidature" in client.get(url).text
    done = client.post(url)
    assert "Votre demande est retirée" in done.text
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0, (
        "a first application withdrawn is purged")


@pytest.mark.parametrize("identity", ["anonymous", "member"])
def test_the_decisions_are_for_admins_only(app, identity):
    anne = make_waiting()
    visitor = app.test_client()
    if identity == "member":
        paul = make_member_before_the_review(app, email="paul@exemple.fr")
        with visitor.session_transaction() as session:
            member_session(session, paul)
    for method, action, data in [("POST", "valider", {}), ("GET", "refuser", {}),
                                 ("POST", "refuser", {"refusal_reason": REASON})]:
        response = visitor.open(f"/admin/membres/{anne.id}/{action}", method=method, data=data)
        assert response.status_code == 302
        assert "/admin/connexion" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Person, anne.id).status == Status.AWAITING_REVIEW
    assert not [m for m in queued("admission_refused") + queued("member_confirmed")
                if m.person_id == anne.id]


def test_a_decision_without_its_csrf_token_is_refused(make_app):
    app = make_app(ADMISSION_REVIEW=True, WTF_CSRF_ENABLED=True)
    with app.app_context():
        anne, paul = make_waiting(), make_waiting(email="paul@exemple.fr")
        admin = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(session_values("admin", admin, utcnow()))
        assert client.post(f"/admin/membres/{anne.id}/valider").status_code == 400
        assert client.post(f"/admin/membres/{paul.id}/refuser",
                           data={"refusal_reason": REASON}).status_code == 400
        db.session.expire_all()
        assert {p.status for p in db.session.scalars(select(Person))} == {
            Status.AWAITING_REVIEW}

        page = client.get(f"/admin/membres/{anne.id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        assert client.post(f"/admin/membres/{anne.id}/valider",
                           data={"csrf_token": token}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Person, anne.id).status == Status.MEMBER


def test_deciding_in_a_browser_under_the_content_security_policy(page, live_server):
    """CSRF on, the real pages in Chromium: the `page` fixture fails on any CSP report."""
    live_server.config["ADMISSION_REVIEW"] = True
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        anne, paul = make_waiting(), make_waiting(email="paul@exemple.fr", first_name="Paul")
        anne_id, paul_id = anne.id, paul.id
    site = live_server.config["BASE_URL"]
    sign_in(page, site)
    page.goto(f"{site}/admin/")
    queue = page.get_by_role("region", name="Candidatures à valider")
    queue.get_by_role("link", name="Anne Martin").click()
    page.get_by_role("button", name=fr("Valider l'adhésion")).click()
    expect(page.get_by_text("Adhésion validée : Anne Martin est membre du réseau")).to_be_visible()

    page.goto(f"{site}/admin/membres/{paul_id}")
    page.get_by_role("link", name="Refuser la candidature").click()
    page.get_by_role("button", name="Refuser la candidature").click()
    expect(page.locator("#refusal_reason-erreur")).to_contain_text("Indiquez le motif du refus")
    page.get_by_label("Motif du refus").fill(REASON)
    page.get_by_role("button", name="Refuser la candidature").click()
    expect(page.get_by_text("La candidature est refusée")).to_be_visible()
    with live_server.app_context():
        assert db.session.get(Person, anne_id).status == Status.MEMBER
        assert db.session.get(Person, paul_id).status == Status.EXITED
