"""The rules of joining the network: apply, accept the charter, expire stale applications."""

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from network.admin.services import active_admin_emails
from network.extensions import db
from network.mail.models import OutboxMessage
from network.mail.retention import about_key
from network.mail.services import queue_email
from network.membership.lifecycle import BY_THE_PERSON, BY_THE_SYSTEM, EXIT_MOVES, may, move
from network.membership.models import (
    AcceptanceMethod,
    CharterAcceptance,
    CharterVersion,
    Department,
    ExitReason,
    ExpiredApplicationCount,
    Person,
    QvtField,
    Status,
)
from network.membership.same_work import kept_only_if, stand_in
from network.reference import PARTICIPATION_PRINCIPLES
from network.urls import external_url


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


def charter_in_force(on: datetime, versions: list[CharterVersion] | None = None
                     ) -> CharterVersion:
    """The charter version published last before `on`: the first one for any earlier day.
    `versions` (all of them, oldest first) spares the query to a caller asking for many days."""
    versions = versions or db.session.scalars(
        select(CharterVersion).order_by(CharterVersion.number)).all()
    in_force = [version for version in versions if version.published_at <= on]
    return in_force[-1] if in_force else versions[0]


def record_email_acceptance(person: Person, accepted_at: datetime, by: str, note: str | None,
                            versions: list[CharterVersion] | None = None) -> CharterAcceptance:
    """The network's rules accepted by an e-mail to the GT QVT (before the site, or instead of
    it), recorded by the admin `by` with their note as the proof: the version in force then."""
    acceptance = CharterAcceptance(
        person_id=person.id, charter_version_id=charter_in_force(accepted_at, versions).id,
        accepted_at=accepted_at, method=AcceptanceMethod.EMAIL, recorded_by=by,
        note=(note or "").strip() or None)
    db.session.add(acceptance)
    return acceptance


def apply_contact_details(person: Person, details: ContactDetails) -> None:
    person.first_name = details.first_name.strip()
    person.last_name = details.last_name.strip()
    if person.email != normalise_email(details.email):
        # A new address has no bounce yet.
        person.email_bounced_at = person.email_bounce_reason = None
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


def privacy_consent_needed(person: Person) -> bool:
    """Whether the person is still to consent to the privacy notice (/confidentialite): none
    recorded (a request entered by an admin, a member imported from the former files or entered
    as « cadre accepté par e-mail »), and no sign-up waiting for the charter (its form asked
    for it, and accepting the charter records it). The pages they fill in ask until then."""
    return person.privacy_consent_at is None and person.pending_application is None


def record_privacy_consent(person: Person, now: datetime) -> None:
    """The consent given on a page that asked for it; one recorded before stands."""
    if person.privacy_consent_at is None:
        person.privacy_consent_at = now


def join(details: ContactDetails, now: datetime) -> None:
    """Take a sign-up: a new application, a charter link again, or a note to a member.

    The caller shows the same page in every case, so a stranger cannot learn who is known. For
    a known address nothing stored changes: the details wait with the application until the
    address owner accepts the charter. Every sign-up writes a new application and queues one
    e-mail: for a known address that application is undone, so that the time of the answer
    does not tell either (network.membership.same_work).
    """
    email = normalise_email(details.email)
    person = db.session.scalar(select(Person).where(Person.email == email))
    with kept_only_if(person is None):
        applicant = _new_applicant(details, now, address=email if person is None else None)
    if person is None:
        if applicant is not None:
            send_charter_link(applicant, now)
            return
        # A simultaneous sign-up of the same address made the application first.
        person = db.session.scalar(select(Person).where(Person.email == email))
    if person.status == Status.MEMBER:
        queue_email(f"already-member:{person.id}:{now.isoformat()}", person.email,
                    "already_member", "Vous êtes déjà membre du réseau", person=person, now=now)
        return
    if person.status == Status.AWAITING_REVIEW:
        # Their application already waits on the GT QVT: nothing to accept again.
        queue_email(f"awaiting-review-again:{person.id}:{now.isoformat()}", person.email,
                    "admission_pending", "Votre candidature est en attente de validation",
                    person=person, now=now, signed_up_again=True)
        return
    if person.status == Status.EXITED and not may(person, "rejoin", BY_THE_PERSON):
        queue_email(f"rejoin-refused:{person.id}:{now.isoformat()}", person.email,
                    "rejoin_refused", "Votre demande d'adhésion au réseau", person=person,
                    now=now)
        return
    person.pending_application = json.dumps(
        {**asdict(details), "email": email, "applied_at": now.isoformat()}, ensure_ascii=False)
    if person.charter_nonce is None:
        person.charter_nonce = secrets.token_hex(8)
    send_charter_link(person, now)


