"""The back-office's second factor: codes of an authenticator app (TOTP, with an injected clock),
single-use recovery codes, the two-step sign-in, the setting that makes it mandatory, the reset
by an administrator. The services run on both databases, the pages on SQLite."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from network.admin import two_factor
from network.admin.models import AdminRecoveryCode, AdminUser, AuditEntry
from network.admin.roles import ANIMATION
from network.admin.services import create_admin
from network.extensions import db
from network.mail.models import OutboxMessage
from tests.admin.test_auth import admin_rules, fill
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FROZEN_NOW

# The pages: once, on SQLite (their services are tested on both databases).
pages_on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# The sign-in pages see FROZEN_NOW (tests.conftest); the services are given their own clock.
NOW = FROZEN_NOW
OTHER_EMAIL = "claire.admin@gt-qvt.fr"
SET_UP = "/admin/compte/double-authentification"


def code_at(moment, secret=SECRET) -> str:
    """What the admin's phone shows at that moment."""
    return pyotp.TOTP(secret).at(moment)


def wrong_code(moment) -> str:
    """Six digits that are the code of no step around that moment."""
    near = {code_at(moment + timedelta(seconds=step)) for step in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in near)


def enabled(admin, now=NOW, secret=SECRET) -> list[str]:
    codes = two_factor.enable(admin, secret, code_at(now, secret), now)
    db.session.commit()
    return codes


def journal() -> list[tuple[str, str, str]]:
    return list(db.session.execute(select(AuditEntry.admin_email, AuditEntry.action,
                                          AuditEntry.detail).order_by(AuditEntry.id)))


# --- The authenticator's codes ----------------------------------------------------------------

def test_the_code_of_now_and_of_one_step_either_side_is_the_app_s(app, admin):
    counter = pyotp.TOTP(SECRET).timecode(NOW)
    for seconds, expected in ((-60, None), (-30, counter - 1), (0, counter), (30, counter + 1),
                              (60, None)):
        code = code_at(NOW + timedelta(seconds=seconds))
        assert two_factor.matching_counter(SECRET, code, NOW) == expected, seconds
    assert two_factor.matching_counter(SECRET, f" {code_at(NOW)[:3]} {code_at(NOW)[3:]} ",
                                       NOW) == counter, "spaces typed do not matter"
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12345\x00"):
        assert two_factor.matching_counter(SECRET, junk, NOW) is None, junk


def test_turning_it_on_needs_a_code_of_the_app_and_gives_ten_recovery_codes(app, admin):
    with pytest.raises(two_factor.TwoFactorError, match="ne correspond pas"):
        two_factor.enable(admin, SECRET, code_at(NOW - timedelta(minutes=2)), NOW)
    assert not admin.has_second_factor
    codes = enabled(admin)
    assert len(codes) == 10 == len(set(codes))
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
               for code in codes)
    assert (admin.totp_secret, admin.totp_enabled_at) == (SECRET, NOW)
    # Only digests are kept.
    stored = set(db.session.scalars(select(AdminRecoveryCode.code_hash)))
    assert len(stored) == 10 and not stored & {code.replace("-", "") for code in codes}
    assert journal() == [(ADMIN_EMAIL, "admin.two_factor_enabled", "")]
    with pytest.raises(two_factor.TwoFactorError, match="déjà activée"):
        two_factor.enable(admin, SECRET, code_at(NOW + timedelta(seconds=30)), NOW)


def test_a_code_serves_once_and_never_an_earlier_one(app, admin):
    enabled(admin, NOW)
    later = NOW + timedelta(minutes=10)
    two_factor.check_code(admin, code_at(later), later)
    # The same code again (seen over a shoulder, or sent twice) is refused.
    with pytest.raises(two_factor.TwoFactorError, match="déjà servi"):
        two_factor.check_code(admin, code_at(later), later)
    # So is the code of the step before, still within the drift window.
    with pytest.raises(two_factor.TwoFactorError, match="déjà servi"):
        two_factor.check_code(admin, code_at(later - timedelta(seconds=30)), later)
    db.session.commit()
    assert db.session.get(AdminUser, admin.id).totp_last_counter == \
        pyotp.TOTP(SECRET).timecode(later)
    # The next step's code is fine, and a wrong one is said to be wrong.
    two_factor.check_code(admin, code_at(later + timedelta(seconds=30)), later)
    with pytest.raises(two_factor.TwoFactorError, match="pas le bon"):
        two_factor.check_code(admin, wrong_code(later), later + timedelta(minutes=5))


