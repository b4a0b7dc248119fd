"""Queue e-mails with the change that causes them (network.mail.delivery sends them)."""

import functools
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, g
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from network.emailtexts.catalogue import EMAILS
from network.emailtexts.rendering import EditedTexts, render_edited
from network.extensions import db, utcnow
from network.logs import log_event
from network.mail.models import OutboxMessage
from network.membership.models import Person
from network.typography import french_typography, french_typography_html

log = logging.getLogger("network.mail")


def queue_email(key: str, recipient: str, template: str, subject: str, *, person=None,
                now: datetime | None = None, mailing_id: int | None = None,
                **context) -> OutboxMessage | None:
    """Queue one e-mail in the current transaction; a key already queued queues nothing."""
    if not recipient:
        _skipped_without_address([getattr(person, "id", None)], template)
        return None
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)):
        return None
    email = Email(key, recipient, template, subject, person, mailing_id, context)
    message = OutboxMessage(**_outbox_row(email, email_renderer(), now or utcnow()))
    try:
        # A savepoint, so that losing a race on the unique key keeps the caller's change.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    _queued_by_this_request([key])
    return message


@dataclass
class Email:
    """One e-mail to queue: its unique key, where it goes, and what its template needs."""

    key: str
    recipient: str
    template: str
    subject: str
    person: object = None
    mailing_id: int | None = None
    context: dict = field(default_factory=dict)
    # (file name, text) of an attachment, such as an event's .ics.
    attachment: tuple[str, str] | None = None
    # Headers of its own (a mailing's List-Unsubscribe, List-Id, Precedence).
    headers: dict[str, str] | None = None


def queue_emails(emails: list[Email], now: datetime) -> int:
    """Queue a batch in the current transaction: one query for the keys already queued, one insert.

    For the jobs that write to every member. Keys already queued are skipped; a key queued by a
    concurrent transaction meanwhile raises IntegrityError: the caller rolls back and retries.
    """
    without_address = [email for email in emails if not email.recipient]
    if without_address:
        # An anonymised person, say: nothing to send, and no row that would fail every time.
        _skipped_without_address([getattr(email.person, "id", None) for email in without_address],
                                 without_address[0].template)
        emails = [email for email in emails if email.recipient]
    if not emails:
        return 0
    queued = set(db.session.scalars(select(OutboxMessage.dedup_key).where(
        OutboxMessage.dedup_key.in_([email.key for email in emails]))))
    render = email_renderer()
    rows = [_outbox_row(email, render, now) for email in emails if email.key not in queued]
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
        _queued_by_this_request([row["dedup_key"] for row in rows])
    return len(rows)


def _skipped_without_address(person_ids: list, template: str) -> None:
    log_event(log, "mail.skipped_without_address", logging.WARNING, template=template,
              person_ids=person_ids[:50])


def _queued_by_this_request(keys: list[str]) -> None:
    """Noted for the request that queues them: it may send these, and only these, after its
    response (the scheduler sends the rest)."""
    g.setdefault("outbox_keys", []).extend(keys)


def queue_batch(emails: list[Email], now: datetime) -> bool:
    """Queue a batch and commit it; False (rolled back) when a concurrent transaction queued
    some of these keys first: the caller takes the same batch again, and skips those."""
    try:
        queue_emails(emails, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def queue_to_people(people, email_for, now: datetime, batch_size: int,
                    on_batch=None) -> int:
    """One e-mail per person of `people` (a query of Person), in committed batches of ids.

    The keys make a re-run, or a run after a crash, skip whoever already has their copy.
    `on_batch(queued)` hears of each batch (progress on a terminal)."""
    queued = last_id = 0
    conflicts = Conflicts("queue_to_people")
    while True:
        batch = db.session.scalars(people.where(Person.id > last_id).limit(batch_size)).all()
        if not batch:
            return queued
        done = queue_batch([email_for(person) for person in batch], now)
        if not done and conflicts.again([person.id for person in batch]):
            continue
        last_id = batch[-1].id
        queued += len(batch) if done else 0
        if on_batch:
            on_batch(queued)


class Conflicts:
    """A batch that keeps conflicting (IntegrityError) is taken again a few times, then logged
    (ids only) and skipped: a job always ends, and the others get their e-mail."""

    TRIES = 3

    def __init__(self, job: str):
        self.job = job
        self.tries = 0

    def again(self, ids: list) -> bool:
        """Whether to take this batch again; False (and a log line) once it has had its tries."""
        self.tries += 1
        if self.tries < self.TRIES:
            return True
        log_event(log, "job.batch_skipped", logging.WARNING, job=self.job, ids=ids[:50])
        self.tries = 0
        return False


def email_renderer():
    """Render e-mail templates with the app's template context, computed once per batch, or
    the text the GT QVT wrote for that e-mail (network.emailtexts), read once per batch."""
    shared: dict = {}
    current_app.update_template_context(shared)
    # Both bodies sign the same leave link: sign it once per person.
    shared["leave_url"] = functools.cache(shared["leave_url"])
    environment = current_app.jinja_env
    edited = EditedTexts()

    def render(template: str, **context) -> tuple[str, str, str]:
        """The subject and both bodies, in French typography (the subject, a header, stays as
        written)."""
        context = shared | context
        if text := edited.get(template, context):
            try:
                return render_edited(environment, EMAILS[template], *text, context)
            except (KeyError, AttributeError, TypeError, ValueError) as error:
                # A placeholder whose value this context lacks (a bug of the catalogue): the
                # person still gets their e-mail, in its default words, and the log says why.
                log_event(log, "mail.edited_text_failed", logging.ERROR, template=template,
                          error=repr(error))
        return (context["subject"],
                french_typography(environment.get_template(f"email/{template}.txt")
                                  .render(context)),
                french_typography_html(environment.get_template(f"email/{template}.html")
                                       .render(context)))
    return render


def _outbox_row(email: Email, render, now: datetime) -> dict:
    subject, body_text, body_html = render(email.template, subject=email.subject,
                                           person=email.person, **email.context)
    return {"dedup_key": email.key, "person_id": getattr(email.person, "id", None),
            "mailing_id": email.mailing_id, "template": email.template,
            "recipient": email.recipient, "subject": subject, "body_text": body_text,
            "body_html": body_html, "created_at": now, "next_attempt_at": now,
            "attachment_name": email.attachment[0] if email.attachment else None,
            "attachment_content": email.attachment[1] if email.attachment else None,
            "extra_headers": json.dumps(email.headers, ensure_ascii=False) if email.headers
            else None}