def _new_applicant(details: ContactDetails, now: datetime, address: str | None) -> Person | None:
    """A first application; None if the same address was registered meanwhile."""
    person = Person(applied_at=now, created_at=now, privacy_consent_at=now,
                    charter_nonce=secrets.token_hex(8))
    apply_contact_details(person, details)
    person.email = address
    try:
        with db.session.begin_nested():
            db.session.add(person)
            move(person, "apply", by=BY_THE_PERSON, why="Candidature reçue", now=now)
            db.session.flush()
    except IntegrityError:
        return None
    return person


def pending_details(person: Person) -> ContactDetails | None:
    """The details of a sign-up waiting for its address owner to accept the charter."""
    if not person.pending_application:
        return None
    values = json.loads(person.pending_application)
    values.pop("applied_at", None)
    return ContactDetails(**values)


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
    """Send a fresh charter link to a pending application; for any other address, the same
    work, undone."""
    email = normalise_email(email)
    person = db.session.scalar(select(Person).where(Person.email == email))
    with kept_only_if(person is not None and has_pending_application(person)):
        send_charter_link(person or stand_in(email), now)


def has_pending_application(person: Person) -> bool:
    """An applicant, or a former member who signed up again and has not accepted the charter."""
    return person.status == Status.APPLICANT or (
        person.status == Status.EXITED and person.pending_application is not None
        and may(person, "rejoin", BY_THE_PERSON))


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
    if person.status == Status.AWAITING_REVIEW:
        raise LinkProblem("awaiting", person)
    if not has_pending_application(person) or person.charter_nonce != payload.get("n"):
        raise LinkProblem("invalid", person)
    check_link_age(payload, person, now, timedelta(days=current_app.config["CHARTER_LINK_DAYS"]))
    return person


def check_link_age(payload: dict, person: Person, now: datetime, max_age: timedelta) -> None:
    # The payload is signed by us: its issue time can be trusted.
    if now - datetime.fromtimestamp(payload["t"], UTC) > max_age:
        raise LinkProblem("expired", person)


def accept_charter(person: Person, charter: CharterVersion, now: datetime,
                   privacy_consent: bool = False) -> bool:
    """Make an applicant (or a former member) a member, or with ADMISSION_REVIEW on put their
    application before the GT QVT; False if the link was used meanwhile. `privacy_consent`:
    given on the charter page, which asks for it when none is recorded (privacy_consent_needed)."""
    # Conditional update: of two clicks racing on the same link, only one makes a member.
    claimed = db.session.execute(
        update(Person)
        .where(Person.id == person.id, Person.status == person.status,
               Person.charter_nonce == person.charter_nonce)
        .values(charter_nonce=None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    details = pending_details(person)
    if details is not None:
        # The address owner has now proven it: their new details replace the stored ones.
        apply_contact_details(person, details)
        person.applied_at = person.privacy_consent_at = now
        person.pending_application = None
    if privacy_consent:
        record_privacy_consent(person, now)
    db.session.add(CharterAcceptance(person_id=person.id, charter_version_id=charter.id,
                                     accepted_at=now))
    first = person.status == Status.APPLICANT
    why = f"Charte acceptée (version {charter.number})"
    if current_app.config["ADMISSION_REVIEW"]:
        move(person, "accept_charter_for_review" if first else "rejoin_for_review",
             by=BY_THE_PERSON, why=why, now=now)
        person.charter_nonce = None
        _submit_for_review(person, charter, now)
        return True
    move(person, "accept_charter" if first else "rejoin", by=BY_THE_PERSON, why=why, now=now)
    person.charter_nonce = None
    welcome_member(person, charter, now)
    return True


def welcome_member(person: Person, charter: CharterVersion, now: datetime,
                   admitted_by: str | None = None) -> None:
    """The new member's welcome e-mail and the admins' notice, at the charter or, with the
    admission review, when an admin (`admitted_by`) admits them."""
    queue_email(f"member-confirmed:{person.id}:{now.isoformat()}", person.email,
                "member_confirmed", "Bienvenue dans le réseau des intervenants QVT en Occitanie",
                person=person, now=now, charter=charter, admitted=admitted_by is not None)
    notify_admins(f"admin-new-member:{person.id}:{now.isoformat()}", "admin_new_member",
                  f"Nouveau membre : {person.full_name}", person, now, charter=charter,
                  admitted_by=admitted_by)


def _submit_for_review(person: Person, charter: CharterVersion, now: datetime) -> None:
    """The applicant hears that their application waits; the admins, that it waits on them."""
    queue_email(f"admission-pending:{person.id}:{now.isoformat()}", person.email,
                "admission_pending", "Votre candidature est en attente de validation",
                person=person, now=now, charter=charter)
    notify_admins(f"admission-to-review:{person.id}:{now.isoformat()}",
                  "admin_admission_to_review", f"Candidature à valider : {person.full_name}",
                  person, now, charter=charter, accepted_at=now,
                  review_url=external_url("admin.member", person_id=person.id))


def expire_stale_applications(now: datetime, batch_size: int = 500) -> int:
    """Close applications whose charter was not accepted in time.

    A first application is purged, leaving only an anonymous count; a former member's new
    application is forgotten, and they stay as they were.
    """
    cutoff = now - timedelta(days=current_app.config["APPLICATION_EXPIRY_DAYS"])
    expired = 0
    while True:
        stale = list(db.session.scalars(
            select(Person).where(Person.status == Status.APPLICANT, Person.applied_at < cutoff)
            .order_by(Person.id).limit(batch_size)))
        if not stale:
            break
        for person in stale:
            if person.member_since is None:
                _count_expired_application(now)
            _end_application(person, "expire", "Charte non acceptée dans les délais",
                             BY_THE_SYSTEM, now)
            expired += 1
        db.session.commit()
    for person in db.session.scalars(select(Person).where(
            Person.status == Status.EXITED, Person.pending_application.is_not(None))).all():
        applied_at = datetime.fromisoformat(json.loads(person.pending_application)["applied_at"])
        if applied_at < cutoff:
            person.pending_application = person.charter_nonce = None
            expired += 1
    db.session.commit()
    return expired


def _end_application(person: Person, move_name: str, why: str, by: str, now: datetime) -> None:
    """Close a pending application: a first one is purged, an older one goes back to exited."""
    if person.status == Status.EXITED:
        person.pending_application = person.charter_nonce = None
    elif person.member_since is None:
        # The e-mails sent to them carry their name and address too.
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.person_id == person.id))
        db.session.delete(person)
    else:
        move(person, move_name, by=by, why=why, now=now)


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
    if person.status == Status.EXITED and not has_pending_application(person):
        raise LinkProblem("used", person)
    return person


