"""One member's renewal: their link, their answer, and what an admin may do with it."""

from datetime import datetime

from sqlalchemy import func, select, update

from network.extensions import db
from network.mail.services import Email, queue_emails
from network.members_space.services import change_email, update_own_details
from network.membership.lifecycle import BY_THE_PERSON, after_exit, may, move
from network.membership.models import CharterAcceptance, CharterVersion, Person, Status
from network.membership.services import (
    LinkProblem,
    current_charter,
    person_from_link,
    record_privacy_consent,
    signed_serializer,
)
from network.renewal.forms import LEAVE
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.templating import PARIS
from network.urls import external_url

# The e-mails that carry the form: whether one reached the member decides their fate at the end.
FORM_TEMPLATES = ("renewal_form", "renewal_reminder")
# A request still waiting for the member's answer.
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.UNREACHED)


def form_email(campaign: RenewalCampaign, person: Person, template: str, key: str,
               subject: str) -> Email:
    """A renewal e-mail, with the member's personal link to the form."""
    link = external_url("renewal.form", token=renewal_token(campaign, person))
    return Email(key, person.email, template, subject, person,
                 context={"campaign": campaign, "link": link})


def _queue_form(campaign, person, template, key, subject, now) -> None:
    queue_emails([form_email(campaign, person, template, key, subject)], now)


def renewal_token(campaign: RenewalCampaign, person: Person) -> str:
    return signed_serializer("renewal").dumps({"p": person.id, "y": campaign.year})


def request_for_token(token: str) -> RenewalRequest:
    person, payload = person_from_link("renewal", token)
    request = db.session.scalar(
        select(RenewalRequest).join(RenewalCampaign)
        .where(RenewalCampaign.year == payload.get("y"), RenewalRequest.person_id == person.id))
    if request is None:
        raise LinkProblem("invalid", person)
    return request


def current_request(person: Person, now: datetime) -> RenewalRequest | None:
    """The member's request of a campaign they can still answer (the member space shows it)."""
    for request in db.session.scalars(
            select(RenewalRequest).join(RenewalCampaign)
            .where(RenewalRequest.person_id == person.id,
                   RenewalRequest.status != RequestStatus.EXEMPT)
            .order_by(RenewalCampaign.year.desc()).limit(2)):
        if not is_closed(request, now):
            return request
    return None


def deadline_of(request: RenewalRequest) -> datetime:
    """The campaign's deadline, or the personal one an admin gave when sending the form again."""
    return request.deadline or request.campaign.deadline


def is_closed(request: RenewalRequest, now: datetime) -> bool:
    # A member whose form never arrived may still answer: they are still a member.
    return request.status in (RequestStatus.DROPPED, RequestStatus.CLOSED) or (
        request.status != RequestStatus.UNREACHED and now >= deadline_of(request))


def may_answer(request: RenewalRequest, now: datetime) -> bool:
    """A member answers until the deadline; a « je quitte » of this campaign can be taken back."""
    person = request.person
    if is_closed(request, now):
        return False
    return person.status == Status.MEMBER or (
        request.status == RequestStatus.LEFT and may(person, "change_mind", BY_THE_PERSON))


def charter_to_accept(person: Person) -> CharterVersion | None:
    """The current charter if it is newer than the person's last acceptance."""
    charter = current_charter()
    last = db.session.scalar(
        select(func.max(CharterVersion.number)).join(CharterAcceptance)
        .where(CharterAcceptance.person_id == person.id))
    return charter if last is None or last < charter.number else None


def answer(request: RenewalRequest, form, charter: CharterVersion | None, now: datetime) -> None:
    """The member's own answer, from the link of the e-mail or from the member space."""
    if form.decision.data == LEAVE:
        decline(request, now)
    else:
        # Back first, if they had answered « je quitte »: their details are a member's again.
        renew(request, BY_THE_PERSON, now, accepted=charter)
        update_own_details(request.person, form.contact_details(), now)
        if form.privacy_consent_given:
            record_privacy_consent(request.person, now)


