"""Bad input gets a French 4xx answer, never a 500: what the application accepts from a request.

An id or a number beyond PostgreSQL's integer, a date no calendar can hold (a Paris midnight of
the year 1 is in the year 0 in UTC) and a control character in a query string are refused here,
once for every page; the forms refuse theirs in `network.forms`.
"""

import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import render_template, request
from werkzeug.routing import IntegerConverter

# PostgreSQL's `integer`: every id and every whole number the database stores.
INTEGER_MAX = 2**31 - 1
INTEGER_MIN = -(2**31)
# Any date typed in the site: the network's history and its foreseeable future, with room.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
DATE_MESSAGE = "Saisissez une date entre le 1er janvier 1900 et le 31 décembre 2100."

# Line and paragraph separators end a line too (in e-mail headers, in CSV cells).
LINE_SEPARATORS = frozenset("\u2028\u2029")
# What a line of text may hold besides printable characters: nothing. A multi-line text area
# also takes tabs and line breaks (browsers send CR LF).
MULTI_LINE_ALLOWED = frozenset("\t\n\r") | LINE_SEPARATORS


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` up to PostgreSQL's integer: a bigger id cannot exist, the page is not found
    (instead of an overflow of the database or of SQLite's 64 bits)."""

    def __init__(self, map, fixed_digits=0, min=None, max=INTEGER_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def has_control_characters(text: str, multi_line: bool = False) -> bool:
    """NUL, escape, DEL, C1 controls…: never typed by a person, refused by PostgreSQL (NUL) or
    able to forge e-mail headers and log lines (CR, LF)."""
    allowed = MULTI_LINE_ALLOWED if multi_line else frozenset()
    return any((unicodedata.category(char) == "Cc" or char in LINE_SEPARATORS)
               and char not in allowed for char in text)


def refuse_control_characters_in_query():
    """A filter or a link never holds a control character (`?type=%00`): refused before any page
    reads it. The filters' other junk is each page's business (most ignore it)."""
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            return render_template(
                "errors/error.html", code=400, title="Demande incorrecte",
                message="L'adresse de la page contient des caractères de contrôle (invisibles), "
                        "qu'aucun filtre ni aucun lien du site n'utilise. Repartez du menu ou "
                        "retapez votre recherche."), 400
    return None


def same_site_path(target: str | None, under: str = "/") -> str | None:
    """`target` if it is a path of this site under `under` (where to go back after a sign-in),
    else None: never a way to send someone to another site. Browsers read `/\\evil.example`
    and `/<tab>/evil.example` as `//evil.example`, so backslashes and control characters are
    refused too."""
    if not target or not under.startswith("/") or not target.startswith(under):
        return None
    if target.startswith("//") or "\\" in target or has_control_characters(target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def query_int(name: str) -> int | None:
    """A whole number of the query string that the database can compare, else None (ignored,
    as the filters ignore their other junk)."""
    return database_int(request.args.get(name, ""))


def database_int(text: str | None) -> int | None:
    """The text as an integer the database holds (0 to 2³¹ − 1), else None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= INTEGER_MAX else None


def query_date(name: str) -> date | None:
    """A date of the query string (YYYY-MM-DD) within the site's range, else None (ignored)."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if in_range(day) else None


def in_range(moment: date | datetime) -> bool:
    day = moment.date() if isinstance(moment, datetime) else moment
    return EARLIEST <= day <= LATEST


def query_args(**changes) -> dict[str, list[str]]:
    """The query string, every value of each filter kept, to rebuild a page's links (pagination,
    export): without the names url_for keeps for itself (`?endpoint=…` would break the page,
    `?_scheme=javascript&_external=1` would write its links) nor the page's own path arguments."""
    reserved = set(request.view_args or ())
    return {**{key: values for key, values in request.args.lists()
               if key != "endpoint" and not key.startswith("_") and key not in reserved},
            **changes}


def register_input_checks(app) -> None:
    """Before the blueprints: every `<int:…>` route of the app gets the bounded converter, and
    every request goes through the query-string check first."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_control_characters_in_query)
    app.add_template_global(query_args)
