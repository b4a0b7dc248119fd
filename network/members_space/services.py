"""The rules of the member space."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature
from sqlalchemy import delete, or_, select, update

from network.admin.models import AdminNote, AuditEntry
from network.admin.services import audit
from network.attestations.services import forget_attestations
from network.evaluations.services import unlink_invitations
from network.extensions import db
from network.golive.models import GoLiveInvitation
from network.inputs import same_site_path
from network.mail.models import OutboxMessage
from network.mail.retention import mail_about
from network.mail.services import queue_email
from network.members_space.export import personal_data  # noqa: F401 (the space's download)
from network.membership.models import CharterAcceptance, Person, Status
from network.membership.same_work import kept_only_if, stand_in
from network.membership.services import (
    BY_THE_PERSON,
    ContactDetails,
    LinkProblem,
    apply_contact_details,
    check_link_age,
    normalise_email,
    person_from_link,
    signed_serializer,
)
from network.themes.personal_data import forget_people
from network.urls import external_url


def request_sign_in_link(email: str, now: datetime, then: str | None = None) -> None:
    """E-mail a sign-in link to a member; for any other address, the same work, undone.
    `then`, a path of the site checked by the caller, is where the link leads once used."""
    email = normalise_email(email)
    person = db.session.scalar(select(Person).where(Person.email == email))
    with kept_only_if(person is not None and person.status == Status.MEMBER):
        _queue_sign_in_link(person or stand_in(email), now, then)


def _queue_sign_in_link(person: Person, now: datetime, then: str | None) -> None:
    if person.sign_in_nonce is None:
        person.sign_in_nonce = secrets.token_hex(8)
    payload = {"p": person.id, "n": person.sign_in_nonce, "t": int(now.timestamp())}
    if then:
        # Signed with the rest: nobody can make the link lead elsewhere.
        payload["r"] = then
    token = signed_serializer("sign-in").dumps(payload)
    queue_email(f"sign-in:{person.id}:{person.sign_in_nonce}:{now.isoformat()}", person.email,
                "sign_in_link", "Votre lien de connexion à l'espace membre", person=person, now=now,
                link=external_url("members_space.sign_in_link", token=token),
                minutes=current_app.config["SIGN_IN_LINK_MINUTES"])


def person_for_sign_in_token(token: str, now: datetime) -> Person:
    person, payload = person_from_link("sign-in", token)
    if person.status != Status.MEMBER:
        raise LinkProblem("invalid", person)
    if payload.get("n") != person.sign_in_nonce:
        raise LinkProblem("used", person)
    check_link_age(payload, person, now,
                   timedelta(minutes=current_app.config["SIGN_IN_LINK_MINUTES"]))
    return person


def sign_in_return_path(token: str) -> str | None:
    """Where a valid sign-in link leads once used: the page the member was on, if any."""
    try:
        payload = signed_serializer("sign-in").loads(token)
    except BadSignature:
        return None
    return same_site_path(payload.get("r")) if isinstance(payload, dict) else None


def use_sign_in_link(person: Person) -> bool:
    """Spend the link (it opens the space once); False if it was spent meanwhile."""
    spent = db.session.execute(
        update(Person).where(Person.id == person.id,
                             Person.sign_in_nonce == person.sign_in_nonce)
        .values(sign_in_nonce=None).execution_options(synchronize_session=False))
    person.sign_in_nonce = None
    return spent.rowcount == 1


def update_own_details(person: Person, details: ContactDetails, now: datetime,
                       receive_mailings: bool | None = None) -> bool:
    """Save a member's details (and, from the member space, whether they receive the
    mailings); a new address waits for confirmation. True if one was sent."""
    new_email = normalise_email(details.email)
    before = _snapshot(person)
    details.email = person.email
    apply_contact_details(person, details)
    if receive_mailings is not None:
        person.mailings_opt_out = not receive_mailings
    changed = [name for name, value in _snapshot(person).items() if before[name] != value]
    confirmation_sent = new_email != person.email and new_email != person.pending_email
    if new_email != person.email:
        person.pending_email = new_email
        changed.append("adresse e-mail (à confirmer)")
    else:
        person.pending_email = None
    if confirmation_sent:
        token = signed_serializer("email-change").dumps({"p": person.id, "e": new_email})
        queue_email(f"email-change:{person.id}:{now.isoformat()}", new_email,
                    "confirm_email_change", "Confirmez votre nouvelle adresse e-mail",
                    person=person, now=now, new_email=new_email,
                    link=external_url("members_space.confirm_email", token=token))
    if changed:
        audit(BY_THE_PERSON, "member.self_edit", now, person.id, ", ".join(changed))
    return confirmation_sent


FIELD_NAMES = {"first_name": "prénom", "last_name": "nom", "phone": "téléphone",
               "organisation": "structure", "job_title": "fonction", "website": "site internet",
               "profile": "profil", "listed_on_reflex_qvt": "Reflex QVT",
               "directory_opt_in": "annuaire", "mailings_opt_out": "envois du réseau",
               "departments": "départements", "qvt_fields": "champs de la QVT"}


def _snapshot(person: Person) -> dict:
    values = {name: getattr(person, name) for name in FIELD_NAMES
              if name not in ("departments", "qvt_fields")}
    values["departments"] = sorted(d.code for d in person.departments)
    values["qvt_fields"] = sorted(f.code for f in person.qvt_fields)
    return {FIELD_NAMES[name]: value for name, value in values.items()}


def person_for_email_change(token: str) -> Person:
    """The person a confirmation link of a new address was sent to, or LinkProblem."""
    person, payload = person_from_link("email-change", token)
    if person.pending_email is None or person.pending_email != payload.get("e"):
        raise LinkProblem("used", person)
    return person


def confirm_email_change(person: Person, now: datetime) -> None:
    """The new address is confirmed by its owner: it replaces the old one."""
    try:
        change_email(person, person.pending_email, BY_THE_PERSON, now)
    except ValueError:
        raise LinkProblem("taken", person) from None


def change_email(person: Person, email: str, by: str, now: datetime) -> None:
    """Give a person a new address (ValueError if it is another person's); its bounces are
    forgotten with the old one."""
    email = normalise_email(email)
    if db.session.scalar(select(Person.id).where(Person.email == email, Person.id != person.id)):
        raise ValueError(email)
    person.email, person.pending_email = email, None
    person.email_bounced_at = person.email_bounce_reason = None
    audit(by, "member.email_confirmed" if by == BY_THE_PERSON else "member.email_changed", now,
          person.id, email)


# What anonymisation erases of a person. Profile, departments, fields, the dates of their
# membership and its history stay: without a name they are statistics.
ERASED_PERSON_FIELDS = ("email", "pending_email", "first_name", "last_name", "phone",
                        "organisation", "job_title", "website", "sign_in_nonce",
                        "charter_nonce", "pending_application", "email_bounced_at",
                        "email_bounce_reason")


def anonymise_departed(now: datetime, batch_size: int = 500) -> int:
    """After the retention period, people who left keep only what the statistics need."""
    cutoff = now - timedelta(days=30 * current_app.config["RETENTION_MONTHS"])
    anonymised = 0
    while True:
        people = db.session.scalars(
            select(Person).where(Person.status == Status.EXITED, Person.exited_at < cutoff,
                                 Person.anonymised_at.is_(None)).limit(batch_size)).all()
        if not people:
            return anonymised
        ids = [person.id for person in people]
        for person in people:
            for name in ERASED_PERSON_FIELDS:
                setattr(person, name, None)
            person.directory_opt_in = False
            person.anonymised_at = now
        # Their e-mails, and the admins' notifications about them.
        db.session.execute(delete(OutboxMessage).where(
            or_(OutboxMessage.person_id.in_(ids), mail_about(ids))))
        db.session.execute(delete(AdminNote).where(AdminNote.person_id.in_(ids)))
        db.session.execute(delete(GoLiveInvitation).where(GoLiveInvitation.person_id.in_(ids)))
        forget_attestations(ids)
        # Their votes for workshop themes go; their proposals stay, without their name.
        forget_people(ids)
        # Their questionnaires stay in the response rates, asked of no one in particular.
        unlink_invitations(ids)
        # The proof of an acceptance by e-mail may quote the person; the acceptance stays.
        db.session.execute(update(CharterAcceptance).where(CharterAcceptance.person_id.in_(ids))
                           .values(note=None))
        db.session.execute(update(AuditEntry).where(AuditEntry.person_id.in_(ids))
                           .values(detail=""))
        anonymised += len(people)
        db.session.commit()
