"""Text as people searches and sorts compare it: lower case, without accents.

`unaccent_lower(text)` is one SQL function on both databases, so that a query reads the same on
each: « eric » finds « Éric », « Émilie » sorts with the E's. On PostgreSQL it is
`lower(unaccent(text))`, created by migration 0015 and declared IMMUTABLE so that indexes can be
built on it; on SQLite it is `unaccent_lower` below, registered on every connection (as
network/__init__.py turns SQLite's foreign keys on).
"""

import sqlite3
import unicodedata
from functools import lru_cache

from sqlalchemy import String, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

# What PostgreSQL's unaccent rules change and Unicode's decomposition leaves: the letters a
# French name may hold (« Œ », « Æ ») or a foreign one (« ß », « Ø », « Ł »), and the apostrophes,
# quotes and dashes a word processor puts in an organisation's name (« L’Équilibre »).
NOT_DECOMPOSED = str.maketrans({
    "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ħ": "h", "ı": "i", "ŧ": "t", "ŋ": "n", "‘": "'", "’": "'", "‛": "'", "ʼ": "'",
    "“": '"', "”": '"', "«": "<<", "»": ">>", "‐": "-", "‑": "-", "–": "-", "—": "-"})


# Names and organisations repeat: a list of 10,000 people holds a few thousand distinct values.
@lru_cache(maxsize=65536)
def unaccent_lower(text: str | None) -> str | None:
    """SQLite's unaccent_lower: `text` in lower case, without its accents.

    As PostgreSQL's for letters, digits and the punctuation of names and organisations
    (tests.membership.test_search compares them); rarer signs may fold apart: superscripts,
    ordinal indicators, spacing accents and Unicode's other spaces change here, not there."""
    if text is None:
        return None
    # « ŀ » decomposes to « l· »: the middle dot goes with the accents.
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ŀ", "l"))
    return "".join(char for char in decomposed
                   if not unicodedata.combining(char)).translate(NOT_DECOMPOSED)


def folded(expression) -> ColumnElement[str]:
    """`expression` as searches and sorts compare it, in SQL."""
    return func.unaccent_lower(expression, type_=String)


@event.listens_for(Engine, "connect")
def _register_on_sqlite(dbapi_connection, connection_record) -> None:
    """Give every SQLite connection the unaccent_lower function PostgreSQL has from 0015."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("unaccent_lower", 1, unaccent_lower,
                                          deterministic=True)
