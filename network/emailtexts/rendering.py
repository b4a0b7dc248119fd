"""An edited e-mail as the outbox stores it: subject, text part and HTML part, in the e-mails'
own layout (email/_layout.html: the band, the footer and its leave link, the phone width)."""

from markupsafe import Markup
from sqlalchemy import select

from network.emailtexts import markup
from network.emailtexts.catalogue import EMAILS, EditableEmail
from network.emailtexts.models import EmailText
from network.emailtexts.placeholders import BLOCK
from network.extensions import db
from network.typography import french_typography, french_typography_html


class EditedTexts:
    """The edited texts of one batch of e-mails, each read once (a batch is one template, most
    of the time: one query for the whole batch, none for an e-mail nobody may edit)."""

    def __init__(self):
        self.read: dict[str, tuple[str, str] | None] = {}

    def get(self, template: str, context: dict) -> tuple[str, str] | None:
        """(subject, body) of the edited text this e-mail takes, or None: the files."""
        email = EMAILS.get(template)
        if email is None or (email.applies and not email.applies(context)):
            return None
        if template not in self.read:
            row = db.session.execute(select(EmailText.subject, EmailText.body_markdown)
                                     .where(EmailText.name == template)).first()
            self.read[template] = tuple(row) if row else None
        return self.read[template]


def render_edited(environment, email: EditableEmail, subject: str, body: str,
                  context: dict) -> tuple[str, str, str]:
    """The e-mail with its edited text, the values computed from its context."""
    used = _used(email, subject, body)
    values = {placeholder.name: placeholder.value(context)
              for placeholder in used if placeholder.kind != BLOCK}
    return _render(environment, email, subject, body, context, values)


def render_sample(environment, email: EditableEmail, subject: str, body: str,
                  context: dict) -> tuple[str, str, str]:
    """The e-mail with its text and the placeholders' samples (the preview): `context` holds
    the sample person; each block's partial gets its sample."""
    used = _used(email, subject, body)
    values = {placeholder.name: placeholder.sample_value()
              for placeholder in used if placeholder.kind != BLOCK}
    for placeholder in used:
        if placeholder.kind == BLOCK:
            context = context | placeholder.sample()
    return _render(environment, email, subject, body, context, values)


def _used(email: EditableEmail, subject: str, body: str) -> list:
    return [email.by_name[name] for name in markup.names_in(subject) + markup.names_in(body)
            if name in email.by_name]


def _render(environment, email, subject, body, context, values) -> tuple[str, str, str]:
    blocks = {placeholder.name: tuple(
        environment.get_template(f"email/_{placeholder.partial}.{part}").render(context)
        for part in ("txt", "html"))
        for placeholder in _used(email, "", body) if placeholder.kind == BLOCK}
    subject = markup.fill_subject(email, subject, values)
    text = environment.get_template("email/_edited.txt").render(
        context | {"body": markup.fill_text(email, body, values, blocks)})
    html = environment.get_template("email/_edited.html").render(
        context | {"subject": subject,
                   "body_html": Markup(markup.fill_html(email, body, values, blocks))})
    # As the files' e-mails: French typography on both bodies, not on the subject (a header).
    return subject, french_typography(text), french_typography_html(html)