def leave_network(person: Person, now: datetime, by: str = BY_THE_PERSON) -> None:
    """The person's own request: a member exits at once, an application is withdrawn."""
    if person.status != Status.MEMBER:
        _end_application(person, "withdraw", "Demande d'adhésion retirée", by, now)
        return
    move(person, "leave", by=by, why="Sortie à sa demande", now=now)
    _confirm_leaving(person, now)
    notify_admins(f"admin-member-left:{person.id}:{now.isoformat()}", "admin_member_left",
                  f"Sortie du réseau : {person.full_name}", person, now)


def exit_by_admin(person: Person, reason: ExitReason, why: str, by: str, now: datetime) -> None:
    """An admin records an exit: at the person's request, for no answer, or a removal."""
    move(person, EXIT_MOVES[reason], by=by, why=why, now=now)
    if reason == ExitReason.VOLUNTARY:
        _confirm_leaving(person, now)


def readmit(person: Person, by: str, now: datetime) -> None:
    """An admin brings an exited person back (an exit by mistake); their acceptance stands."""
    move(person, "readmit", by=by, why="Réintégration dans le réseau", now=now)


def _confirm_leaving(person: Person, now: datetime) -> None:
    queue_email(f"left:{person.id}:{now.isoformat()}", person.email, "left_network",
                "Vous avez quitté le réseau des intervenants QVT en Occitanie",
                person=person, now=now)


def notify_admins(key: str, template: str, subject: str, person: Person,
                  now: datetime, **context) -> int:
    """Tell the GT QVT admins of a change: the active admin accounts, else the setting.

    A notification about one person carries them in its key: it goes with their data.
    Returns how many e-mails were queued (none for a key already queued)."""
    addresses = active_admin_emails() or current_app.config["ADMIN_NOTIFICATION_EMAILS"]
    queued = 0
    for address in addresses:
        full_key = about_key(person.id, f"{key}:{address}") if person else f"{key}:{address}"
        if queue_email(full_key, address, template, subject, now=now, member=person,
                       **context) is not None:
            queued += 1
    return queued


def publish_charter(title: str, text_markdown: str, now: datetime) -> CharterVersion:
    """A new charter version: new applicants accept it; members at their next renewal."""
    latest = current_charter()
    version = CharterVersion(number=latest.number + 1, title=title.strip(),
                             text_markdown=text_markdown.strip(), published_at=now)
    db.session.add(version)
    return version