def test_the_code_that_turned_it_on_does_not_sign_in(app, admin):
    enabled(admin, NOW)
    with pytest.raises(two_factor.TwoFactorError, match="déjà servi"):
        two_factor.check_code(admin, code_at(NOW), NOW)


# --- Recovery codes ---------------------------------------------------------------------------

def test_a_recovery_code_serves_once_however_it_is_typed(app, admin):
    codes = enabled(admin)
    later = NOW + timedelta(days=3)
    first, second, third = codes[:3]
    assert two_factor.use_recovery_code(admin, first, later) == 9
    with pytest.raises(two_factor.TwoFactorError, match="déjà servi"):
        two_factor.use_recovery_code(admin, first, later)
    # Lower case, spaces instead of the dash, or none at all; O for 0, I or L for 1.
    typed = " ".join(second.replace("-", "").lower()).replace("0", "o").replace("1", "l")
    assert two_factor.use_recovery_code(admin, typed, later) == 8
    assert two_factor.use_recovery_code(admin, third.replace("-", "  "), later) == 7
    for wrong in ("", "ABCDE-FGHJK", first + "X", "é" * 10):
        with pytest.raises(two_factor.TwoFactorError):
            two_factor.use_recovery_code(admin, wrong, later)
    db.session.commit()
    assert two_factor.recovery_codes_left(admin) == 7
    assert journal()[-1] == (ADMIN_EMAIL, "admin.recovery_code_used",
                             "Codes de secours restants : 7")


def test_new_recovery_codes_end_the_old_ones(app, admin):
    old = enabled(admin)
    two_factor.use_recovery_code(admin, old[0], NOW)
    new = two_factor.regenerate_recovery_codes(admin, NOW)
    db.session.commit()
    assert not set(new) & set(old)
    assert two_factor.recovery_codes_left(admin) == 10
    with pytest.raises(two_factor.TwoFactorError):
        two_factor.use_recovery_code(admin, old[1], NOW)
    assert two_factor.use_recovery_code(admin, new[0], NOW) == 9
    assert [action for _, action, _ in journal()] == [
        "admin.two_factor_enabled", "admin.recovery_code_used",
        "admin.recovery_codes_regenerated", "admin.recovery_code_used"]


def test_another_account_s_codes_do_not_work(app, admin):
    codes = enabled(admin)
    other = create_admin(OTHER_EMAIL, ADMIN_PASSWORD)
    db.session.commit()
    enabled(other, secret=pyotp.random_base32())
    with pytest.raises(two_factor.TwoFactorError):
        two_factor.use_recovery_code(other, codes[0], NOW)


# --- Reset and the pending sign-in ------------------------------------------------------------

def test_an_administrator_resets_another_account_and_its_sessions_end(app, admin):
    other = create_admin(OTHER_EMAIL, ADMIN_PASSWORD)
    db.session.commit()
    enabled(other)
    generation = other.session_generation
    with pytest.raises(two_factor.TwoFactorError, match="votre propre"):
        two_factor.reset(other, OTHER_EMAIL, NOW)
    two_factor.reset(other, ADMIN_EMAIL, NOW)
    db.session.commit()
    db.session.refresh(other)
    assert (other.totp_secret, other.totp_enabled_at, other.totp_last_counter) == (None,) * 3
    assert other.session_generation == generation + 1
    assert db.session.scalar(select(func.count()).select_from(AdminRecoveryCode)) == 0
    assert journal()[-1] == (ADMIN_EMAIL, "admin.two_factor_reset", OTHER_EMAIL)
    with pytest.raises(two_factor.TwoFactorError, match="n'a pas de double"):
        two_factor.reset(other, ADMIN_EMAIL, NOW)


