"""Events as iCalendar (.ics): for the confirmation e-mail, the event page and the feed."""

from datetime import date

from flask import current_app
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from network.events.models import EVENT_MODE_LABELS, EventStatus
from network.inputs import EARLIEST, LATEST
from network.templating import PARIS
from network.urls import external_url


def event_ics(events, name: str | None = None) -> str:
    """A calendar of the events in Paris time, with its VTIMEZONE (DST rules included)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Réseau des intervenants QVT en Occitanie//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", "Europe/Paris")
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_component(event))
    if events:
        years = [event.starts_at.astimezone(PARIS).year for event in events]
        # The zone's transitions over the events' years, within the years a date of the site may
        # take: an event stored in the year 9999 would cost a megabyte of them (or a year 10001).
        first = min(max(min(years) - 1, EARLIEST.year), LATEST.year)
        last = max(min(max(years) + 2, LATEST.year + 1), first + 1)
        calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last, 1, 1))
    return calendar.to_ical().decode()


def _component(event) -> CalendarEvent:
    component = CalendarEvent()
    host = current_app.config["BASE_URL"].split("//")[-1].split("/")[0]
    component.add("uid", f"evenement-{event.id}@{host}")
    component.add("summary", event.title)
    component.add("dtstart", event.starts_at.astimezone(PARIS))
    component.add("dtend", event.ends_at.astimezone(PARIS))
    component.add("dtstamp", (event.published_at or event.created_at))
    link = external_url("events.detail", event_id=event.id)
    component.add("url", link)
    where = event.address or EVENT_MODE_LABELS.get(event.mode, "")
    if where:
        component.add("location", where)
    # The online link is for registered people: the page gives it to them, not the calendar.
    component.add("description", f"{event.summary}\n\n{link}".strip())
    component.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED
                  else "CONFIRMED")
    # Counts the changes announced: a calendar replaces its copy when the number grows.
    component.add("sequence", event.revision)
    return component
