"""Admin accounts, sign-in and the audit log."""

from datetime import datetime

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from network.admin.models import AdminNote, AdminUser, AuditEntry
from network.admin.roles import ADMINISTRATEUR, ROLES
from network.extensions import db
from network.sessions import end_every_session

# Checked against when the e-mail is unknown, so that both cases take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")
MIN_PASSWORD_LENGTH = 12


class AdminError(ValueError):
    pass


def create_admin(email: str, password: str, role: str = ADMINISTRATEUR) -> AdminUser:
    """A new admin account (or a disabled one enabled again with a new password)."""
    email = email.strip().lower()
    _check_length(password)
    if role not in ROLES:
        raise AdminError(f"Rôle inconnu : {role}. Rôles possibles : {', '.join(ROLES)}.")
    admin = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
    if admin is not None and admin.active:
        raise AdminError(f"Le compte {email} existe déjà.")
    if admin is None:
        admin = AdminUser(email=email)
        db.session.add(admin)
    _set_password(admin, password)
    admin.active = True
    admin.role = role
    # An invitation sent to this address from the team page has no use any more.
    admin.invitation_nonce = admin.invitation_expires_at = None
    return admin


def change_password(email: str, password: str) -> AdminUser:
    """A new password for an account; every session of the account ends."""
    _check_length(password)
    admin = _existing(email)
    _set_password(admin, password)
    return admin


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"Le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères.")


def _set_password(admin: AdminUser, password: str) -> None:
    admin.password_hash = generate_password_hash(password, method="scrypt")
    # Whoever knew the old password may hold a session: it ends too.
    if admin.id is not None:
        end_every_session(admin)


def disable_admin(email: str) -> AdminUser:
    """The account can no longer sign in, and its sessions end (and an invitation waiting to be
    accepted is cancelled: its link stops working)."""
    admin = _existing(email)
    admin.active = False
    admin.invitation_nonce = admin.invitation_expires_at = None
    end_every_session(admin)
    return admin


def sign_out_everywhere(email: str) -> AdminUser:
    """Every session of the account ends, in every browser (a lost laptop, a shared computer)."""
    admin = _existing(email)
    end_every_session(admin)
    return admin


def _existing(email: str) -> AdminUser:
    admin = db.session.scalar(select(AdminUser).where(AdminUser.email == email.strip().lower()))
    if admin is None:
        raise AdminError(f"Aucun compte {email}.")
    return admin


def authenticate(email: str, password: str) -> AdminUser | None:
    """The active admin with this e-mail and password, or None (signing in marks the time of
    the sign-in: network.admin.views.sign_in, after the second factor if there is one)."""
    admin = db.session.scalar(select(AdminUser).where(AdminUser.email == email.strip().lower()))
    if admin is None or not admin.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(admin.password_hash, password):
        return None
    return admin


def active_admin_emails() -> list[str]:
    return list(db.session.scalars(
        select(AdminUser.email).where(AdminUser.active).order_by(AdminUser.email)))


def audit(admin_email: str, action: str, now: datetime, person_id: int | None = None,
          detail: str = "") -> None:
    """Write an admin action to the audit log, in the same transaction as the action."""
    db.session.add(AuditEntry(admin_email=admin_email, action=action, person_id=person_id,
                              detail=detail, at=now))


def add_note(person, text: str, author: str, now: datetime) -> None:
    """A note kept on a person's page, visible to every admin."""
    db.session.add(AdminNote(person_id=person.id, author=author, text=text.strip(),
                             created_at=now))
    audit(author, "member.note", now, person.id)
