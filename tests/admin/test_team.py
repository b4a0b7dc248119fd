"""« Équipe »: the back-office accounts managed from the web. The rules (network.admin.team) on
both databases; the pages on SQLite."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.admin import team
from network.admin.models import AdminUser, AuditEntry
from network.admin.roles import ADMINISTRATEUR, ANIMATION, LECTURE
from network.admin.services import authenticate, create_admin
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.services import LinkProblem, signed_serializer
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FROZEN_NOW
from tests.support.queries import count_queries
from tests.support.typography import as_typed

NOW = FROZEN_NOW
CLAIRE = "claire.fabre@carsat-lr.fr"
PAUL = "paul.durand@dreets.gouv.fr"
PASSWORD = "un-autre-mot-de-passe"
LINK = re.compile(r"http://reseau\.test/admin/invitation/(\S+)")
pages_on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def invitation_token(address: str) -> str:
    """The token of the latest invitation e-mailed to the address."""
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == address, OutboxMessage.template == "admin_invitation")
        .order_by(OutboxMessage.id.desc())).first()
    return LINK.search(message.body_text).group(1)


def journal() -> list[tuple[str, str, str]]:
    return [(entry.admin_email, entry.action, entry.detail) for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith("team."))
        .order_by(AuditEntry.id))]


def make_account(email: str, role: str = ADMINISTRATEUR) -> AdminUser:
    account = create_admin(email, ADMIN_PASSWORD, role)
    db.session.commit()
    return account


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/admin/connexion", data={"email": email, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.text
    return client


# --- The rules, on both databases ---------------------------------------------------------------

def test_an_invitation_e_mails_a_link_that_sets_the_password_once(app, admin):
    account = team.invite(" Claire.Fabre@carsat-lr.fr ", ANIMATION, ADMIN_EMAIL, NOW)
    db.session.commit()
    assert (account.email, account.role, account.active) == (CLAIRE, ANIMATION, False)
    assert authenticate(CLAIRE, "") is None
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == CLAIRE))
    assert message.subject == team.INVITATION_SUBJECT
    assert message.dedup_key == f"admin-invitation:{account.id}:{account.invitation_nonce}"
    text = as_typed(message.body_text)
    assert "avec le rôle « Animation »" in text
    assert "jusqu'au 30 novembre 2026 à 9 h" in text  # 7 days, Paris time
    token = invitation_token(CLAIRE)

    assert team.account_for_invitation(token, NOW + timedelta(days=6)) == account
    assert team.accept_invitation(account, PASSWORD, NOW + timedelta(days=6))
    db.session.commit()
    assert account.active and account.last_login_at == NOW + timedelta(days=6)
    assert authenticate(CLAIRE, PASSWORD) == account
    with pytest.raises(LinkProblem) as used:
        team.account_for_invitation(token, NOW + timedelta(days=6))
    assert used.value.kind == "used"
    assert journal() == [(ADMIN_EMAIL, "team.invite", f"{CLAIRE} (Animation)"),
                         (CLAIRE, "team.accept", "Animation")]


def test_an_expired_invitation_is_sent_again_with_a_new_link(app, admin):
    team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    first = invitation_token(CLAIRE)
    later = NOW + timedelta(days=7)
    with pytest.raises(LinkProblem) as expired:
        team.account_for_invitation(first, later)
    assert expired.value.kind == "expired"
    assert team.state(db.session.scalar(select(AdminUser).where(AdminUser.email == CLAIRE)),
                      later) == team.INVITATION_EXPIRED

    account = team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, later)
    db.session.commit()
    second = invitation_token(CLAIRE)
    assert second != first
    assert team.account_for_invitation(second, later) == account
    with pytest.raises(LinkProblem) as replaced:
        team.account_for_invitation(first, NOW)
    assert replaced.value.kind == "invalid"
    assert db.session.scalar(select(AdminUser.id).where(AdminUser.email == CLAIRE)) == account.id


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: token[: len(token) // 2],
    lambda token: signed_serializer("charter").dumps({"a": 1, "n": "x"}),
    lambda token: signed_serializer("admin-invitation").dumps({"a": 2**31 - 1, "n": "x"}),
    lambda token: signed_serializer("admin-invitation").dumps(["a", "n"]),
    lambda token: "pas-un-lien",
])
def test_a_forged_link_is_refused(app, admin, forge):
    team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    with pytest.raises(LinkProblem) as forged:
        team.account_for_invitation(forge(invitation_token(CLAIRE)), NOW)
    assert forged.value.kind == "invalid"


def test_of_two_clicks_on_one_link_only_one_sets_the_password(app, admin):
    team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    # This click read the link's account; meanwhile the other click took the link.
    account = team.account_for_invitation(invitation_token(CLAIRE), NOW)
    db.session.execute(AdminUser.__table__.update().values(invitation_nonce=None))
    assert not team.accept_invitation(account, PASSWORD, NOW)
    db.session.expire_all()
    assert not account.active and account.password_hash == ""


def test_an_address_with_an_active_account_is_not_invited(app, admin):
    with pytest.raises(team.TeamError, match="déjà un compte actif"):
        team.invite(ADMIN_EMAIL.upper(), LECTURE, ADMIN_EMAIL, NOW)
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_disabled_account_can_be_invited_again(app, admin):
    make_account(PAUL, LECTURE)
    paul = db.session.scalar(select(AdminUser).where(AdminUser.email == PAUL))
    team.disable(paul, admin, NOW)
    team.invite(PAUL, ANIMATION, ADMIN_EMAIL, NOW)
    db.session.commit()
    assert team.accept_invitation(team.account_for_invitation(invitation_token(PAUL), NOW),
                                  PASSWORD, NOW)
    assert (paul.active, paul.role) == (True, ANIMATION)
    assert authenticate(PAUL, ADMIN_PASSWORD) is None, "the old password is gone"


def test_disabling_cancels_an_invitation_and_enabling_needs_a_password(app, admin):
    claire = team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    token = invitation_token(CLAIRE)
    team.disable(claire, admin, NOW)
    with pytest.raises(LinkProblem):
        team.account_for_invitation(token, NOW)
    assert team.state(claire, NOW) == team.DISABLED
    with pytest.raises(team.TeamError, match="jamais eu de mot de passe"):
        team.enable(claire, admin, NOW)
    with pytest.raises(team.TeamError, match="déjà désactivé"):
        team.disable(claire, admin, NOW)


def test_disable_and_enable_an_account(app, admin):
    paul = make_account(PAUL, LECTURE)
    generation = paul.session_generation
    team.disable(paul, admin, NOW)
    db.session.commit()
    assert not paul.active and paul.session_generation == generation + 1
    assert authenticate(PAUL, ADMIN_PASSWORD) is None
    team.enable(paul, admin, NOW)
    db.session.commit()
    assert authenticate(PAUL, ADMIN_PASSWORD) == paul
    with pytest.raises(team.TeamError, match="déjà actif"):
        team.enable(paul, admin, NOW)
    assert journal() == [(ADMIN_EMAIL, "team.disable", PAUL), (ADMIN_EMAIL, "team.enable", PAUL)]


def test_a_role_change_is_in_the_journal_from_and_to(app, admin):
    paul = make_account(PAUL, LECTURE)
    assert team.change_role(paul, ANIMATION, admin, NOW)
    assert not team.change_role(paul, ANIMATION, admin, NOW), "already"
    assert team.change_role(paul, ADMINISTRATEUR, None, NOW)
    with pytest.raises(team.TeamError, match="Rôle inconnu"):
        team.change_role(paul, "superadmin", admin, NOW)
    assert journal() == [(ADMIN_EMAIL, "team.role", f"{PAUL} : Lecture → Animation"),
                         (team.COMMAND_LINE, "team.role", f"{PAUL} : Animation → Administrateur")]


def test_the_last_active_administrator_is_never_disabled_nor_demoted(app, admin):
    with pytest.raises(team.TeamError, match="dernier compte administrateur"):
        team.change_role(admin, ANIMATION, None, NOW)
    with pytest.raises(team.TeamError, match="dernier compte administrateur"):
        team.disable(admin, None, NOW)
    # A disabled administrator does not count; an invited one neither.
    make_account(PAUL)
    team.disable(db.session.scalar(select(AdminUser).where(AdminUser.email == PAUL)), admin, NOW)
    team.invite(CLAIRE, ADMINISTRATEUR, ADMIN_EMAIL, NOW)
    with pytest.raises(team.TeamError, match="dernier compte administrateur"):
        team.change_role(admin, LECTURE, None, NOW)
    # With another active administrator, one can go.
    other = make_account("autre.admin@gt-qvt.fr")
    team.change_role(admin, LECTURE, other, NOW)
    with pytest.raises(team.TeamError, match="dernier compte administrateur"):
        team.disable(other, None, NOW)
    assert admin.active and (admin.role, other.role) == (LECTURE, ADMINISTRATEUR)


def test_nobody_disables_or_demotes_themself(app, admin):
    make_account(PAUL)
    with pytest.raises(team.TeamError, match="propre compte"):
        team.disable(admin, admin, NOW)
    with pytest.raises(team.TeamError, match="propre rôle"):
        team.change_role(admin, ANIMATION, admin, NOW)
    assert admin.active and admin.role == ADMINISTRATEUR


def test_the_command_line_changes_a_role_and_lists_invitations(app, admin):
    runner = app.test_cli_runner()
    make_account(PAUL, LECTURE)
    result = runner.invoke(args=["admin", "role", PAUL.upper(), "animation"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(AdminUser.role).where(AdminUser.email == PAUL)) == ANIMATION
    refused = runner.invoke(args=["admin", "role", ADMIN_EMAIL, "lecture"])
    assert refused.exit_code == 1 and "dernier compte administrateur" in refused.output
    assert runner.invoke(args=["admin", "role", "inconnu@gt-qvt.fr", "lecture"]).exit_code == 1
    team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    listing = runner.invoke(args=["admin", "list"]).output
    assert f"{CLAIRE}\tinvité\tlecture" in listing
    assert f"{PAUL}\tactif\tanimation" in listing


def test_the_command_line_s_create_takes_up_an_invited_address(app, admin):
    team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    token = invitation_token(CLAIRE)
    create_admin(CLAIRE, PASSWORD, ANIMATION)
    db.session.commit()
    with pytest.raises(LinkProblem):
        team.account_for_invitation(token, NOW)


# --- The pages, on SQLite -----------------------------------------------------------------------

@pages_on_sqlite
def test_an_invited_person_sets_a_password_and_is_signed_in_with_their_role(app, admin_client):
    response = admin_client.post("/admin/equipe", data={"email": CLAIRE, "role": ANIMATION})
    assert response.status_code == 302
    assert f"Invitation envoyée à {CLAIRE}" in admin_client.get("/admin/equipe").text
    path = f"/admin/invitation/{invitation_token(CLAIRE)}"
    claire = app.test_client()
    page = claire.get(path)
    assert page.status_code == 200
    assert "avec le rôle <strong>Animation</strong>" in page.text and CLAIRE in page.text
    mismatch = claire.post(path, data={"password": PASSWORD, "password_again": PASSWORD + "x"})
    assert mismatch.status_code == 400 and "ne sont pas identiques" in mismatch.text
    short = claire.post(path, data={"password": "court", "password_again": "court"})
    assert short.status_code == 400 and "Au moins 12 caractères." in short.text
    response = claire.post(path, data={"password": PASSWORD, "password_again": PASSWORD})
    assert response.headers["Location"] == "/admin/"
    assert "Votre compte est activé" in claire.get("/admin/").text
    assert claire.get("/admin/evenements").status_code == 200
    assert claire.get("/admin/membres").status_code == 403
    assert claire.get("/admin/equipe").status_code == 403
    again = app.test_client().get(path)
    assert again.status_code == 410 and "Cette invitation a déjà servi" in again.text


@pages_on_sqlite
def test_expired_reused_and_forged_links_get_a_french_page(app, admin, client):
    team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW - timedelta(days=7))
    db.session.commit()
    expired = client.get(f"/admin/invitation/{invitation_token(CLAIRE)}")
    assert expired.status_code == 410 and "Cette invitation a expiré" in expired.text
    posted = client.post(f"/admin/invitation/{invitation_token(CLAIRE)}",
                         data={"password": PASSWORD, "password_again": PASSWORD})
    assert posted.status_code == 410
    forged = client.get("/admin/invitation/abc.def")
    assert forged.status_code == 404 and "Ce lien d'invitation n'est pas valable" in forged.text
    assert not db.session.scalar(select(AdminUser.active).where(AdminUser.email == CLAIRE))


@pages_on_sqlite
def test_an_active_address_is_refused_next_to_the_field(admin_client):
    response = admin_client.post("/admin/equipe", data={"email": ADMIN_EMAIL, "role": LECTURE})
    assert response.status_code == 400
    assert 'id="email-erreur"' in response.text and "déjà un compte actif" in response.text
    empty = admin_client.post("/admin/equipe", data={"email": "", "role": ""})
    assert empty.status_code == 400 and "Choisissez un rôle." in empty.text


@pages_on_sqlite
def test_the_team_page_lists_the_accounts_in_constant_queries(app, admin_client):
    make_account(PAUL, LECTURE)
    team.invite(CLAIRE, ANIMATION, ADMIN_EMAIL, NOW)
    db.session.commit()
    page = admin_client.get("/admin/equipe").text
    for expected in (PAUL, CLAIRE, "Lecture", "Animation", "Administrateur", "Actif",
                     "Invitation envoyée", "valable jusqu'au 30 novembre 2026 à 9 h",
                     "23 novembre 2026 à 9 h", "jamais"):
        assert expected in page, expected
    before = count_queries(admin_client, "/admin/equipe")
    for number in range(5):
        make_account(f"membre{number}@gt-qvt.fr", LECTURE)
        team.invite(f"invite{number}@gt-qvt.fr", LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    assert count_queries(admin_client, "/admin/equipe") == before


@pages_on_sqlite
def test_an_account_s_page_resends_disables_and_enables(app, admin, admin_client):
    claire = team.invite(CLAIRE, LECTURE, ADMIN_EMAIL, NOW)
    db.session.commit()
    first = invitation_token(CLAIRE)
    page = admin_client.get(f"/admin/equipe/{claire.id}").text
    assert "Renvoyer l'invitation" in page and "Annuler l'invitation" in page
    response = admin_client.post(f"/admin/equipe/{claire.id}/renvoyer-invitation")
    assert response.status_code == 302
    assert invitation_token(CLAIRE) != first
    assert app.test_client().get(f"/admin/invitation/{first}").status_code == 404

    paul = make_account(PAUL, ANIMATION)
    paul_client = signed_in(app, PAUL)
    assert "Désactiver le compte" in admin_client.get(f"/admin/equipe/{paul.id}").text
    assert admin_client.post(f"/admin/equipe/{paul.id}/desactiver").status_code == 302
    assert paul_client.get("/admin/").status_code == 302, "its sessions ended"
    assert "Réactiver le compte" in admin_client.get(f"/admin/equipe/{paul.id}").text
    assert admin_client.post(f"/admin/equipe/{paul.id}/reactiver").status_code == 302
    assert signed_in(app, PAUL).get("/admin/").status_code == 200
    assert admin_client.get(f"/admin/equipe/{2**31 - 1}").status_code == 404


@pages_on_sqlite
def test_a_new_role_takes_effect_at_the_next_request(app, admin, admin_client):
    paul = make_account(PAUL)
    paul_client = signed_in(app, PAUL)
    assert paul_client.get("/admin/membres").status_code == 200
    response = admin_client.post(f"/admin/equipe/{paul.id}/role", data={"role": LECTURE})
    assert response.status_code == 302
    assert paul_client.get("/admin/membres").status_code == 403
    assert paul_client.get("/admin/").status_code == 200
    assert "a maintenant le rôle Lecture" in admin_client.get(f"/admin/equipe/{paul.id}").text
    assert admin_client.post(f"/admin/equipe/{paul.id}/role",
                             data={"role": "chef"}).status_code == 400


@pages_on_sqlite
def test_an_administrator_cannot_disable_or_demote_themself_on_the_pages(app, admin,
                                                                          admin_client):
    own = f"/admin/equipe/{admin.id}"
    page = admin_client.get(own).text
    assert "C'est votre compte" in page and "Désactiver le compte" not in page
    refused = admin_client.post(f"{own}/desactiver")
    assert refused.status_code == 409 and "propre compte" in refused.text
    demoted = admin_client.post(f"{own}/role", data={"role": LECTURE})
    assert demoted.status_code == 409 and "propre rôle" in demoted.text
    db.session.expire_all()
    assert admin.active and admin.role == ADMINISTRATEUR
    assert journal() == []


@pages_on_sqlite
def test_the_changes_are_in_the_journal(app, admin, admin_client):
    paul = make_account(PAUL, LECTURE)
    admin_client.post("/admin/equipe", data={"email": CLAIRE, "role": LECTURE})
    admin_client.post(f"/admin/equipe/{paul.id}/role", data={"role": ANIMATION})
    admin_client.post(f"/admin/equipe/{paul.id}/desactiver")
    admin_client.post(f"/admin/equipe/{paul.id}/reactiver")
    page = admin_client.get("/admin/journal").text
    for label in ("Invitation à l'administration envoyée", "Rôle d'un compte de l'administration "
                  "changé", "Compte de l'administration désactivé",
                  "Compte de l'administration réactivé", f"{PAUL} : Lecture → Animation"):
        assert label in page, label


@pages_on_sqlite
@pytest.mark.parametrize("role", [LECTURE, ANIMATION])
def test_only_administrators_reach_the_team(app, admin, role):
    account = make_account(PAUL, role)
    client = signed_in(app, PAUL)
    assert client.get("/admin/equipe").status_code == 403
    assert client.post("/admin/equipe", data={"email": CLAIRE, "role": ADMINISTRATEUR}
                       ).status_code == 403
    for method, path in (("GET", f"/admin/equipe/{account.id}"),
                         ("POST", f"/admin/equipe/{admin.id}/desactiver"),
                         ("POST", f"/admin/equipe/{account.id}/role")):
        assert client.open(path, method=method).status_code == 403, path
    assert "Équipe</a>" not in client.get("/admin/").text
    assert db.session.scalar(select(AdminUser.id).where(AdminUser.email == CLAIRE)) is None


@pages_on_sqlite
def test_the_menus_show_only_what_the_role_opens(app, admin, admin_client):
    make_account(PAUL, LECTURE)
    dashboard = signed_in(app, PAUL).get("/admin/").text
    menu = dashboard[dashboard.index('aria-label="Administration"'):dashboard.index("</nav>")]
    assert re.findall(r'class="nav-link" href="([^"]+)"', menu) == ["/admin/"]
    assert "paul.durand@dreets.gouv.fr · Lecture" in dashboard
    assert 'href="/admin/equipe"' in admin_client.get("/admin/").text
