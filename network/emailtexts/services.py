"""The GT QVT's texts of the automatic e-mails: save one, go back to the default, preview one."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from network.emailtexts import markup
from network.emailtexts.catalogue import EditableEmail
from network.emailtexts.models import EmailText, EmailTextDraft
from network.emailtexts.placeholders import SAMPLE
from network.emailtexts.rendering import render_sample
from network.extensions import db
from network.membership.models import Person


class TextRefused(ValueError):
    """A text with problems (markup.problems): by field, in French."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(problems)
        self.problems = problems


def edited_texts() -> dict[str, EmailText]:
    """Every edited text, by e-mail name (the list page)."""
    return {text.name: text for text in db.session.scalars(select(EmailText))}


def edited_text(name: str) -> EmailText | None:
    return db.session.scalar(select(EmailText).where(EmailText.name == name))


def editor_text(email: EditableEmail) -> tuple[str, str]:
    """What the editor starts from: the edited text, or the default written in Markdown."""
    text = edited_text(email.name)
    return (text.subject, text.body_markdown) if text else (email.subject, email.starter())


def check(email: EditableEmail, subject: str, body: str) -> None:
    """TextRefused unless every placeholder is known and in its place, the required ones in."""
    if problems := markup.problems(email, subject, body):
        raise TextRefused(problems)


def save_text(email: EditableEmail, subject: str, body: str, admin_email: str,
              now: datetime) -> EmailText:
    """Checked, then kept: the next e-mails of this kind take it."""
    check(email, subject, body)
    text = edited_text(email.name)
    if text is None:
        try:
            with db.session.begin_nested():
                text = EmailText(name=email.name, subject=subject, body_markdown=body,
                                 updated_at=now, updated_by=admin_email)
                db.session.add(text)
        except IntegrityError:
            # Another admin saved this e-mail's first text meanwhile: this one replaces it.
            text = edited_text(email.name)
    text.subject, text.body_markdown = subject, body
    text.updated_at, text.updated_by = now, admin_email
    _forget_drafts(email.name)
    return text


def reset_text(email: EditableEmail) -> bool:
    """Back to the files: the edited text is deleted. False when there was none."""
    _forget_drafts(email.name)
    return bool(db.session.execute(delete(EmailText).where(EmailText.name == email.name))
                .rowcount)


def _forget_drafts(name: str) -> None:
    db.session.execute(delete(EmailTextDraft).where(EmailTextDraft.name == name))


def keep_draft(email: EditableEmail, admin_id: int, subject: str, body: str,
               now: datetime) -> None:
    """The text an admin asks to preview (checked first), for the preview's frame to read."""
    check(email, subject, body)
    draft = draft_of(email.name, admin_id)
    if draft is None:
        try:
            with db.session.begin_nested():
                draft = EmailTextDraft(admin_id=admin_id, name=email.name, subject=subject,
                                       body_markdown=body, created_at=now)
                db.session.add(draft)
            return
        except IntegrityError:
            draft = draft_of(email.name, admin_id)
    draft.subject, draft.body_markdown, draft.created_at = subject, body, now


def draft_of(name: str, admin_id: int) -> EmailTextDraft | None:
    return db.session.scalar(select(EmailTextDraft).where(
        EmailTextDraft.name == name, EmailTextDraft.admin_id == admin_id))


@dataclass
class Preview:
    recipient: str
    subject: str
    text: str
    html: str


def preview(email: EditableEmail, subject: str, body: str) -> Preview:
    """The e-mail as the sample person would receive it, with the placeholders' samples."""
    person = Person(first_name=SAMPLE.first_name, last_name=SAMPLE.last_name, email=SAMPLE.email,
                    status=email.recipient_status, member_since=SAMPLE.member_since)
    context: dict = {}
    current_app.update_template_context(context)
    context |= {"person": person, "subject": subject}
    subject, text, html = render_sample(current_app.jinja_env, email, subject, body, context)
    return Preview(f"{SAMPLE.first_name} {SAMPLE.last_name} <{SAMPLE.email}>", subject, text,
                   html)


def preview_source(email: EditableEmail, admin_id: int) -> tuple[str, str]:
    """What the preview's frame shows: the admin's last previewed text, else the editor's."""
    draft = draft_of(email.name, admin_id)
    return (draft.subject, draft.body_markdown) if draft else editor_text(email)
