"""The GT QVT's team: the back-office accounts, managed from the web by an administrator.

An administrator invites an address with a role; the account waits, inactive and without a
password, until its owner sets one through the link of the invitation e-mail, which works once
and until a set time. Accounts are disabled and enabled again and their role changed; the team
never loses its last active administrator, and nobody disables or demotes themself (the account
that would fix the mistake is the one that made it). Every change goes to the journal.
"""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature
from sqlalchemy import select, update

from network.admin import services
from network.admin.models import AdminUser
from network.admin.roles import ADMINISTRATEUR, LABELS, ROLES, reaches
from network.extensions import db
from network.mail.services import queue_email
from network.membership.services import LinkProblem, normalise_email, signed_serializer
from network.urls import external_url

# The journal's author of a change made with `flask admin` on the server.
COMMAND_LINE = "ligne de commande"
INVITATION_SUBJECT = "Votre accès à l'administration du réseau des intervenants QVT"

# What an account's line of the team page says about it.
ACTIVE, INVITED, INVITATION_EXPIRED, DISABLED = "active", "invited", "expired", "disabled"


class TeamError(services.AdminError):
    """A change the team's rules refuse: its message is for the administrator who asked."""


def team() -> list[AdminUser]:
    """Every account of the back-office, by address (one query: a team of a few dozen)."""
    return list(db.session.scalars(select(AdminUser).order_by(AdminUser.email)))


def state(account: AdminUser, now: datetime) -> str:
    """Active, invited (the link still valid), invitation expired, or disabled."""
    if account.active:
        return ACTIVE
    if account.invitation_nonce is None:
        return DISABLED
    return INVITED if now < account.invitation_expires_at else INVITATION_EXPIRED


def has_password(account: AdminUser) -> bool:
    """An invited account has none until its owner accepts the invitation."""
    return bool(account.password_hash)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise TeamError(f"Rôle inconnu : {role}. Rôles possibles : {', '.join(ROLES)}.")


# --- Invitations ------------------------------------------------------------------------------

def invite(email: str, role: str, by: str, now: datetime) -> AdminUser:
    """Invite an address to the back-office with a role: the account is made (or a disabled one
    taken up again, or an invitation sent again with a new link) and waits, inactive, for its
    owner to set a password through the link e-mailed to them."""
    _check_role(role)
    email = normalise_email(email)
    account = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
    if account is not None and account.active:
        raise TeamError("Cette adresse a déjà un compte actif : changez son rôle depuis sa fiche "
                        "plutôt que de l'inviter.")
    if account is None:
        # No usable password: nobody signs in with this account before the invitation is taken.
        account = AdminUser(email=email, password_hash="", active=False)
        db.session.add(account)
    account.role = role
    _send_invitation(account, by, now)
    return account


def resend_invitation(account: AdminUser, by: str, now: datetime) -> None:
    """A new invitation link to an account not active (yet): the link sent before stops working."""
    if account.active:
        raise TeamError("Ce compte est actif : il n'a pas besoin d'invitation.")
    _send_invitation(account, by, now, again=True)


def _send_invitation(account: AdminUser, by: str, now: datetime, again: bool = False) -> None:
    # A new nonce each time: the link of an earlier invitation no longer matches.
    account.invitation_nonce = secrets.token_hex(8)
    account.invitation_expires_at = now + timedelta(
        days=current_app.config["ADMIN_INVITATION_DAYS"])
    db.session.flush()
    queue_email(f"admin-invitation:{account.id}:{account.invitation_nonce}", account.email,
                "admin_invitation", INVITATION_SUBJECT, now=now,
                link=external_url("admin.invitation", token=invitation_token(account)),
                invited_by=by, role=LABELS[account.role],
                expires_at=account.invitation_expires_at)
    detail = f"{account.email} ({LABELS[account.role]})" + (", renvoyée" if again else "")
    services.audit(by, "team.invite", now, detail=detail)


def invitation_token(account: AdminUser) -> str:
    """The signed part of the link of the account's waiting invitation."""
    return signed_serializer("admin-invitation").dumps(
        {"a": account.id, "n": account.invitation_nonce})


