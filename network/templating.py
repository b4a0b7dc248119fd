"""Helpers available in every template: dates in Paris time, sanitised Markdown."""

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import markdown
import nh3
from flask import has_request_context, session
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from network.plain_text import html_to_text
from network.reference import PROFILES
from network.urls import external_url

PARIS = ZoneInfo("Europe/Paris")
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
                "a", "hr", "code"}


def french_date(moment: datetime | date, with_time: bool = False) -> str:
    """"22 novembre 2026", "1er décembre 2026", or "22 novembre 2026 à 9 h" with the time
    (Paris); a day (a deadline) as it is."""
    local = moment.astimezone(PARIS) if isinstance(moment, datetime) else moment
    text = f"{'1er' if local.day == 1 else local.day} {MONTHS[local.month - 1]} {local.year}"
    return f"{text} à {french_time(local)}" if with_time else text


def french_time(moment: datetime | time) -> str:
    """A time the French way, "9 h" or "14 h 30" (never "09:00"), in Paris for an instant.
    The pages and e-mails keep its parts together (network.typography)."""
    local = moment.astimezone(PARIS) if isinstance(moment, datetime) else moment
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def event_dates(event) -> str:
    """"mardi 12 mai 2026, 14 h – 16 h 30", or both ends in full when it spans several days."""
    start, end = event.starts_at.astimezone(PARIS), event.ends_at.astimezone(PARIS)
    if start.date() == end.date():
        return (f"{WEEKDAYS[start.weekday()]} {french_date(start)}, "
                f"{french_time(start)} – {french_time(end)}")
    return (f"du {WEEKDAYS[start.weekday()]} {french_date(start, with_time=True)} "
            f"au {WEEKDAYS[end.weekday()]} {french_date(end, with_time=True)}")


def paris_noon(day: date) -> datetime:
    """Noon in Paris on that day, in UTC: a day stored as an instant reads back as the same day
    in any time zone (a member since a date, an acceptance on a date)."""
    return datetime.combine(day, time(12), PARIS).astimezone(UTC)


def short_date(moment: datetime | None) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y") if moment else "—"


def thousands(number: int) -> str:
    """8200 → "8 200", as French readers expect (a narrow no-break space)."""
    return f"{number:,}".replace(",", "\u202f")


def plural(count: int, singular: str, plural: str | None = None, number: bool = True) -> str:
    """"0 membre", "1 membre", "2 membres": French takes the singular below two. The plural
    is the singular with an s unless given ("1 e-mail parti", "3 e-mails partis"); without the
    number (number=False) for a word that agrees with a count shown elsewhere."""
    word = singular if abs(count) < 2 else plural or f"{singular}s"
    return f"{thousands(count)} {word}" if number else word


@functools.lru_cache(maxsize=64)
def render_markdown(text: str) -> Markup:
    """Markdown written by the admins, rendered then sanitised with an allow-list. Remembered:
    the charter goes into every welcome e-mail, and rendering it costs more than the rest of
    the sign-up (a known address's answer would take less time than a new one's)."""
    html = markdown.markdown(text)
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}))


@functools.lru_cache(maxsize=64)
def markdown_text(text: str) -> str:
    """The same Markdown as plain text, for the text part of the e-mails (a mailing, the
    charter): no Markdown mark left, links followed by their address."""
    return html_to_text(render_markdown(text)) if text else ""


def profile_label(code: str) -> str:
    return dict(PROFILES).get(code, code)


def signed_in_member():
    """The member signed in to this browser, or None: the header and the home page offer a
    member their space, not « Rejoindre le réseau ». None outside a request (e-mails) and on an
    error page whose database is in trouble."""
    if not has_request_context() or "member_id" not in session:
        return None
    from network.members_space.views import current_member

    try:
        return current_member()
    except SQLAlchemyError:
        return None


def register_filters(app) -> None:
    # The events' rule imports this module's helpers: imported once they exist.
    from network.events.annual import semaine_qvt_line

    app.add_template_filter(french_date)
    app.add_template_filter(short_date)
    app.add_template_filter(event_dates)
    app.add_template_filter(thousands)
    app.add_template_filter(plural)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(markdown_text)
    app.add_template_global(external_url)
    app.add_template_global(profile_label)
    app.add_template_global(signed_in_member)
    app.add_template_global(semaine_qvt_line)
