"""The back-office's second factor: a code from an authenticator app (TOTP, RFC 6238), or one of
ten single-use recovery codes.

A password alone protects accounts that can export every member's details; the GT QVT's partners
sign in from many organisations' computers. Every function takes `now`: the tests set the clock.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from network.admin.models import AdminRecoveryCode, AdminUser
from network.admin.services import AdminError, audit
from network.extensions import db
from network.mail.services import queue_email
from network.sessions import end_every_session

ISSUER = "Réseau QVT Occitanie"
# What every authenticator app expects by default (Google Authenticator ignores other values).
DIGITS, INTERVAL = 6, 30
# One time step either side of now: a phone's clock a little ahead or behind, a code typed as it
# changed.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# Crockford's base 32: no I, L, O, U, so nothing reads as something else; 10 characters are
# 50 random bits, shown in two groups of five.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_LENGTH = 10
# What people type for the letters the alphabet leaves out.
RECOVERY_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class TwoFactorError(AdminError):
    """A code or a change refused: the message says why, in French (next to the field)."""


# --- The authenticator's secret ----------------------------------------------------------------

def new_secret_for_setup(key: str, admin: AdminUser, nonce: str) -> str:
    """The secret offered on the set-up page, derived from a nonce the session keeps: the same
    on every reload of the page, and never itself in the cookie (which the browser can read)."""
    digest = hmac.new(key.encode(), f"totp-setup|{admin.id}|{nonce}".encode(),
                      hashlib.sha256).digest()
    # 160 bits, the length RFC 4226 recommends: 32 characters of base 32.
    return base64.b32encode(digest[:20]).decode()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address the QR code holds: the app names the account after it."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The QR code as inline SVG, without a size of its own (the page's CSS gives it one), dark
    on a white quiet zone so that it scans on any background."""
    svg = segno.make(uri, error="m", micro=False).svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code")
    # An image with a name; the key written beside it is its text alternative.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="Code QR à scanner avec '
                                       'votre application d\'authentification" ', 1))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, as people type it into an app that cannot scan."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def matching_counter(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within the drift window, or None."""
    code = "".join(code.split())
    # ASCII digits only: compare_digest refuses other text (and ٣ is a digit too).
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = totp.timecode(now)
    # Every step is compared, in constant time: nothing tells which one matched, or how close.
    found = None
    for counter in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            found = counter
    return found


def _accept_counter(admin: AdminUser, counter: int) -> bool:
    """Record that the code of this time step was used: in one statement, so that two requests
    racing with the same code cannot both pass (a code seen over a shoulder, or replayed)."""
    accepted = db.session.execute(
        update(AdminUser)
        .where(AdminUser.id == admin.id,
               or_(AdminUser.totp_last_counter.is_(None), AdminUser.totp_last_counter < counter))
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)).rowcount == 1
    if accepted:
        # What the database now holds, without writing it a second time at the commit.
        set_committed_value(admin, "totp_last_counter", counter)
    return accepted


def check_code(admin: AdminUser, code: str, now: datetime) -> None:
    """The authenticator's code of a signed-up account, once: raises TwoFactorError if it is
    wrong, too old, or already used (the same time step, or an earlier one)."""
    counter = matching_counter(admin.totp_secret or "", code, now) if admin.totp_secret else None
    if counter is None:
        raise TwoFactorError("Ce code n'est pas le bon. Saisissez les 6 chiffres que votre "
                             "application affiche maintenant.")
    if not _accept_counter(admin, counter):
        raise TwoFactorError("Ce code a déjà servi. Attendez que votre application en affiche "
                             "un nouveau (toutes les 30 secondes), puis saisissez-le.")


# --- Turning it on and off ---------------------------------------------------------------------

def enable(admin: AdminUser, secret: str, code: str, now: datetime) -> list[str]:
    """Turn the second factor on with the secret of the set-up page, once the app shows that it
    holds it (its first code); the ten recovery codes, to show once. The account's other
    sessions end: they were opened with the password alone (keep_this_session keeps the one
    that turned it on)."""
    if admin.has_second_factor:
        raise TwoFactorError("La double authentification est déjà activée sur ce compte.")
    counter = matching_counter(secret, code, now)
    if counter is None:
        raise TwoFactorError("Ce code ne correspond pas. Vérifiez que vous avez bien scanné le "
                             "code QR (ou saisi la clé), puis saisissez les 6 chiffres que "
                             "votre application affiche maintenant.")
    admin.totp_secret = secret
    admin.totp_enabled_at = now
    admin.totp_last_counter = counter
    codes = _replace_recovery_codes(admin, now)
    end_every_session(admin)
    audit(admin.email, "admin.two_factor_enabled", now)
    return codes


def disable(admin: AdminUser, now: datetime) -> None:
    """The account's own choice (allowed while the second factor is not mandatory)."""
    _remove(admin)
    audit(admin.email, "admin.two_factor_disabled", now)


def reset(target: AdminUser, by: str, now: datetime) -> None:
    """An administrator (`by`, their address) removes another account's second factor (a lost
    phone and lost codes): its sessions end, and it sets up a new one when it signs in again,
    if that is mandatory."""
    if target.email == by:
        # Else a session left open would be enough to strip an account of its second factor.
        raise TwoFactorError("Vous ne pouvez pas réinitialiser votre propre double "
                             "authentification : demandez-le à un autre administrateur.")
    if not target.has_second_factor:
        raise TwoFactorError(f"Le compte {target.email} n'a pas de double authentification.")
    _remove(target)
    end_every_session(target)
    audit(by, "admin.two_factor_reset", now, detail=target.email)
    _tell_owner(target, f"reset:{now.isoformat()}",
                "Votre double authentification a été réinitialisée", now, change="reset", by=by)