def renew(request: RenewalRequest, by: str, now: datetime, accepted: CharterVersion | None = None,
          ) -> None:
    """The member stays (their own answer, or an admin's record of it)."""
    person = request.person
    if person.status == Status.EXITED:
        move(person, "change_mind", by=by, now=now,
             why=f"Renouvellement {request.campaign.year} : revient sur sa décision de quitter")
    else:
        move(person, "renew", by=by, now=now,
             why=f"Renouvellement {request.campaign.year} confirmé")
    if accepted is not None:
        db.session.add(CharterAcceptance(person_id=person.id, charter_version_id=accepted.id,
                                         accepted_at=now))
    already_renewed = request.status == RequestStatus.RENEWED
    request.status = RequestStatus.RENEWED
    request.answered_at = now
    request.answered_by = by
    if by == BY_THE_PERSON and not already_renewed:
        _queue_form(request.campaign, person, "renewal_confirmed",
                    f"renewal-confirmed:{request.campaign.year}:{person.id}:{now.isoformat()}",
                    f"Votre participation au réseau est renouvelée pour {request.campaign.year}",
                    now)


def decline(request: RenewalRequest, now: datetime) -> None:
    """The member answers that they leave the network."""
    if request.status == RequestStatus.LEFT:
        return
    request.status = RequestStatus.LEFT
    request.answered_at = now
    request.answered_by = BY_THE_PERSON
    move(request.person, "decline_renewal", by=BY_THE_PERSON, now=now,
         why=f"Renouvellement {request.campaign.year} refusé")
    _queue_form(request.campaign, request.person, "renewal_declined",
                f"renewal-declined:{request.campaign.year}:{request.person_id}:{now.isoformat()}",
                "Vous quittez le réseau des intervenants QVT en Occitanie", now)


@after_exit
def close_open_request(person: Person, move_name: str, now: datetime) -> None:
    """Leaving, whatever the path, closes the year's request: no reminder, no drop, no answer.

    A plain SQL statement on the table, without flushing the session: an answer being recorded
    on a request (« je quitte », a drop) is written after it, and stands.
    """
    requests = RenewalRequest.__table__
    db.session.execute(
        update(requests)
        .where(requests.c.person_id == person.id, requests.c.status.in_(OPEN_STATUSES))
        .values(status=RequestStatus.CLOSED, answered_at=now))


def reminder_subject(campaign: RenewalCampaign) -> str:
    deadline = campaign.deadline.astimezone(PARIS)
    return (f"Rappel : renouvelez votre participation au réseau avant le "
            f"{deadline.day}/{deadline.month:02d}")


def send_reminder(request: RenewalRequest, now: datetime, key: str) -> None:
    """A reminder an admin sends by hand, now."""
    _queue_form(request.campaign, request.person, "renewal_reminder", key,
                reminder_subject(request.campaign), now)
    request.last_reminder_at = now


def send_form_again(request: RenewalRequest, email: str, deadline: datetime, by: str,
                    now: datetime) -> None:
    """An admin corrects the address of a member the form did not reach and sends it again,
    with a personal deadline; raises ValueError if the address is another person's."""
    person = request.person
    if email != person.email:
        change_email(person, email, by, now)
    request.status = RequestStatus.PENDING
    request.deadline = deadline
    _queue_form(request.campaign, person, "renewal_form",
                f"renewal-form-again:{request.campaign.year}:{person.id}:{now.isoformat()}",
                f"Renouvellement {request.campaign.year} : restez-vous dans le réseau ?", now)


def drop_unreached(request: RenewalRequest, by: str, now: datetime) -> None:
    """An admin decides that a member the form did not reach leaves the network."""
    request.status = RequestStatus.DROPPED
    request.answered_at = now
    request.answered_by = by
    move(request.person, "drop", by=by, now=now,
         why=f"Sans réponse au renouvellement {request.campaign.year} (décision du GT QVT)")
