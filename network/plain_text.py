"""The plain-text part of an e-mail from the HTML the admins' Markdown becomes: no Markdown mark
left for the reader (`**`, `##`, `[texte](url)`, `_em_`), links as « texte (url) », headings as
their text, list items with « • » or their number.

It reads the sanitised HTML (network.templating.render_markdown), so the text part says exactly
what the HTML part shows: what the sanitiser removed is not in either.
"""

import re
from html.parser import HTMLParser

BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "ul", "ol", "li"}
# Markdown's soft line breaks are spaces; a <br> (two spaces at the end of a line) is kept.
LINE_BREAK = "\x00"
SPACES = re.compile(r"[ \t\r\n]+")
# A thematic break (---) between two parts of a text.
SEPARATOR = "—" * 12


def html_to_text(html: str) -> str:
    """Readable plain text of a Markdown rendering: paragraphs, headings and list items each on
    their own lines, links followed by their address."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        # (text, is a list item): items of a list follow each other line after line.
        self.blocks: list[tuple[str, bool]] = []
        self.words: list[str] = []
        self.prefix = ""
        self.item = False
        # One entry per open list: its item count, None for a bulleted list.
        self.lists: list[int | None] = []
        self.quote_depth = 0
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._end_block()
        if tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ol" else None)
        elif tag == "li" and self.lists:
            indent = "  " * (len(self.lists) - 1)
            if self.lists[-1] is None:
                self.prefix = f"{indent}• "
            else:
                self.lists[-1] += 1
                self.prefix = f"{indent}{self.lists[-1]}. "
            self.item = True
        elif tag == "blockquote":
            self.quote_depth += 1
        elif tag == "hr":
            self.blocks.append((SEPARATOR, False))
        elif tag == "br":
            self.words.append(LINE_BREAK)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.words)))

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = _collapse("".join(self.words[start:])).strip()
            address = href.removeprefix("mailto:")
            if address and address != label:
                self.words.append(f" ({address})" if label else address)
        if tag in BLOCKS:
            self._end_block()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data):
        self.words.append(data)

    def _end_block(self):
        lines = [line.strip() for line in _collapse("".join(self.words)).split(LINE_BREAK)]
        self.words = []
        lines = [line for line in lines if line]
        if not lines:
            return  # an item's bullet waits for its text (a <p> inside the <li>)
        # A quotation stands out by its indent (a "> " would be one more mark to read).
        indent = "    " * self.quote_depth
        hanging = " " * len(self.prefix)
        first, *rest = lines
        self.blocks.append(("\n".join([f"{indent}{self.prefix}{first}",
                                       *(f"{indent}{hanging}{line}" for line in rest)]),
                            self.item))
        self.prefix, self.item = "", False

    def text(self) -> str:
        self._end_block()
        parts = []
        for n, (text, item) in enumerate(self.blocks):
            if n:
                parts.append("\n" if item and self.blocks[n - 1][1] else "\n\n")
            parts.append(text)
        return "".join(parts)


def _collapse(text: str) -> str:
    return SPACES.sub(" ", text)