def test_a_pending_sign_in_holds_five_minutes_while_the_account_is_the_same(app, admin):
    enabled(admin)
    pending = two_factor.read_pending(two_factor.pending_sign_in(admin, NOW, "/admin/x")
                                      .as_session())
    assert pending.target == "/admin/x"
    assert two_factor.pending_admin(pending, NOW + timedelta(minutes=5)) == admin
    assert two_factor.pending_admin(pending, NOW + timedelta(minutes=5, seconds=1)) is None
    admin.session_generation += 1  # a new password, « sign out everywhere », a disabled account
    db.session.commit()
    assert two_factor.pending_admin(pending, NOW) is None
    for junk in (None, "x", {}, {"id": "a", "generation": 0, "until": 0}):
        assert two_factor.read_pending(junk) is None


# --- Pages: set-up ----------------------------------------------------------------------------

def secret_on(page: str) -> str:
    return re.search(r'<code id="cle-secrete">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>", page)


def set_up_with_the_page(app, client) -> tuple[str, list[str]]:
    """Set the second factor up as an admin does it, reading the key on the page."""
    secret = secret_on(client.get(SET_UP).text)
    response = client.post(SET_UP, data={"code": code_at(app.config["FROZEN_NOW"], secret)})
    assert response.status_code == 200, response.text
    return secret, codes_on(response.text)


@pages_on_sqlite
def test_the_set_up_page_shows_a_qr_code_and_the_key_then_the_codes_once(app, admin,
                                                                        admin_client):
    # A session opened elsewhere with the password alone (by whoever else knew it).
    elsewhere = app.test_client()
    assert password(elsewhere).status_code == 302
    page = admin_client.get(SET_UP)
    assert page.status_code == 200
    assert '<svg role="img" aria-label="Code QR' in page.text
    secret = secret_on(page.text)
    assert len(secret) == 32
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page.text), "the key in groups of four"
    assert "Réseau QVT Occitanie" in page.text and ADMIN_EMAIL in page.text
    assert secret_on(admin_client.get(SET_UP).text) == secret, "the same key on reload"
    with admin_client.session_transaction() as session:
        assert secret not in repr(dict(session)), "the cookie holds a nonce, not the key"
    wrong = admin_client.post(SET_UP, data={"code": "12345"})
    assert wrong.status_code == 400
    assert 'id="code-erreur"' in wrong.text and "Ce code ne correspond pas" in wrong.text
    empty = admin_client.post(SET_UP, data={"code": ""})
    assert "Saisissez le code à 6 chiffres" in empty.text
    done = admin_client.post(SET_UP, data={"code": code_at(NOW, secret)})
    assert done.status_code == 200
    assert "Notez ces 10 codes maintenant" in done.text
    assert len(set(codes_on(done.text))) == 10
    assert done.headers["Cache-Control"] == "no-store"
    status = admin_client.get(SET_UP).text
    assert "Il vous reste <strong>10 codes de secours</strong> sur 10." in status
    assert secret not in status
    assert "Double authentification</a>" in admin_client.get("/admin/").text, "no « non activée »"
    assert 'href="otpauth://totp/' in page.text and f"secret={secret}" in page.text
    assert elsewhere.get("/admin/").status_code == 302, "the other sessions ended"


@pages_on_sqlite
def test_control_characters_in_the_codes_get_a_french_message(app, admin, admin_client):
    page = admin_client.post(SET_UP, data={"code": "12\x0034"})
    assert page.status_code == 400 and "caractères de contrôle" in page.text
    set_up_with_the_page(app, admin_client)
    for field in ("codes-password", "desactivation-password"):
        action = "codes-de-secours" if field.startswith("codes") else "desactiver"
        page = admin_client.post(f"{SET_UP}/{action}", data={field: "a\x00b"})
        assert page.status_code == 400 and "caractères de contrôle" in page.text, field
    admin_client.post("/admin/deconnexion")
    client = app.test_client()
    password(client)
    for field in ("code", "recovery_code"):
        page = client.post("/admin/connexion/code", data={field: "12\r\n34"})
        assert page.status_code == 400 and "caractères de contrôle" in page.text, field


