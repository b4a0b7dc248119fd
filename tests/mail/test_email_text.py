"""The text part of the e-mails that carry the admins' Markdown (a mailing, the charter) reads as
plain text: no `**`, `##`, `[texte](url)` nor `_em_` left."""

import re
from pathlib import Path

import pytest

from network.extensions import db
from network.mailings.models import Mailing
from network.mailings.services import queue_requested_mailings, request_sending
from network.membership.services import publish_charter
from network.scheduler.tick import deliver_all
from network.templating import markdown_text
from tests.factories import NOW, make_applicant, make_member
from tests.support.smtp import html_of, text_of

MARKDOWN = """\
## Les ateliers de printemps

Un texte en **gras**, en *italique* et en _italique aussi_, avec
[le programme](https://www.aract-occitanie.fr/programme?annee=2026&format=pdf).

### Au menu

- premier point
- second point avec `du code`

Puis :

1. étape une
2. étape deux

> Une citation du GT QVT.

---

Pour nous écrire <contact@exemple.fr>
"""
# What the reader sees instead of the marks.
READABLE = ["Les ateliers de printemps\n\nUn texte",
            "Un texte en gras, en italique et en italique aussi, avec le programme "
            "(https://www.aract-occitanie.fr/programme?annee=2026&format=pdf).",
            "\nAu menu\n", "\n• premier point\n• second point avec du code\n",
            "\n1. étape une\n2. étape deux\n", "\n    Une citation du GT QVT.\n",
            "Pour nous écrire contact@exemple.fr"]
MARKS = ["**", "##", "](", "[le programme", "_italique aussi_", "*italique*", "`", "> ", "---",
         "<contact"]
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"


def plain(text: str) -> str:
    """The text with its lines ending in \n, without the French typography's spaces and
    apostrophes (network.typography)."""
    for typed, plain_character in (("\r\n", "\n"), ("\u00a0", " "), ("\u202f", " "), ("’", "'")):
        text = text.replace(typed, plain_character)
    return text


def test_the_mailing_and_the_charter_read_as_plain_text(app, smtp):
    make_member(email="membre@exemple.fr")
    publish_charter("Charte du réseau", MARKDOWN, NOW)
    make_applicant(email="candidate@exemple.fr")
    mailing = Mailing(subject="Les ateliers de printemps", body_markdown=MARKDOWN, profiles="",
                      department_codes="", qvt_field_codes="", created_by="gt-qvt@exemple.fr")
    db.session.add(mailing)
    request_sending(mailing, NOW)
    db.session.commit()
    queue_requested_mailings(NOW)
    deliver_all(NOW)

    [charter] = [m for m in smtp.to("candidate@exemple.fr") if "adhésion" in m["Subject"]]
    [sent] = [m for m in smtp.to("membre@exemple.fr") if m["Subject"] == mailing.subject]
    for message in (charter, sent):
        text = plain(text_of(message))
        assert [mark for mark in MARKS if mark in text] == [], text
        assert [part for part in READABLE if part not in text] == [], text
        # The HTML part still shows the formatting.
        assert "<strong>gras</strong>" in html_of(message)


@pytest.mark.parametrize("markdown, text", [
    ("[écrire](mailto:gt@exemple.fr) ou <gt@exemple.fr>",
     "écrire (gt@exemple.fr) ou gt@exemple.fr"),
    ("<https://exemple.fr/a_b>", "https://exemple.fr/a_b"),
    ("Une ligne  \net la suivante", "Une ligne\net la suivante"),
    ("1. un\n2. deux\n    - sous-point\n    - autre", "1. un\n2. deux\n  • sous-point\n  • autre"),
    ("- espacé\n\n- items", "• espacé\n• items"),
    ("# Titre\n\nTexte & <b>gras</b> <script>alert(1)</script>", "Titre\n\nTexte & gras"),
    ("a\n\n***\n\nb", "a\n\n————————————\n\nb"),
    ("", ""),
])
def test_markdown_becomes_plain_text(markdown, text):
    assert markdown_text(markdown) == text


def test_every_text_template_turns_the_markdown_it_shows_into_text():
    for path in TEMPLATES.glob("*.txt"):
        for field in re.findall(r"\{\{\s*([\w.]*markdown\w*)\s*(\|[^}]*)?\}\}", path.read_text()):
            assert "markdown_text" in field[1], f"{path.name}: {field[0]} without | markdown_text"
