"""The editor's starting texts, saved as they are, through every flow that sends each e-mail
(tests.mail.every_email): the same subjects and every link the files give; and on a phone the
edited e-mails, every placeholder in, keep to the screen as the files' do. Once, on SQLite: the
flows run twice."""

import re

import pytest

from network.emailtexts.catalogue import EMAILS
from network.emailtexts.placeholders import BLOCK
from network.emailtexts.services import save_text
from network.extensions import db
from tests.conftest import empty_tables
from tests.factories import NOW
from tests.mail.every_email import every_email
from tests.mail.test_email_layout import PHONE, measure_every_email

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

URL = re.compile(r"https?://[^\s)]+")


def links(text: str) -> set[str]:
    """The addresses of a text part, their signed tokens and ids left out (each run has its
    own)."""
    return {re.sub(r"/\d+", "/N", re.sub(r"eyJ[\w.-]+", "TOKEN", url.rstrip(".,;")))
            for url in URL.findall(text)}


def edited_every_email(every_placeholder: bool = False) -> dict:
    """The flows, each e-mail with its starting text (and, asked, a last paragraph holding
    every placeholder of the e-mail it does not: each value computed from the real context)."""
    for email in EMAILS.values():
        body = email.starter()
        if every_placeholder:
            missing = [placeholder for placeholder, _ in email.placeholders
                       if "{" + placeholder.name + "}" not in body]
            body += "\n\nEt aussi : " + " ".join(
                "{" + p.name + "}" for p in missing if p.kind != BLOCK) + "\n\n" + "\n\n".join(
                "{" + p.name + "}" for p in missing if p.kind == BLOCK) + "\n"
        save_text(email, email.subject, body, "admin@gt-qvt.fr", NOW)
    db.session.commit()
    return every_email()


def test_the_starting_texts_keep_the_files_subjects_and_every_link(app):
    files = {name: (message.subject, links(message.body_text))
             for name, message in every_email().items() if name in EMAILS}
    assert sum(len(addresses) for _, addresses in files.values()) > 2 * len(files)
    empty_tables()
    edited = edited_every_email()
    for name, (subject, addresses) in files.items():
        message = edited[name]
        assert message.subject == subject, name
        assert addresses <= links(message.body_text), (name, addresses - links(
            message.body_text))
        # The text the editor started from, not the files' (their capitals, their buttons).
        assert "{" not in message.body_text and "QVTREPERE" not in message.body_html, name


def test_the_edited_e_mails_fit_a_phone_and_keep_to_their_column(app, request):
    messages = {name: message for name, message in edited_every_email(True).items()
                if name in EMAILS}
    assert sorted(messages) == sorted(EMAILS)
    for name, message in messages.items():
        assert "Et aussi" in message.body_text and "{" not in message.body_text, name
    browser = request.getfixturevalue("browser")
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, locale="fr-FR")
    try:
        problems = list(measure_every_email(context.new_page(), {
            f"edited-{name}": message for name, message in messages.items()}))
    finally:
        context.close()
    assert not problems, "\n".join(problems)