@pages_on_sqlite
def test_new_recovery_codes_and_turning_it_off_ask_the_password_again(app, admin,
                                                                      admin_client):
    _, codes = set_up_with_the_page(app, admin_client)
    wrong = admin_client.post(f"{SET_UP}/codes-de-secours", data={"codes-password": "non"})
    assert wrong.status_code == 400 and "Ce mot de passe n'est pas le bon." in wrong.text
    new = admin_client.post(f"{SET_UP}/codes-de-secours",
                            data={"codes-password": ADMIN_PASSWORD})
    assert new.status_code == 200 and "les précédents ne fonctionnent plus" in new.text
    assert not set(codes_on(new.text)) & set(codes)
    off = admin_client.post(f"{SET_UP}/desactiver", data={"desactivation-password": "non"})
    assert off.status_code == 400 and db.session.get(AdminUser, admin.id).has_second_factor
    off = admin_client.post(f"{SET_UP}/desactiver",
                            data={"desactivation-password": ADMIN_PASSWORD},
                            follow_redirects=True)
    assert "La double authentification est désactivée" in off.text
    db.session.expire_all()
    assert not db.session.get(AdminUser, admin.id).has_second_factor
    assert [action for _, action, _ in journal()] == [
        "admin.two_factor_enabled", "admin.recovery_codes_regenerated",
        "admin.two_factor_disabled"]


# --- Pages: the two-step sign-in --------------------------------------------------------------

def password(client, target: str = "", **environ):
    return client.post(f"/admin/connexion{target}", environ_base=environ,
                       data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})


def code(client, value: str, field: str = "code", **environ):
    return client.post("/admin/connexion/code", data={field: value}, environ_base=environ)


@pytest.fixture
def second_factor(app, admin):
    """The admin's second factor, on (its recovery codes)."""
    return enabled(admin, NOW - timedelta(days=1))


@pages_on_sqlite
def test_after_the_password_the_code_opens_the_session_and_goes_where_asked(app, admin,
                                                                           second_factor):
    client = app.test_client()
    response = password(client, "?next=/admin/membres")
    assert response.headers["Location"] == "/admin/connexion/code"
    assert client.get("/admin/").status_code == 302, "not signed in yet"
    assert db.session.get(AdminUser, admin.id).last_login_at is None
    page = client.get("/admin/connexion/code")
    assert "Dernière étape : saisissez le code à 6 chiffres" in page.text
    wrong = code(client, wrong_code(NOW))
    assert wrong.status_code == 400 and "Ce code n'est pas le bon." in wrong.text
    response = code(client, code_at(NOW))
    assert response.headers["Location"] == "/admin/membres"
    assert client.get("/admin/membres").status_code == 200
    db.session.expire_all()
    assert db.session.get(AdminUser, admin.id).last_login_at == NOW
    # The same code, from another browser that has the password: refused.
    thief = app.test_client()
    password(thief)
    assert code(thief, code_at(NOW)).status_code == 400


@pages_on_sqlite
def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, admin, second_factor):
    client = app.test_client()
    password(client)
    response = code(client, second_factor[0].lower().replace("-", " "), "recovery_code")
    assert response.headers["Location"] == "/admin/"
    assert "Il vous en reste 9 codes." in client.get("/admin/").text
    client.post("/admin/deconnexion")
    password(client)
    again = code(client, second_factor[0], "recovery_code")
    assert again.status_code == 400 and "Ce code de secours n'est pas valable" in again.text
    assert "<details class=\"mt-4\" open>" in again.text, "the recovery form stays open"
    # Typed in the field of the app's code, a recovery code works as well.
    assert code(client, second_factor[1]).headers["Location"] == "/admin/"
    assert journal()[-1] == (ADMIN_EMAIL, "admin.recovery_code_used",
                             "Codes de secours restants : 8")
    journal_page = admin_client_of(app).get("/admin/journal").text
    assert "Connexion avec un code de secours" in journal_page


def admin_client_of(app, email=OTHER_EMAIL):
    """Another administrator, signed in (without a second factor)."""
    if db.session.scalar(select(AdminUser).where(AdminUser.email == email)) is None:
        create_admin(email, ADMIN_PASSWORD)
        db.session.commit()
    client = app.test_client()
    assert client.post("/admin/connexion", data={"email": email, "password": ADMIN_PASSWORD}
                       ).status_code == 302
    return client


@pages_on_sqlite
def test_the_second_step_expires_and_the_password_is_asked_again(app, admin, second_factor):
    client = app.test_client()
    password(client, "?next=/admin/evenements")
    app.config["FROZEN_NOW"] = NOW + timedelta(minutes=5, seconds=1)
    response = code(client, code_at(app.config["FROZEN_NOW"]))
    assert response.headers["Location"] == "/admin/connexion?next=/admin/evenements"
    assert "Le délai pour saisir le code est dépassé" in client.get(response.location).text
    assert client.get("/admin/").status_code == 302
    # Straight to the second step, without a password: back to the first.
    assert app.test_client().get("/admin/connexion/code").location == "/admin/connexion"


