"""Write to the mailing list: a segment, a preview, a test to oneself, then the outbox."""

from datetime import datetime

from flask import current_app
from sqlalchemy import Select, func, select, update

from network.admin.services import audit
from network.extensions import db
from network.mail.models import OutboxMessage
from network.mail.services import Email, queue_emails, queue_to_people
from network.mailings.models import Mailing
from network.membership.lifecycle import BY_THE_PERSON
from network.membership.models import Person, Status
from network.membership.search import PersonFilter, filtered_people
from network.membership.services import person_from_link, signed_serializer
from network.templating import render_markdown
from network.urls import external_url

UNSUBSCRIBE_PURPOSE = "mailings-unsubscribe"


def segment_codes(text: str) -> list[str]:
    return [code for code in text.split(",") if code]


def accepting_mailings(people: Select) -> Select:
    """Keep only the people who have not asked to stop the mailings: every segment goes
    through here (a member's « Ne plus recevoir les envois du réseau »)."""
    return people.where(Person.mailings_opt_out.is_(False))


def _segment_query(mailing: Mailing) -> Select:
    criteria = PersonFilter(statuses=[Status.MEMBER], profiles=segment_codes(mailing.profiles),
                            department_codes=segment_codes(mailing.department_codes),
                            qvt_field_codes=segment_codes(mailing.qvt_field_codes))
    return filtered_people(criteria, with_lists=False).order_by(None).order_by(Person.id)


def recipients_query(mailing: Mailing) -> Select:
    """Active members of the mailing's segment who accept mailings, in id order (for
    resumable batches)."""
    return accepting_mailings(_segment_query(mailing))


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def count_recipients(mailing: Mailing) -> int:
    return _count(recipients_query(mailing))


def count_opted_out(mailing: Mailing) -> int:
    """Members of the segment left out because they asked to stop the mailings."""
    return _count(_segment_query(mailing).where(Person.mailings_opt_out.is_(True)))


def mailing_list_query() -> Select:
    """Every member who accepts mailings (the mailing list the back-office exports)."""
    return accepting_mailings(filtered_people(PersonFilter(statuses=[Status.MEMBER]),
                                              with_lists=False))


def unsubscribe_token(person: Person) -> str:
    """The one-click link of every mailing; it never expires, so old mailings still work."""
    return signed_serializer(UNSUBSCRIBE_PURPOSE).dumps({"p": person.id})


def unsubscribe_url(person: Person) -> str:
    return external_url("mailings.unsubscribe", token=unsubscribe_token(person))


def person_for_unsubscribe_token(token: str) -> Person:
    """The person an unsubscribe link was made for; LinkProblem('invalid') if forged."""
    person, _ = person_from_link(UNSUBSCRIBE_PURPOSE, token)
    return person


def mailing_headers(unsubscribe_link: str) -> dict[str, str]:
    """What mail providers expect of a mailing: one-click unsubscribe (RFC 8058), the list it
    comes from (RFC 2919), and bulk precedence."""
    return {"List-Unsubscribe": f"<{unsubscribe_link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": current_app.config["MAILING_LIST_ID"],
            "Precedence": "bulk"}


def stop_mailings(person: Person, now: datetime) -> bool:
    """The person's own request: no more mailings. Their membership, and its e-mails (renewal,
    events they registered to), go on. False if they had already asked (nothing changes)."""
    # Conditional update: a provider's one-click POST and the person's own click may race.
    stopped = db.session.execute(
        update(Person).where(Person.id == person.id, Person.mailings_opt_out.is_(False))
        .values(mailings_opt_out=True).execution_options(synchronize_session=False))
    person.mailings_opt_out = True
    if stopped.rowcount != 1:
        return False
    audit(BY_THE_PERSON, "member.mailings_opt_out", now, person.id,
          "Ne reçoit plus les envois du réseau (lien de désabonnement)")
    return True


def _mailing_email(mailing: Mailing, person: Person | None, recipient: str, key: str,
                   body_html: str) -> Email:
    # The admin's test copy has no person, hence no unsubscribe link of its own.
    link = unsubscribe_url(person) if person is not None else None
    return Email(key, recipient, "mailing", mailing.subject, person, mailing.id,
                 {"body_markdown": mailing.body_markdown, "body_html": body_html,
                  "unsubscribe_url": link},
                 headers=mailing_headers(link) if link else None)


def send_test(mailing: Mailing, admin_email: str, now: datetime) -> None:
    """A copy to the admin, to read it as members will."""
    queue_emails([_mailing_email(mailing, None, admin_email,
                                 f"mailing-test:{mailing.id}:{now.isoformat()}",
                                 render_markdown(mailing.body_markdown))], now)


def request_sending(mailing: Mailing, now: datetime) -> None:
    """Confirmed by an admin: the scheduler queues it at its next tick, in batches."""
    mailing.send_requested_at = now
    mailing.recipient_count = count_recipients(mailing)


def queue_requested_mailings(now: datetime, batch_size: int = 500, progress=None) -> int:
    """Queue one outbox row per recipient; a crash or a re-run resumes where it stopped."""
    queued = 0
    pending = db.session.scalars(select(Mailing).where(
        Mailing.send_requested_at.is_not(None), Mailing.queued_at.is_(None))).all()
    for mailing in pending:
        queued += _queue_mailing(mailing, now, batch_size, progress, queued)
        mailing.queued_at = now
        db.session.commit()
    return queued


def _queue_mailing(mailing: Mailing, now: datetime, batch_size: int, progress,
                   already: int) -> int:
    body_html = render_markdown(mailing.body_markdown)

    def email_for(person: Person) -> Email:
        return _mailing_email(mailing, person, person.email,
                              f"mailing:{mailing.id}:{person.id}", body_html)

    def on_batch(done: int) -> None:
        progress(f"Envoi « {mailing.subject} »", already + done)

    return queue_to_people(recipients_query(mailing), email_for, now, batch_size,
                           on_batch if progress else None)


def delivery_counts(mailing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per mailing, how many of its e-mails are pending, sent or failed (one query)."""
    counts: dict[int, dict[str, int]] = {mailing_id: {} for mailing_id in mailing_ids}
    rows = db.session.execute(
        select(OutboxMessage.mailing_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.mailing_id.in_(mailing_ids),
               OutboxMessage.dedup_key.startswith("mailing:"))
        .group_by(OutboxMessage.mailing_id, OutboxMessage.status))
    for mailing_id, status, number in rows:
        counts[mailing_id][status] = number
    return counts
