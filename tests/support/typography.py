"""The text of pages and e-mails as the templates type it, for the tests that read words.

Every page and every e-mail leaves with French typography (network.typography): no-break spaces
before « : ; ! ? » and inside guillemets, curly apostrophes. The tests of what a page says compare
with the words as typed in the templates and the code (« Adresse : », « l'adhésion »); they read
the text through `as_typed`, which undoes exactly that. tests/app/test_typography.py reads the
typography itself (`get_data`, the outbox's rows as stored).
"""

import re
from functools import cached_property

from flask import Response
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TYPOGRAPHY = str.maketrans({"\u202f": " ", "\u00a0": " ", "’": "'"})


def as_typed(text: str) -> str:
    """The text with the typography's spaces and apostrophes back to the typed ones."""
    return text.translate(TYPOGRAPHY)


class AsTypedResponse(TestResponse, Response):
    """A test response whose `.text` reads as typed; `get_data()` is what the browser gets."""

    @cached_property
    def text(self) -> str:
        return as_typed(self.get_data(as_text=True))


class AsTypedClient(FlaskClient):
    """The test client of the suite (`app.test_client()`), its responses read as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.response_wrapper = AsTypedResponse


def fr(text: str, whole: bool = False) -> re.Pattern:
    """A pattern of `text` as a browser shows it, for Playwright's locators: typed with straight
    apostrophes and plain spaces, shown with curly ones and no-break spaces."""
    pattern = "".join(r"\s+" if part == " " else "['’]" if part == "'" else re.escape(part)
                      for part in re.split(r"( |')", text))
    return re.compile(f"^{pattern}$" if whole else pattern)
