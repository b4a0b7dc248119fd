"""Helpers available in every template: dates in Paris time, sanitised Markdown."""

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import markdown
import nh3
from markupsafe import Markup

from network.reference import PROFILES
from network.urls import external_url

PARIS = ZoneInfo("Europe/Paris")
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
                "a", "hr", "code"}


def french_date(moment: datetime, with_time: bool = False) -> str:
    local = moment.astimezone(PARIS)
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    return f"{text} à {local:%H:%M}" if with_time else text


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def event_dates(event) -> str:
    """"mardi 12 mai 2026, 14:00 – 16:00", or both ends in full when it spans several days."""
    start, end = event.starts_at.astimezone(PARIS), event.ends_at.astimezone(PARIS)
    if start.date() == end.date():
        return (f"{WEEKDAYS[start.weekday()]} {french_date(start)}, "
                f"{start:%H:%M} – {end:%H:%M}")
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


@functools.lru_cache(maxsize=64)
def render_markdown(text: str) -> Markup:
    """Markdown written by the admins, rendered then sanitised with an allow-list. Remembered:
    the charter goes into every welcome e-mail, and rendering it costs more than the rest of
    the sign-up (a known address's answer would take less time than a new one's)."""
    html = markdown.markdown(text)
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}))


def profile_label(code: str) -> str:
    return dict(PROFILES).get(code, code)


def register_filters(app) -> None:
    app.add_template_filter(french_date)
    app.add_template_filter(short_date)
    app.add_template_filter(event_dates)
    app.add_template_filter(thousands)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_global(external_url)
    app.add_template_global(profile_label)