def _remove(admin: AdminUser) -> None:
    admin.totp_secret = None
    admin.totp_enabled_at = None
    admin.totp_last_counter = None
    db.session.execute(AdminRecoveryCode.__table__.delete().where(
        AdminRecoveryCode.admin_id == admin.id))


# --- Recovery codes ----------------------------------------------------------------------------

def normalise_recovery_code(typed: str) -> str:
    """What a recovery code typed by hand becomes: spaces, dashes and case do not matter, nor
    O for 0 or I and L for 1."""
    kept = "".join(char for char in typed.upper() if char.isalnum())
    return kept.translate(RECOVERY_LOOKALIKES)


def looks_like_recovery_code(typed: str) -> bool:
    return len(normalise_recovery_code(typed)) == RECOVERY_LENGTH


def format_recovery_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _recovery_hash(admin: AdminUser, code: str) -> str:
    # 50 random bits, salted by the account. A slow hash would make each sign-in try ten slow
    # checks; whoever reads the table already holds the TOTP secret beside it.
    return hashlib.sha256(f"{admin.id}:{code}".encode()).hexdigest()


def _replace_recovery_codes(admin: AdminUser, now: datetime) -> list[str]:
    db.session.execute(AdminRecoveryCode.__table__.delete().where(
        AdminRecoveryCode.admin_id == admin.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(AdminRecoveryCode(admin_id=admin.id, code_hash=_recovery_hash(admin, code),
                                         created_at=now) for code in codes)
    return [format_recovery_code(code) for code in codes]


def regenerate_recovery_codes(admin: AdminUser, now: datetime) -> list[str]:
    """Ten new codes, to show once; the earlier ones, used or not, no longer work."""
    if not admin.has_second_factor:
        raise TwoFactorError("La double authentification n'est pas activée sur ce compte.")
    codes = _replace_recovery_codes(admin, now)
    audit(admin.email, "admin.recovery_codes_regenerated", now)
    return codes


def recovery_codes_left(admin: AdminUser) -> int:
    return db.session.scalar(select(func.count()).select_from(AdminRecoveryCode).where(
        AdminRecoveryCode.admin_id == admin.id, AdminRecoveryCode.used_at.is_(None)))


def use_recovery_code(admin: AdminUser, typed: str, now: datetime) -> int:
    """Spend one recovery code at sign-in; how many are left. Raises TwoFactorError if it is not
    one of the account's, or was used."""
    code = normalise_recovery_code(typed)
    spent = 0
    if len(code) == RECOVERY_LENGTH and admin.has_second_factor:
        # Marked used in one statement: the same code sent twice at once passes once.
        spent = db.session.execute(
            update(AdminRecoveryCode)
            .where(AdminRecoveryCode.admin_id == admin.id,
                   AdminRecoveryCode.code_hash == _recovery_hash(admin, code),
                   AdminRecoveryCode.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if spent != 1:
        raise TwoFactorError("Ce code de secours n'est pas valable : il a déjà servi, ou il "
                             "ne fait pas partie de vos codes. Vérifiez sa saisie.")
    left = recovery_codes_left(admin)
    audit(admin.email, "admin.recovery_code_used", now,
          detail=f"Codes de secours restants : {left}")
    _tell_owner(admin, f"recovery:{left}:{now.isoformat()}",
                "Un code de secours a servi à vous connecter", now, change="recovery", left=left)
    return left


def _tell_owner(admin: AdminUser, key: str, subject: str, now: datetime, **context) -> None:
    """The account's owner reads in their mailbox what the journal keeps: a stolen password and
    code, or a reset they did not ask for, does not go unnoticed (no code is ever written)."""
    queue_email(f"admin-second-factor:{admin.id}:{key}", admin.email,
                "admin_second_factor_notice", subject, now=now, account_email=admin.email,
                at=now, **context)


# --- Signing in in two steps ---------------------------------------------------------------------

# How long the code may be typed after the password (then the password is asked again).
PENDING_SECONDS = 5 * 60


@dataclass(frozen=True)
class Pending:
    """A sign-in whose password was right, waiting for its second factor. Kept in the signed
    session cookie; it holds only while the account's session generation is the same (a new
    password, a disabled account or « sign out everywhere » ends it) and for a few minutes."""

    admin_id: int
    generation: int
    until: float
    target: str | None

    def as_session(self) -> dict:
        return {"id": self.admin_id, "generation": self.generation, "until": self.until,
                "next": self.target}


def pending_sign_in(admin: AdminUser, now: datetime, target: str | None) -> Pending:
    return Pending(admin.id, admin.session_generation, now.timestamp() + PENDING_SECONDS, target)


def read_pending(value) -> Pending | None:
    """The pending sign-in a session holds, if it is one."""
    if not isinstance(value, dict):
        return None
    try:
        return Pending(int(value["id"]), int(value["generation"]), float(value["until"]),
                       value.get("next") if isinstance(value.get("next"), str) else None)
    except (KeyError, TypeError, ValueError):
        return None


def pending_admin(pending: Pending | None, now: datetime) -> AdminUser | None:
    """The account a pending sign-in is for, while it still holds."""
    if pending is None or now.timestamp() > pending.until:
        return None
    admin = db.session.get(AdminUser, pending.admin_id)
    if (admin is None or not admin.active or not admin.has_second_factor
            or admin.session_generation != pending.generation):
        return None
    return admin
