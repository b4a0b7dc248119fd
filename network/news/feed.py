"""The Atom feed (RFC 4287) of /actualites.atom: the published news, the newsletters sent, the
library's new public resources and the upcoming public events, for a feed reader or another
site to follow the network without an account.

Entries are named by tag URIs (RFC 4151: the site's host and the day the thing was created),
which stay the same when an item is edited; their links are absolute, from BASE_URL.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer

from network.events.annual import semaine_qvt_line
from network.events.models import EVENT_MODE_SHORT_LABELS, Audience, Event, EventStatus
from network.extensions import db
from network.news import services
from network.news.models import NEWS_KIND_LABELS, NewsItem, NewsStatus
from network.resources.models import (
    RESOURCE_KIND_LABELS,
    Resource,
    ResourceStatus,
    Visibility,
)
from network.templating import event_dates, french_date
from network.urls import external_url

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_TITLE = "Réseau des intervenants QVT Occitanie : actualités, ressources et événements"
# The feed's date when it holds nothing: the network's launch, 22 November 2019.
LAUNCH = datetime(2019, 11, 22, 8, 0, tzinfo=UTC)
# What XML 1.0 cannot hold, even escaped (the forms refuse it; older data might not).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Entry:
    id: str
    title: str
    updated: datetime
    url: str
    summary: str
    category: str
    category_label: str


def rfc3339(moment: datetime) -> str:
    """« 2026-11-23T08:00:00Z »: RFC 3339, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(specific: str, created: datetime) -> str:
    """tag:reseau.example,2026-11-23:actualite/12: one entry's name for good."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{created.astimezone(UTC):%Y-%m-%d}:{specific}"


def _news(limit: int) -> list[Entry]:
    items = db.session.scalars(
        select(NewsItem).options(defer(NewsItem.body_markdown))
        .where(NewsItem.status == NewsStatus.PUBLISHED)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc()).limit(limit))
    entries = []
    for item in items:
        summary = item.summary
        if item.deadline is not None:
            summary += f" Date limite : {french_date(item.deadline)}."
        entries.append(Entry(tag_uri(f"actualite/{item.id}", item.created_at), item.title,
                             item.updated_at, external_url("news.detail", news_id=item.id),
                             summary, item.kind, NEWS_KIND_LABELS.get(item.kind, item.kind)))
    return entries


def _letters(limit: int) -> list[Entry]:
    letters = db.session.scalars(services.archived_letters().limit(limit))
    return [Entry(tag_uri(f"lettre/{letter.id}", letter.created_at), letter.subject,
                  letter.queued_at, external_url("news.letter", letter_id=letter.id),
                  f"Lettre d'information du réseau, envoyée le "
                  f"{french_date(letter.send_requested_at)}.", "lettre",
                  "Lettre d'information") for letter in letters]


def _resources(limit: int) -> list[Entry]:
    resources = db.session.scalars(
        select(Resource).options(*(defer(column) for column in (
            Resource.description_markdown, Resource.extracted_text, Resource.search_vector)))
        .where(Resource.status == ResourceStatus.PUBLISHED,
               Resource.visibility == Visibility.PUBLIC)
        .order_by(Resource.published_at.desc(), Resource.id.desc()).limit(limit))
    return [Entry(tag_uri(f"ressource/{resource.id}", resource.created_at), resource.title,
                  resource.published_at or resource.created_at,
                  external_url("resources.detail", resource_id=resource.id),
                  resource.summary or RESOURCE_KIND_LABELS.get(resource.kind, resource.kind),
                  "ressource", "Ressource") for resource in resources]


def _events(now: datetime, limit: int) -> list[Entry]:
    events = db.session.scalars(
        select(Event).options(defer(Event.description_markdown))
        .where(Event.status == EventStatus.PUBLISHED, Event.audience == Audience.PUBLIC,
               Event.ends_at > now)
        .order_by(Event.starts_at, Event.id).limit(limit))
    entries = []
    for event in events:
        facts = [event_dates(event), EVENT_MODE_SHORT_LABELS.get(event.mode, event.mode)]
        if event.town:
            facts.append(event.town)
        summary = " · ".join(facts) + "."
        if line := semaine_qvt_line(event):
            summary += f" {line}."
        if event.summary:
            summary += f" {event.summary}"
        entries.append(Entry(tag_uri(f"evenement/{event.id}", event.created_at), event.title,
                             event.published_at or event.created_at,
                             external_url("events.detail", event_id=event.id), summary,
                             "evenement", "Événement"))
    return entries


def feed_entries(now: datetime, limit: int) -> list[Entry]:
    """Up to `limit` of each kind, the latest updated first."""
    entries = _news(limit) + _letters(limit) + _resources(limit) + _events(now, limit)
    return sorted(entries, key=lambda entry: entry.updated, reverse=True)


def _add(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def atom_document(entries: list[Entry]) -> tuple[bytes, datetime]:
    """The feed as UTF-8 XML, and its date (its latest entry's)."""
    updated = max((entry.updated for entry in entries), default=LAUNCH)
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {XML_LANG: "fr"})
    _add(feed, "id", external_url("news.index"))
    _add(feed, "title", FEED_TITLE)
    _add(feed, "subtitle", "Appels à projets, propositions de partenariat, actualités, "
                           "lettres d'information, ressources publiques et événements "
                           "ouverts à tous.")
    _add(feed, "updated", rfc3339(updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=external_url("news.feed"))
    _add(feed, "link", rel="alternate", type="text/html", href=external_url("news.index"))
    author = _add(feed, "author")
    _add(author, "name", "GT QVT du PRST Occitanie")
    for entry in entries:
        element = _add(feed, "entry")
        _add(element, "id", entry.id)
        _add(element, "title", entry.title)
        _add(element, "updated", rfc3339(entry.updated))
        _add(element, "link", rel="alternate", type="text/html", href=entry.url)
        _add(element, "category", term=entry.category, label=entry.category_label)
        _add(element, "summary", entry.summary, type="text")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True), updated
