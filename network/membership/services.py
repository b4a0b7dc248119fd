"""The rules of joining the network: apply, accept the charter, expire stale applications."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select, update

from network.admin.services import active_admin_emails
from network.extensions import db
from network.mail.models import OutboxMessage
from network.mail.services import queue_email
from network.membership.models import (
    CharterAcceptance,
    CharterVersion,
    Department,
    ExitReason,
    ExpiredApplicationCount,
    Person,
    QvtField,
    Status,
    StatusChange,
)
from network.reference import PARTICIPATION_PRINCIPLES
from network.urls import external_url

BY_THE_PERSON = "la personne elle-même"
BY_THE_SYSTEM = "système"


@dataclass
class ContactDetails:
    """What a practitioner tells the network about themselves (sign-up and later updates)."""

    first_name: str
    last_name: str
    email: str
    organisation: str
    profile: str
    department_codes: list[str]
    qvt_field_codes: list[str]
    phone: str = ""
    job_title: str = ""
    website: str = ""
    listed_on_reflex_qvt: bool = False
    directory_opt_in: bool = False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def current_charter() -> CharterVersion:
    """The charter that new applicants accept: the latest published version."""
    return db.session.scalars(
        select(CharterVersion).order_by(CharterVersion.number.desc()).limit(1)).one()


def record_status_change(person: Person, to_status: Status, reason: str, by: str,
                         now: datetime) -> None:
    """Move a person to another status and write the transition to their history."""
    db.session.add(StatusChange(person_id=person.id, from_status=person.status,
                                to_status=to_status, reason=reason, changed_by=by,
                                changed_at=now))
    person.status = to_status


def apply_contact_details(person: Person, details: ContactDetails) -> None:
    person.first_name = details.first_name.strip()
    person.last_name = details.last_name.strip()
    person.email = normalise_email(details.email)
    person.organisation = details.organisation.strip()
    person.profile = details.profile
    person.phone = details.phone.strip() or None
    person.job_title = details.job_title.strip() or None
    person.website = details.website.strip() or None
    person.listed_on_reflex_qvt = details.listed_on_reflex_qvt
    person.directory_opt_in = details.directory_opt_in
    person.departments = list(db.session.scalars(
        select(Department).where(Department.code.in_(details.department_codes))))
    person.qvt_fields = list(db.session.scalars(
        select(QvtField).where(QvtField.code.in_(details.qvt_field_codes))))


def join(details: ContactDetails, now: datetime) -> None:
    """Take a sign-up: a new application, a re-sent charter link, or a note to a member.

    The caller shows the same page in every case, so a stranger cannot learn who is a member.
    """
    person = db.session.scalar(
        select(Person).where(Person.email == normalise_email(details.email)))
    if person is None:
        person = Person(status=Status.APPLICANT, applied_at=now, created_at=now,
                        privacy_consent_at=now, charter_nonce=secrets.token_hex(8))
        apply_contact_details(person, details)
        db.session.add(person)
        db.session.flush()
        db.session.add(StatusChange(person_id=person.id, from_status=None,
                                    to_status=Status.APPLICANT, reason="Candidature reçue",
                                    changed_by=BY_THE_PERSON, changed_at=now))
    elif person.status == Status.APPLICANT:
        # Same person asking again: the details already given stay (a stranger could otherwise
        # overwrite them); only the link goes out again.
        pass
    elif person.status == Status.MEMBER:
        queue_email(f"already-member:{person.id}:{now.isoformat()}", person.email,
                    "already_member", "Vous êtes déjà membre du réseau", person=person, now=now)
        return
    else:
        apply_contact_details(person, details)
        person.applied_at = now
        person.privacy_consent_at = now
        person.charter_nonce = secrets.token_hex(8)
        record_status_change(person, Status.APPLICANT, "Nouvelle candidature", BY_THE_PERSON,
                             now)
    send_charter_link(person, now)


def send_charter_link(person: Person, now: datetime) -> None:
    """Queue the welcome e-mail: operating rules, principles, charter and the link to accept."""
    charter = current_charter()
    queue_email(f"charter-link:{person.id}:{now.isoformat()}", person.email, "charter_link",
                "Votre demande d'adhésion au réseau des intervenants QVT en Occitanie",
                person=person, now=now, charter=charter,
                charter_url=external_url("membership.charter",
                                         token=charter_token(person, now)),
                link_days=current_app.config["CHARTER_LINK_DAYS"],
                principles=PARTICIPATION_PRINCIPLES)


def resend_charter_link(email: str, now: datetime) -> None:
    """Send a fresh charter link to a pending applicant; say nothing about other addresses."""
    person = db.session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is not None and person.status == Status.APPLICANT:
        send_charter_link(person, now)


def signed_serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def charter_token(person: Person, issued_at: datetime) -> str:
    return signed_serializer("charter").dumps(
        {"p": person.id, "n": person.charter_nonce, "t": int(issued_at.timestamp())})


class LinkProblem(Exception):
    """Why a link from an e-mail cannot be used: 'invalid', 'expired' or 'used'."""

    def __init__(self, kind: str, person: Person | None = None):
        super().__init__(kind)
        self.kind = kind
        self.person = person


def person_from_link(purpose: str, token: str) -> tuple[Person, dict]:
    """Read a signed link: LinkProblem('invalid') when forged, truncated or for nobody."""
    try:
        payload = signed_serializer(purpose).loads(token)
        person = db.session.get(Person, int(payload["p"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid") from None
    if person is None:
        raise LinkProblem("invalid")
    return person, payload


def person_for_charter_token(token: str, now: datetime) -> Person:
    """The applicant a charter link was sent to, or LinkProblem."""
    person, payload = person_from_link("charter", token)
    if person.status == Status.MEMBER:
        raise LinkProblem("used", person)
    if person.status != Status.APPLICANT or person.charter_nonce != payload.get("n"):
        raise LinkProblem("invalid", person)
    check_link_age(payload, person, now, timedelta(days=current_app.config["CHARTER_LINK_DAYS"]))
    return person


def check_link_age(payload: dict, person: Person, now: datetime, max_age: timedelta) -> None:
    # The payload is signed by us: its issue time can be trusted.
    if now - datetime.fromtimestamp(payload["t"], UTC) > max_age:
        raise LinkProblem("expired", person)


def accept_charter(person: Person, charter: CharterVersion, now: datetime) -> bool:
    """Make an applicant a member; False if the link was used meanwhile (nothing changes)."""
    # Conditional update: of two clicks racing on the same link, only one makes a member.
    claimed = db.session.execute(
        update(Person)
        .where(Person.id == person.id, Person.status == Status.APPLICANT,
               Person.charter_nonce == person.charter_nonce)
        .values(charter_nonce=None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add(CharterAcceptance(person_id=person.id, charter_version_id=charter.id,
                                     accepted_at=now))
    record_status_change(person, Status.MEMBER, f"Charte acceptée (version {charter.number})",
                         BY_THE_PERSON, now)
    person.charter_nonce = None
    person.member_since = now
    person.exited_at = None
    person.exit_reason = None
    queue_email(f"member-confirmed:{person.id}:{now.isoformat()}", person.email,
                "member_confirmed", "Bienvenue dans le réseau des intervenants QVT en Occitanie",
                person=person, now=now, charter=charter)
    notify_admins(f"admin-new-member:{person.id}:{now.isoformat()}", "admin_new_member",
                  f"Nouveau membre : {person.full_name}", person, now, charter=charter)
    return True


def expire_stale_applications(now: datetime, batch_size: int = 500) -> int:
    """Close applications whose charter was not accepted in time; purge first-time applicants.

    A first application leaves only an anonymous count; a former member who applied again
    goes back to 'exited' with their history.
    """
    cutoff = now - timedelta(days=current_app.config["APPLICATION_EXPIRY_DAYS"])
    expired = 0
    while True:
        stale = list(db.session.scalars(
            select(Person).where(Person.status == Status.APPLICANT, Person.applied_at < cutoff)
            .order_by(Person.id).limit(batch_size)))
        if not stale:
            return expired
        for person in stale:
            if person.member_since is None:
                _count_expired_application(now)
            _end_application(person, "Charte non acceptée dans les délais", BY_THE_SYSTEM, now)
            expired += 1
        db.session.commit()


def _end_application(person: Person, reason: str, by: str, now: datetime) -> None:
    """Close a pending application: a first one is purged, a former member goes back to exited."""
    if person.member_since is None:
        # The e-mails sent to them carry their name and address too.
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.person_id == person.id))
        db.session.delete(person)
    else:
        person.charter_nonce = None
        record_status_change(person, Status.EXITED, reason, by, now)


def _count_expired_application(now: datetime) -> None:
    month = now.strftime("%Y-%m")
    counter = db.session.get(ExpiredApplicationCount, month)
    if counter is None:
        counter = ExpiredApplicationCount(month=month, count=0)
        db.session.add(counter)
    counter.count += 1


def count_expired_applications() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(ExpiredApplicationCount.count), 0)))


def leave_token(person: Person) -> str:
    """The link in every e-mail's footer; it does not expire, so old e-mails still work."""
    return signed_serializer("leave").dumps({"p": person.id})


