"""The go-live invitation: the imported members told the network has its own space, their
personal link, the reminder, and the back-office page that follows them."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.golive.models import GoLiveInvitation
from network.golive.services import (
    REMINDER_SUBJECT,
    SUBJECT,
    answer,
    counts,
    golive_token,
    invite_imported_members,
    remind_unanswered,
)
from network.imports.models import MemberImport
from network.mail.models import OutboxMessage
from network.membership.models import (
    AcceptanceMethod,
    CharterAcceptance,
    Person,
    Status,
)
from network.membership.services import (
    LinkProblem,
    charter_token,
    current_charter,
    leave_network,
    publish_charter,
)
from network.sessions import session_values
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FROZEN_NOW
from tests.factories import details, join_form, make_member, member_session
from tests.support.bad_input import database_rows
from tests.support.queries import count_queries

# The import brought them in before the site; the invitation goes out a few days before the
# instant the pages see (FROZEN_NOW), so that a reminder from the back-office is due.
IMPORTED_ON = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
INVITED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PAGE = "/admin/membres/lancement"


def an_import() -> MemberImport:
    row = MemberImport(file_name="membres-2019-2026.xlsx", imported_by=ADMIN_EMAIL,
                       imported_at=IMPORTED_ON)
    db.session.add(row)
    db.session.commit()
    return row


def imported(batch: MemberImport, n: int, charter: bool = True, **overrides) -> Person:
    """An imported member: the charter accepted by e-mail (the file said so) or « à confirmer »
    (no acceptance at all)."""
    person = make_member(IMPORTED_ON, email=f"importe{n}@exemple.fr", first_name=f"Prénom{n}",
                         last_name=f"Importe{n:03d}", **overrides)
    person.member_import_id = batch.id
    acceptance = db.session.scalar(select(CharterAcceptance).where(
        CharterAcceptance.person_id == person.id))
    if charter:
        acceptance.method = AcceptanceMethod.EMAIL
    else:
        db.session.delete(acceptance)
    db.session.commit()
    return person


@pytest.fixture
def people(app):
    """Three imported members (the third has the charter to confirm), one member who came by
    the site, one imported member who left, one imported member without an address."""
    batch = an_import()
    anne, basile, chloe = (imported(batch, n, charter=n < 2) for n in range(3))
    make_member(IMPORTED_ON, email="par.le.site@exemple.fr")
    gone = imported(batch, 3)
    leave_network(gone, IMPORTED_ON + timedelta(days=1))
    silent = imported(batch, 4)
    silent.email = None
    db.session.commit()
    return anne, basile, chloe


def text_of(response) -> str:
    """The page as read: flashed messages and button labels have their apostrophes escaped."""
    return html.unescape(response.text)


def invitations_queued(template="golive_invitation") -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.recipient)))


def link_of(person: Person) -> str:
    invitation = db.session.get(GoLiveInvitation, person.id)
    return f"/bienvenue/{golive_token(person.id, invitation.nonce)}"


def answer_form(person: Person, **overrides) -> dict:
    return join_form(**{"email": person.email, "first_name": person.first_name,
                        "last_name": person.last_name, "privacy_consent": None, **overrides})


def test_the_invitation_is_queued_once_per_imported_member_and_never_twice(people):
    anne, basile, chloe = people
    progress = []
    assert invite_imported_members(INVITED, lambda label, count: progress.append(count),
                                   batch_size=2) == 3
    assert progress == [2, 3]
    assert [m.recipient for m in invitations_queued()] == [p.email for p in people]
    assert {m.person_id for m in invitations_queued()} == {p.id for p in people}
    assert db.session.scalar(select(func.count()).select_from(GoLiveInvitation)) == 3
    # A second click, even days later, queues nobody twice.
    assert invite_imported_members(INVITED + timedelta(days=2)) == 0
    assert len(invitations_queued()) == 3
    sent_at = db.session.scalars(select(GoLiveInvitation.sent_at)).all()
    assert set(sent_at) == {INVITED}
    # An imported member added by a later import is invited by the next click, alone.
    late = imported(db.session.scalar(select(MemberImport)), 9)
    assert invite_imported_members(INVITED + timedelta(days=3)) == 1
    assert invitations_queued()[-1].recipient == late.email


def test_the_email_carries_the_personal_link_and_no_deadline(people, client):
    anne, basile, chloe = people
    invite_imported_members(INVITED)
    by_person = {m.person_id: m for m in invitations_queued()}
    message = by_person[anne.id]
    assert message.subject == SUBJECT == ("Le réseau des intervenants QVT en Occitanie a son "
                                          "espace en ligne")
    link = f"http://reseau.test{link_of(anne)}"
    assert link in message.body_text and f'href="{link}"' in message.body_html
    assert "Bonjour Prénom0" in message.body_text
    assert "pas de date limite" in message.body_text and "pas de date limite" in message.body_html
    assert "http://reseau.test/connexion" in message.body_text
    # The charter is asked only of whoever has not accepted it.
    assert "acceptez la charte" not in message.body_text
    assert "acceptez la charte" in by_person[chloe.id].body_text
    assert "acceptez la charte" in by_person[chloe.id].body_html
    # The link of the e-mail opens the page.
    assert client.get(link.removeprefix("http://reseau.test")).status_code == 200


def test_opening_the_link_changes_nothing(people, client):
    chloe = people[2]
    invite_imported_members(INVITED)
    before = database_rows()
    page = client.get(link_of(chloe))
    assert page.status_code == 200
    assert "Le réseau a son espace en ligne" in page.text
    assert 'value="Importe002"' in page.text and 'value="importe2@exemple.fr"' in page.text
    assert "pas de date limite" in page.text
    assert "Texte de la charte" in page.text and 'name="accept_charter"' in page.text
    db.session.rollback()
    assert database_rows() == before


def test_answering_saves_the_details_and_the_charter_acceptance(people, client):
    chloe = people[2]
    invite_imported_members(INVITED)
    link = link_of(chloe)
    refused = client.post(link, data=answer_form(chloe, organisation="Nouvelle structure"))
    assert refused.status_code == 400
    assert "Cochez la case pour accepter la charte." in refused.text
    db.session.expire_all()
    assert chloe.organisation == "Cabinet Travail & Santé"
    assert db.session.get(GoLiveInvitation, chloe.id).answered_at is None

    response = client.post(link, data={**answer_form(chloe, organisation="Nouvelle structure"),
                                       "accept_charter": "y"})
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert "Merci, c'est enregistré" in thanks.text and 'href="/connexion"' in thanks.text
    db.session.expire_all()
    assert chloe.organisation == "Nouvelle structure"
    assert chloe.status == Status.MEMBER
    acceptance = db.session.scalar(select(CharterAcceptance).where(
        CharterAcceptance.person_id == chloe.id))
    assert acceptance.method == AcceptanceMethod.WEB
    assert acceptance.charter_version_id == current_charter().id
    assert db.session.get(GoLiveInvitation, chloe.id).answered_at == FROZEN_NOW
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.person_id == chloe.id, AuditEntry.action == "golive.answer"))

    # Opened again (the e-mail, the reminder): already done, the way into the member space.
    again = client.get(link)
    assert again.status_code == 410
    assert "C'est déjà fait" in again.text and 'href="/connexion"' in again.text
    assert client.post(link, data={**answer_form(chloe, organisation="Autre"),
                                   "accept_charter": "y"}).status_code == 410
    db.session.expire_all()
    assert chloe.organisation == "Nouvelle structure"
    assert db.session.scalar(select(func.count()).select_from(CharterAcceptance).where(
        CharterAcceptance.person_id == chloe.id)) == 1


def test_who_accepted_the_charter_is_not_asked_again_unless_a_newer_one_came(people, client):
    anne, basile, _ = people
    invite_imported_members(INVITED)
    page = client.get(link_of(anne)).text
    assert "Texte de la charte" not in page and 'name="accept_charter"' not in page
    assert client.post(link_of(anne), data=answer_form(anne)).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CharterAcceptance).where(
        CharterAcceptance.person_id == anne.id)) == 1
    # A version published since their acceptance by e-mail is theirs to accept.
    newer = publish_charter("Charte du réseau", "Texte de la **version 2**", INVITED)
    db.session.commit()
    page = client.get(link_of(basile)).text
    assert "version 2" in page and "<strong>version 2</strong>" in page
    client.post(link_of(basile), data={**answer_form(basile), "accept_charter": "y"})
    assert db.session.scalar(select(CharterAcceptance.charter_version_id).where(
        CharterAcceptance.person_id == basile.id,
        CharterAcceptance.method == AcceptanceMethod.WEB)) == newer.id


def test_a_new_address_waits_for_its_owner_to_confirm_it(people, client):
    anne = people[0]
    invite_imported_members(INVITED)
    response = client.post(link_of(anne), data=answer_form(anne, email="anne.neuve@exemple.fr"),
                           follow_redirects=True)
    assert "Un lien de confirmation a été envoyé à anne.neuve@exemple.fr" in response.text
    db.session.expire_all()
    assert anne.email == "importe0@exemple.fr"
    assert anne.pending_email == "anne.neuve@exemple.fr"
    assert [m.recipient for m in invitations_queued("confirm_email_change")] == [
        "anne.neuve@exemple.fr"]


@pytest.mark.parametrize("kind", ["garbage", "truncated", "other purpose", "no invitation",
                                  "old nonce"])
def test_a_forged_or_truncated_link_gets_the_invalid_link_page(people, client, kind):
    anne = people[0]
    invite_imported_members(INVITED)
    outsider = db.session.scalar(select(Person).where(Person.email == "par.le.site@exemple.fr"))
    token = link_of(anne).removeprefix("/bienvenue/")
    token = {"garbage": "nimportequoi", "truncated": token[:-4],
             "other purpose": charter_token(anne, INVITED),
             "no invitation": golive_token(outsider.id, "x"),
             "old nonce": golive_token(anne.id, "ancien")}[kind]
    before = database_rows()
    response = client.get(f"/bienvenue/{token}")
    assert response.status_code == 404
    assert "Ce lien n'est pas valable" in response.text
    posted = client.post(f"/bienvenue/{token}", data={**answer_form(anne, organisation="X"),
                                                       "accept_charter": "y"})
    assert posted.status_code == 404
    db.session.rollback()
    assert database_rows() == before


def test_a_person_who_left_is_told_the_link_no_longer_applies(people, client):
    anne = people[0]
    invite_imported_members(INVITED)
    link = link_of(anne)
    leave_network(anne, INVITED + timedelta(days=1))
    db.session.commit()
    before = database_rows()
    response = client.get(link)
    assert response.status_code == 410
    assert "Cette invitation n'a plus d'objet" in response.text
    assert "rejoindre à nouveau le réseau" in response.text  # left of their own will
    assert client.post(link, data=answer_form(anne, organisation="X")).status_code == 410
    db.session.rollback()
    assert database_rows() == before


def test_the_reminder_goes_to_the_unanswered_only_and_once_a_day(people, client):
    anne, basile, chloe = people
    invite_imported_members(INVITED)
    # Not on the day of the invitation.
    assert remind_unanswered(INVITED + timedelta(hours=3)) == 0
    client.post(link_of(anne), data=answer_form(anne))
    leave_network(basile, INVITED + timedelta(hours=5))
    db.session.commit()
    next_day = INVITED + timedelta(days=1)
    assert remind_unanswered(next_day) == 1
    [reminder] = invitations_queued("golive_reminder")
    assert reminder.recipient == chloe.email and reminder.subject == REMINDER_SUBJECT
    # The same link as the invitation's, still good.
    link = link_of(chloe)
    assert f"http://reseau.test{link}" in reminder.body_text
    assert "pas de date limite" in reminder.body_text
    assert db.session.get(GoLiveInvitation, chloe.id).reminded_at == next_day
    # A second click the same day (Paris time) sends nothing more.
    assert remind_unanswered(next_day + timedelta(hours=10)) == 0
    assert len(invitations_queued("golive_reminder")) == 1
    # Another day, another reminder.
    assert remind_unanswered(next_day + timedelta(days=2)) == 1
    assert len(invitations_queued("golive_reminder")) == 2
    assert client.get(link).status_code == 200


def test_the_back_office_counts_lists_invites_and_reminds(people, admin_client, client):
    anne, basile, chloe = people
    page = text_of(admin_client.get(PAGE))
    assert "Envoyer l'invitation aux membres importés" in page
    assert "3 membres importés</strong> n'ont pas encore reçu l'invitation" in page
    assert "sans adresse e-mail" in page
    unconfirmed = admin_client.post(f"{PAGE}/inviter", follow_redirects=True)
    assert "Cochez la case pour confirmer l'envoi." in text_of(unconfirmed)
    assert invitations_queued() == []

    sent = admin_client.post(f"{PAGE}/inviter", data={"confirm": "y"}, follow_redirects=True)
    assert "L'invitation part vers 3 membres importés (1 lot" in text_of(sent)
    assert len(invitations_queued()) == 3
    again = admin_client.post(f"{PAGE}/inviter", data={"confirm": "y"}, follow_redirects=True)
    assert "ont déjà reçu l'invitation : personne de plus" in text_of(again)
    assert len(invitations_queued()) == 3
    assert db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "golive.invite").order_by(AuditEntry.id)).all() == [
        "3 membres invités", "0 membre invité"]

    client.post(link_of(chloe), data={**answer_form(chloe), "accept_charter": "y"})
    figures = counts(utcnow())
    assert (figures.imported, figures.without_address, figures.to_invite, figures.invited,
            figures.answered, figures.not_answered, figures.charter_pending) == (4, 1, 0, 3, 1,
                                                                                 2, 0)
    page = text_of(admin_client.get(PAGE))
    assert "a répondu le 23/11/2026" in page and page.count("pas encore de réponse") >= 2
    answered = admin_client.get(f"{PAGE}?reponse=oui").text
    assert "Importe002" in answered and "Importe000" not in answered
    unanswered = admin_client.get(f"{PAGE}?reponse=non").text
    assert "Importe000" in unanswered and "Importe001" in unanswered
    assert "Importe002" not in unanswered
    # Junk in the filter is ignored: everyone.
    assert "Importe002" in admin_client.get(f"{PAGE}?reponse=peut-etre").text

    # Invited today (the pages' instant): nobody to remind yet.
    reminded = admin_client.post(f"{PAGE}/relancer", follow_redirects=True)
    assert "Personne à relancer" in text_of(reminded)
    db.session.execute(GoLiveInvitation.__table__.update().values(sent_at=INVITED))
    db.session.commit()
    assert "Une relance partira vers <strong>2 membres</strong>" in text_of(admin_client.get(PAGE))
    reminded = admin_client.post(f"{PAGE}/relancer", follow_redirects=True)
    assert "Une relance part vers 2 membres sans réponse" in text_of(reminded)
    assert {m.recipient for m in invitations_queued("golive_reminder")} == {anne.email,
                                                                            basile.email}
    assert db.session.scalar(select(AuditEntry.detail).where(
        AuditEntry.action == "golive.remind").order_by(AuditEntry.id.desc()).limit(1)) == (
        "2 relances")
    # The members list leads to the page.
    assert f'href="{PAGE}"' in admin_client.get("/admin/membres").text


def test_the_back_office_list_runs_the_same_queries_for_3_or_60_invited(app, admin_client):
    batch = an_import()
    for n in range(3):
        imported(batch, n)
    invite_imported_members(INVITED)
    few = count_queries(admin_client, PAGE)
    for n in range(3, 60):
        imported(batch, n, charter=n % 2 == 0)
    invite_imported_members(INVITED)
    assert count_queries(admin_client, PAGE) == few
    assert count_queries(admin_client, f"{PAGE}?page=2") == few
    assert count_queries(admin_client, f"{PAGE}?reponse=non") == few


def test_anonymous_visitors_and_members_are_refused_the_back_office_page(people, client):
    member = people[0]
    visitors = {"anonymous": client, "member": client.application.test_client()}
    with visitors["member"].session_transaction() as session:
        member_session(session, member)
    for visitor in visitors.values():
        for method, url in (("GET", PAGE), ("POST", f"{PAGE}/inviter"),
                            ("POST", f"{PAGE}/relancer")):
            response = visitor.open(url, method=method, data={"confirm": "y"})
            assert response.status_code == 302, (method, url)
            assert "/admin/connexion" in response.headers["Location"]
    assert invitations_queued() == []


def test_a_post_without_its_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        batch = an_import()
        anne = imported(batch, 0, charter=False)
        admin = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        admin_client = app.test_client()
        with admin_client.session_transaction() as session:
            session.update(session_values("admin", admin, utcnow()))
        refused = admin_client.post(f"{PAGE}/inviter", data={"confirm": "y"})
        assert refused.status_code == 400 and "Formulaire expiré" in refused.text
        assert invitations_queued() == []
        assert admin_client.post(f"{PAGE}/relancer").status_code == 400

        invite_imported_members(INVITED)
        link = link_of(anne)
        visitor = app.test_client()
        data = {**answer_form(anne, organisation="X"), "accept_charter": "y"}
        refused = visitor.post(link, data=data)
        assert refused.status_code == 400 and "Formulaire expiré" in refused.text
        db.session.expire_all()
        assert db.session.get(GoLiveInvitation, anne.id).answered_at is None
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          visitor.get(link).text)[1]
        assert visitor.post(link, data={**data, "csrf_token": token}).status_code == 302
        db.session.expire_all()
        assert anne.organisation == "X"


def test_of_two_answers_racing_on_the_same_link_one_is_recorded(people):
    anne = people[0]
    invite_imported_members(INVITED)
    invitation = db.session.get(GoLiveInvitation, anne.id)
    first = details(email=anne.email, organisation="Première")
    assert answer(invitation, first, False, FROZEN_NOW) is False
    db.session.commit()
    with pytest.raises(LinkProblem) as problem:
        answer(invitation, details(email=anne.email, organisation="Seconde"), False, FROZEN_NOW)
    assert problem.value.kind == "used"
    db.session.rollback()
    assert anne.organisation == "Première"