@pages_on_sqlite
def test_a_sign_out_everywhere_ends_a_pending_second_step(app, admin, second_factor):
    client = app.test_client()
    password(client)
    app.test_cli_runner().invoke(args=["admin", "sign-out", ADMIN_EMAIL])
    assert code(client, code_at(NOW)).status_code == 302
    assert client.get("/admin/").status_code == 302


@pages_on_sqlite
def test_wrong_codes_are_throttled_with_the_passwords(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        enabled(db.session.scalar(select(AdminUser)), NOW - timedelta(days=1))
        client = app.test_client()
        attacker = {"REMOTE_ADDR": "203.0.113.66"}
        assert client.post("/admin/connexion", environ_base=attacker, data={
            "email": ADMIN_EMAIL, "password": "mauvais"}).status_code == 400
        assert password(client, **attacker).status_code == 302
        # Four wrong codes and the wrong password: five failures of this account from here.
        assert [code(client, wrong_code(NOW), **attacker).status_code
                for _ in range(5)] == [400] * 4 + [429]
        blocked = code(client, code_at(NOW), **attacker)
        assert blocked.status_code == 429, "even the right code waits"
        assert "Trop de demandes" in blocked.text and "Patientez" in blocked.text
        assert password(client, **attacker).status_code == 429
        # The admin, from the office, is not locked out.
        office = app.test_client()
        assert password(office, REMOTE_ADDR="198.51.100.7").status_code == 302
        assert code(office, code_at(NOW), REMOTE_ADDR="198.51.100.7").status_code == 302


def test_wrong_codes_from_everywhere_run_out_for_the_day_but_not_for_a_known_browser(make_app):
    """Someone who has the password, trying codes from many addresses: the per-minute slow-down
    alone would let ten a minute through, days on end (three codes in a million are right at any
    time); a day's allowance of wrong codes stops that, and the admin's own browser is spared."""
    app = make_app(RATELIMIT_ENABLED=True, ADMIN_SIGN_IN_RATE_LIMIT_PER_ACCOUNT="1000 per minute",
                   ADMIN_TWO_FACTOR_RATE_LIMIT_PER_ACCOUNT="3 per day")
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        office = app.test_client()
        assert password(office).status_code == 302, "a browser that signed in before"
        enabled(db.session.scalar(select(AdminUser)), NOW - timedelta(days=1))
        answers = []
        for attempt in range(5):
            attacker = app.test_client()
            address = {"REMOTE_ADDR": f"203.0.113.{attempt + 1}"}
            assert password(attacker, **address).status_code == 302
            answers.append(code(attacker, wrong_code(NOW), **address).status_code)
        assert answers == [400, 400, 400, 429, 429]
        assert password(office).status_code == 302
        assert code(office, code_at(NOW)).status_code == 302


# --- Pages: mandatory -------------------------------------------------------------------------

@pages_on_sqlite
def test_when_mandatory_an_account_without_one_opens_only_the_set_up(make_app):
    app = make_app(ADMIN_TWO_FACTOR_REQUIRED=True)
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        client = app.test_client()
        response = password(client, "?next=/admin/membres")
        assert response.headers["Location"] == "/admin/membres"
        response = client.get("/admin/membres")
        assert response.location == f"{SET_UP}?next=/admin/membres?"
        assert "La double authentification est obligatoire" in client.get(SET_UP).text
        for rule in admin_rules(app):
            if rule.endpoint in ("admin.two_factor", "admin.logout", "admin.login_code"):
                continue
            for url in fill(rule):
                for method in rule.methods - {"HEAD", "OPTIONS"}:
                    response = client.open(url, method=method)
                    assert response.status_code == 302, (url, method)
                    assert response.location.startswith(SET_UP), (url, method)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        secret = secret_on(client.get(SET_UP).text)
        done = client.post(f"{SET_UP}?next=/admin/membres", data={"code": code_at(NOW, secret)})
        assert 'href="/admin/membres"' in done.text, "« continue » goes where the admin was going"
        assert client.get("/admin/membres").status_code == 200
        status = client.get(SET_UP).text
        assert "est obligatoire" in status and "desactiver" not in status
        refused = client.post(f"{SET_UP}/desactiver",
                              data={"desactivation-password": ADMIN_PASSWORD})
        assert refused.location == SET_UP
        assert db.session.scalar(select(AdminUser.totp_enabled_at)) is not None
        assert client.post("/admin/deconnexion").location == "/admin/connexion"


# --- Pages: the reset by an administrator -----------------------------------------------------

@pages_on_sqlite
def test_an_administrator_resets_another_s_second_factor(app, admin, second_factor):
    client = app.test_client()
    password(client)
    code(client, code_at(NOW))
    assert client.get("/admin/").status_code == 200
    colleague = admin_client_of(app)
    url = f"/admin/equipe/{admin.id}/double-authentification/reinitialiser"
    response = colleague.post(url, data={"next": "/admin/journal"})
    assert response.location == "/admin/journal"
    page = colleague.get("/admin/journal").text
    assert f"La double authentification de {ADMIN_EMAIL} est réinitialisée" in page
    assert "Double authentification d'un compte réinitialisée" in page
    assert client.get("/admin/").status_code == 302, "its sessions ended"
    assert password(app.test_client()).location == "/admin/", "the password suffices again"
    # Not on oneself, not an account without one, not somewhere else, not by another role.
    colleague_id = db.session.scalar(select(AdminUser.id).where(AdminUser.email == OTHER_EMAIL))
    own = colleague.post(f"/admin/equipe/{colleague_id}/double-authentification/reinitialiser",
                         data={"next": "https://evil.example/"}, follow_redirects=True)
    assert "Vous ne pouvez pas réinitialiser votre propre" in own.text
    assert colleague.post(url).location == "/admin/"
    assert "n'a pas de double authentification" in colleague.get("/admin/").text
    assert colleague.post("/admin/equipe/999999/double-authentification/reinitialiser"
                          ).status_code == 404
    create_admin("animation@gt-qvt.fr", ADMIN_PASSWORD, ANIMATION)
    db.session.commit()
    assert admin_client_of(app, "animation@gt-qvt.fr").post(url).status_code == 403


def test_an_operator_resets_a_second_factor_on_the_command_line(app, admin):
    enabled(admin)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "two-factor-reset", ADMIN_EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert not db.session.scalar(select(AdminUser)).has_second_factor
    assert journal()[-1][1:] == ("admin.two_factor_reset", ADMIN_EMAIL)
    again = runner.invoke(args=["admin", "two-factor-reset", ADMIN_EMAIL])
    assert again.exit_code == 1 and "n'a pas de double authentification" in again.output
    assert runner.invoke(args=["admin", "two-factor-reset", "x@gt-qvt.fr"]).exit_code == 1


# --- The account's owner hears of it -------------------------------------------------------------

def notices_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "admin_second_factor_notice",
        OutboxMessage.recipient == address).order_by(OutboxMessage.id)))


def test_the_owner_is_told_of_each_recovery_code_used_and_of_a_reset(app, admin):
    """Someone who got the password and a recovery code, or an administrator's reset the owner
    did not ask for: the owner reads it in their mailbox, not only in the journal."""
    other = create_admin(OTHER_EMAIL, ADMIN_PASSWORD)
    db.session.commit()
    codes = enabled(other)
    two_factor.use_recovery_code(other, codes[0], NOW + timedelta(days=1))
    two_factor.use_recovery_code(other, codes[1], NOW + timedelta(days=2))
    db.session.commit()
    used = notices_to(OTHER_EMAIL)
    assert len(used) == 2
    assert used[0].subject == "Un code de secours a servi à vous connecter"
    assert "Il vous en reste 8" in used[1].body_text.replace("\u00a0", " ")
    two_factor.reset(other, ADMIN_EMAIL, NOW + timedelta(days=3))
    db.session.commit()
    reset = notices_to(OTHER_EMAIL)[-1]
    assert reset.subject == "Votre double authentification a été réinitialisée"
    assert ADMIN_EMAIL in reset.body_text and ADMIN_EMAIL in reset.body_html
    assert codes[2] not in reset.body_text, "no code is ever written in an e-mail"