def person_for_leave_token(token: str) -> Person:
    person, _ = person_from_link("leave", token)
    if person.status == Status.EXITED:
        raise LinkProblem("used", person)
    return person


def leave_network(person: Person, now: datetime) -> None:
    """The person's own request: a member exits at once, an applicant withdraws."""
    if person.status == Status.APPLICANT:
        _end_application(person, "Demande d'adhésion retirée", BY_THE_PERSON, now)
    elif person.status == Status.MEMBER:
        exit_network(person, ExitReason.VOLUNTARY, "Sortie à sa demande", BY_THE_PERSON, now)
        notify_admins(f"admin-member-left:{person.id}:{now.isoformat()}", "admin_member_left",
                      f"Sortie du réseau : {person.full_name}", person, now)


def exit_network(person: Person, reason: ExitReason, why: str, by: str,
                 now: datetime) -> None:
    """Take a person off the network (and its mailing list) at once; history and data stay."""
    record_status_change(person, Status.EXITED, why, by, now)
    person.exit_reason = reason
    person.exited_at = now
    person.charter_nonce = None
    if reason == ExitReason.VOLUNTARY:
        queue_email(f"left:{person.id}:{now.isoformat()}", person.email, "left_network",
                    "Vous avez quitté le réseau des intervenants QVT en Occitanie",
                    person=person, now=now)


def readmit(person: Person, by: str, now: datetime) -> None:
    """An exited person back as a member (an exit by mistake); their past acceptance stands."""
    record_status_change(person, Status.MEMBER, "Réintégration dans le réseau", by, now)
    person.exit_reason = None
    person.exited_at = None
    person.member_since = now


def notify_admins(key: str, template: str, subject: str, person: Person,
                  now: datetime, **context) -> None:
    """Tell the GT QVT admins of a change: the active admin accounts, else the setting."""
    addresses = active_admin_emails() or current_app.config["ADMIN_NOTIFICATION_EMAILS"]
    for address in addresses:
        queue_email(f"{key}:{address}", address, template, subject, now=now,
                    member=person, **context)


def publish_charter(title: str, text_markdown: str, now: datetime) -> CharterVersion:
    """A new charter version: new applicants accept it; members at their next renewal."""
    latest = current_charter()
    version = CharterVersion(number=latest.number + 1, title=title.strip(),
                             text_markdown=text_markdown.strip(), published_at=now)
    db.session.add(version)
    return version