def account_for_invitation(token: str, now: datetime) -> AdminUser:
    """The account an invitation link was sent to, or LinkProblem: 'invalid' (forged, truncated,
    replaced by a newer invitation, cancelled), 'used' or 'expired'."""
    try:
        payload = signed_serializer("admin-invitation").loads(token)
        account = db.session.get(AdminUser, int(payload["a"]))
        nonce = payload["n"]
    except (BadSignature, LookupError, TypeError, ValueError):
        raise LinkProblem("invalid") from None
    if account is None:
        raise LinkProblem("invalid")
    if account.invitation_nonce is None and account.active:
        raise LinkProblem("used")
    if nonce != account.invitation_nonce:
        raise LinkProblem("invalid")
    if now >= account.invitation_expires_at:
        raise LinkProblem("expired")
    return account


def accept_invitation(account: AdminUser, password: str, now: datetime) -> bool:
    """The invited person's password: the account becomes active with its role. False if the
    link was used meanwhile (two clicks racing: only one sets the password)."""
    if len(password) < services.MIN_PASSWORD_LENGTH:
        raise TeamError(f"Le mot de passe doit faire au moins {services.MIN_PASSWORD_LENGTH} "
                        "caractères.")
    if account.invitation_nonce is None:
        return False
    claimed = db.session.execute(
        update(AdminUser)
        .where(AdminUser.id == account.id, AdminUser.invitation_nonce == account.invitation_nonce)
        .values(invitation_nonce=None, invitation_expires_at=None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    account.invitation_nonce = account.invitation_expires_at = None
    services.change_password(account.email, password)
    account.active = True
    account.last_login_at = now
    services.audit(account.email, "team.accept", now, detail=LABELS[account.role])
    return True


# --- Roles, disabling, enabling ---------------------------------------------------------------

def change_role(account: AdminUser, role: str, by: AdminUser | None, now: datetime) -> bool:
    """A new role for an account, in force from its next request; False if it had it already.
    `by` is None on the command line."""
    _check_role(role)
    if role == account.role:
        return False
    if by is not None and by.id == account.id and not reaches(role, account.role):
        raise TeamError("Vous ne pouvez pas abaisser votre propre rôle : demandez-le à un autre "
                        "administrateur.")
    if account.active and account.role == ADMINISTRATEUR:
        _keep_an_administrator(account)
    before, account.role = account.role, role
    services.audit(_author(by), "team.role", now,
                   detail=f"{account.email} : {LABELS[before]} → {LABELS[role]}")
    return True


def disable(account: AdminUser, by: AdminUser | None, now: datetime) -> None:
    """The account can no longer sign in and its sessions end; a waiting invitation is
    cancelled (its link stops working)."""
    if by is not None and by.id == account.id:
        raise TeamError("Vous ne pouvez pas désactiver votre propre compte : demandez-le à un "
                        "autre administrateur.")
    if not account.active and account.invitation_nonce is None:
        raise TeamError("Ce compte est déjà désactivé.")
    if account.active and account.role == ADMINISTRATEUR:
        _keep_an_administrator(account)
    invited = not account.active
    services.disable_admin(account.email)
    services.audit(_author(by), "team.disable", now,
                   detail=f"{account.email} (invitation annulée)" if invited else account.email)


def enable(account: AdminUser, by: AdminUser | None, now: datetime) -> None:
    """A disabled account signs in again, with its password of before and its role."""
    if account.active:
        raise TeamError("Ce compte est déjà actif.")
    if not has_password(account):
        raise TeamError("Ce compte n'a jamais eu de mot de passe : renvoyez-lui l'invitation.")
    account.active = True
    account.invitation_nonce = account.invitation_expires_at = None
    services.audit(_author(by), "team.enable", now, detail=account.email)


def _keep_an_administrator(account: AdminUser) -> None:
    """Refuse to disable or demote the last active administrator: nobody could manage the team
    from the web any more. The rows are locked (PostgreSQL), in one order: of two administrators
    demoting each other at the same time, the second sees the first's change and is refused."""
    administrators = db.session.scalars(
        select(AdminUser.id).where(AdminUser.active, AdminUser.role == ADMINISTRATEUR)
        .order_by(AdminUser.id).with_for_update()).all()
    if [other for other in administrators if other != account.id] == []:
        raise TeamError("C'est le dernier compte administrateur actif : nommez d'abord un autre "
                        "administrateur, sinon plus personne ne pourrait gérer l'équipe.")


def _author(by: AdminUser | None) -> str:
    return by.email if by is not None else COMMAND_LINE
