"""French typography, applied once to what the site writes: every HTML page and every e-mail.

The templates are typed with ordinary spaces and straight apostrophes; this module sets them the
French way on the way out, by the Imprimerie nationale's rules, as French publishers and sites do:
- a narrow no-break space (U+202F) before ; ! ? and », and after «;
- a no-break space (U+00A0) before : (a word space, by the same rules), before % and €, and
  between a number and its unit (« 14 h 30 », « 25 Mo »): a line never starts with a sign;
- a curly apostrophe (’) between two letters (« l’adhésion »).
Before : ; ! ? only a space already there changes: a colon without one is a time, a URL's scheme,
an IPv6 address. Guillemets always get theirs. Addresses keep their characters: an apostrophe is
valid in an e-mail address, and addresses are copied.

In HTML only text changes, never tags, attributes, comments, nor what <script>, <style>, <pre>,
<code> and <textarea> hold. Every rule is idempotent: a page or an e-mail set twice is unchanged.

Speed: a page is scanned once for the few characters that matter (a C-level search), and only
those are looked at in Python: the 200-row members list (103 kB) takes under 2 ms of CPU.
"""

import re
from bisect import bisect_right

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

TEXT_SPACES = " \t\u00a0\u202f"
# In HTML a line break is a space like any other, and a no-break space may be an entity.
HTML_SPACES = TEXT_SPACES + "\r\n"
HTML_SPACE_ENTITIES = ("&nbsp;", "&#160;", "&#xa0;")
# The space each sign wants before it.
SPACE_BEFORE = {";": NARROW_NBSP, "!": NARROW_NBSP, "?": NARROW_NBSP, "»": NARROW_NBSP,
                ":": NBSP, "%": NBSP, "€": NBSP}
SIGNS = (*SPACE_BEFORE, "«", "'")
# What follows a number and stays on its line (« 9 h », « 25 Mo »), with the space before it.
UNIT = re.compile(r" (?:h|min|[KMG]o|octets)\b")
# An apostrophe as Jinja escapes it. (Two expressions: each starts with its own character, which
# the search skips to; one alternation of both tries every position, three times slower.)
ESCAPED_APOSTROPHE = re.compile(r"&(?:#39|#x27|apos);")
# Where nothing changes in a page: comments and the raw text of these elements.
RAW = re.compile(r"<!--.*?-->|<(script|style|pre|code|textarea)\b[^>]*>.*?</\1\s*>",
                 re.DOTALL | re.IGNORECASE)


class Typesetter:
    """Sets one text: finds the few places that matter (the signs with str.find, a search
    in C much quicker than a regular expression's; the rest with one expression), then looks at
    each of them."""

    def __init__(self, text: str, html: bool):
        self.text, self.html = text, html
        self.spaces = HTML_SPACES if html else TEXT_SPACES
        self.space_entities = HTML_SPACE_ENTITIES if html else ()
        self.raw: list[tuple[int, int]] = []
        if html and "<" in text:
            self.raw = [(match.start(), match.end()) for match in RAW.finditer(text)]
        self.raw_starts = [start for start, _ in self.raw]

    def events(self) -> list[tuple[int, str]]:
        """(position, what is there) of every sign, «, apostrophe and unit, in order."""
        text, found = self.text, []
        for sign in SIGNS:
            position = text.find(sign)
            while position >= 0:
                found.append((position, sign))
                position = text.find(sign, position + 1)
        for expression in (UNIT, ESCAPED_APOSTROPHE) if self.html else (UNIT,):
            found += ((match.start(), match.group()) for match in expression.finditer(text))
        found.sort()
        return found

    def untouched(self, position: int) -> bool:
        """Inside a tag (between its < and >), a comment or a raw element: not text."""
        if not self.html:
            return False
        if self.text.rfind("<", 0, position) > self.text.rfind(">", 0, position):
            return True
        index = bisect_right(self.raw_starts, position) - 1
        return index >= 0 and position < self.raw[index][1]

    def run(self) -> str:
        text, pieces, last = self.text, [], 0
        for position, needle in self.events():
            if position < last or self.untouched(position):
                continue
            change = self.change(position, needle, text[last:position])
            if change is not None:
                before, replacement, end = change
                pieces += (before, replacement)
                last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def change(self, position: int, needle: str, before: str):
        """(text before, what replaces the needle, where the text goes on), or None."""
        end = position + len(needle)
        if needle in SPACE_BEFORE:
            trimmed = self.strip_spaces(before)
            if needle in "%€":
                # After a number only (« 20 % »), with or without a space there; never in an
                # address (« ?q=2%20 »).
                if not trimmed[-1:].isdigit() or (len(trimmed) == len(before)
                                                  and self.in_address(position)):
                    return None
            elif needle != "»" and len(trimmed) == len(before):
                # « 14:30 », « https: », « &amp; »: no space before it, nothing to do.
                return None
            return trimmed, SPACE_BEFORE[needle] + needle, end
        if needle == "«":
            return before, "«" + NARROW_NBSP, self.skip_spaces(end)
        if needle[0] == " ":
            return self.unit(position, needle, before)
        if self.between_letters(position, end) and not self.in_address(position):
            return before, "’", end
        return None

    def unit(self, position: int, needle: str, before: str):
        text, end = self.text, position + len(needle)
        if not before[-1:].isdigit():
            return None
        unit = NBSP + needle[1:]
        # « 14 h 30 »: the minutes stay with the hour.
        if (needle == " h" and text[end:end + 1] == " " and text[end + 1:end + 3].isdigit()
                and not text[end + 3:end + 4].isalnum()):
            return before, unit + NBSP + text[end + 1:end + 3], end + 3
        return before, unit, end

    def strip_spaces(self, text: str) -> str:
        while True:
            stripped = text.rstrip(self.spaces)
            for entity in self.space_entities:
                if stripped.endswith(entity):
                    stripped = stripped[:-len(entity)]
                    break
            if stripped == text:
                return text
            text = stripped

    def skip_spaces(self, position: int) -> int:
        text = self.text
        while True:
            if position < len(text) and text[position] in self.spaces:
                position += 1
            elif entity := next((entity for entity in self.space_entities
                                 if text.startswith(entity, position)), None):
                position += len(entity)
            else:
                return position

    def between_letters(self, start: int, end: int) -> bool:
        return (start > 0 and self.text[start - 1].isalpha() and end < len(self.text)
                and self.text[end].isalpha())

    def in_address(self, position: int) -> bool:
        """Whether this sign is in an e-mail address or a URL (o'neil@exemple.fr, ?q=2%20)."""
        text = self.text
        word_start = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position),
                         text.rfind(">", 0, position))
        ends = [found for found in (text.find(" ", position), text.find("\n", position),
                                    text.find("<", position)) if found >= 0]
        word = text[word_start + 1:min(ends, default=len(text))]
        return "@" in word or "://" in word


def french_typography(text: str) -> str:
    """Plain text (a text e-mail) set the French way."""
    return Typesetter(text, html=False).run()


def french_typography_html(html: str) -> str:
    """An HTML document or fragment set the French way, in its text and only there."""
    return Typesetter(html, html=True).run()


def typeset_response(response):
    """Every HTML page leaves with French typography. Files sent as they are (a library's
    document) and streamed responses are left alone."""
    if (response.mimetype == "text/html" and not response.direct_passthrough
            and not response.is_streamed):
        response.set_data(french_typography_html(response.get_data(as_text=True)))
    return response


def register_typography(app) -> None:
    app.after_request(typeset_response)
