"""The rules of the news: what the public sees, in which order, and the mailing an item becomes."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import defer

from network.extensions import db
from network.mailings.models import Mailing
from network.news.models import NewsItem, NewsKind, NewsStatus
from network.templating import PARIS, french_date
from network.urls import external_url


@dataclass
class NewsDetails:
    """What an admin types for an item (network.news.forms.NewsForm)."""

    kind: str
    title: str
    summary: str
    body_markdown: str
    link_url: str | None
    deadline: date | None


def paris_today(now: datetime) -> date:
    """The day in Paris: a deadline « 15 mars » holds until midnight there."""
    return now.astimezone(PARIS).date()


def save_news(item: NewsItem, details: NewsDetails, now: datetime) -> None:
    """Write an admin's text to the item; only a call for projects keeps a deadline."""
    item.kind = details.kind
    item.title = details.title.strip()
    item.summary = details.summary.strip()
    item.body_markdown = details.body_markdown.strip()
    item.link_url = details.link_url or None
    item.deadline = details.deadline if details.kind == NewsKind.CALL_FOR_PROJECTS else None
    item.updated_at = now


def publish(item: NewsItem, now: datetime) -> None:
    """On /actualites, the home page and the feed; the first publication dates the item."""
    item.status = NewsStatus.PUBLISHED
    item.published_at = item.published_at or now
    item.updated_at = now


def unpublish(item: NewsItem, now: datetime) -> None:
    """Back to a draft: off the site and the feed, its page not found."""
    item.status = NewsStatus.DRAFT
    item.updated_at = now


def public_news(today: date, kind: str = "") -> Select:
    """The published items: the open calls for projects first, the soonest deadline on top,
    then everything else, the latest published on top. Without the bodies (a list shows the
    summaries)."""
    open_call = and_(NewsItem.kind == NewsKind.CALL_FOR_PROJECTS, NewsItem.deadline >= today)
    query = (select(NewsItem).options(defer(NewsItem.body_markdown, raiseload=True))
             .where(NewsItem.status == NewsStatus.PUBLISHED))
    if kind in set(NewsKind):
        query = query.where(NewsItem.kind == kind)
    return query.order_by(case((open_call, 0), else_=1), case((open_call, NewsItem.deadline)),
                          NewsItem.published_at.desc(), NewsItem.id.desc())


def latest_news(now: datetime, limit: int) -> list[NewsItem]:
    """For the home page: the open calls first, then the latest."""
    return db.session.scalars(public_news(paris_today(now)).limit(limit)).all()


def published_item(news_id: int) -> NewsItem | None:
    item = db.session.get(NewsItem, news_id)
    return item if item is not None and item.status == NewsStatus.PUBLISHED else None


# --- The mailing of an item ------------------------------------------------------------------

def _markdown_url(url: str) -> str:
    """An address inside a Markdown link: its parentheses and spaces would end the link."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def mailing_text(item: NewsItem) -> str:
    """The item as a mailing's Markdown: its summary, its text, the deadline and the link of a
    call, and the way to its page on the site."""
    parts = [item.summary]
    if item.body_markdown:
        parts.append(item.body_markdown)
    if item.deadline is not None:
        parts.append(f"**Date limite : {french_date(item.deadline)}**")
    if item.link_url:
        label = ("Voir l'appel à projets" if item.kind == NewsKind.CALL_FOR_PROJECTS
                 else "En savoir plus")
        parts.append(f"[{label}]({_markdown_url(item.link_url)})")
    page = external_url("news.detail", news_id=item.id)
    parts.append(f"[Lire cette actualité sur le site du réseau]({_markdown_url(page)})")
    return "\n\n".join(parts)


class NotPublished(Exception):
    """A mailing would link to a page not found."""


def mailing_draft(item: NewsItem, admin_email: str, now: datetime) -> tuple[Mailing, bool]:
    """A draft mailing to every member, prefilled from the item, for the admin to review and
    send on /admin/envois; the item's earlier draft if it was not sent (a second click makes
    no second draft). (mailing, created)."""
    if item.status != NewsStatus.PUBLISHED:
        raise NotPublished
    if item.mailing is not None and item.mailing.send_requested_at is None:
        return item.mailing, False
    mailing = Mailing(subject=item.title, body_markdown=mailing_text(item),
                      created_by=admin_email, created_at=now)
    db.session.add(mailing)
    item.mailing = mailing
    return mailing, True


# --- The newsletters' archive ----------------------------------------------------------------

def archived_letters() -> Select:
    """The mailings marked « lettre d'information » that have gone out, the latest first:
    never a draft, never one still being prepared."""
    return (select(Mailing).options(defer(Mailing.body_markdown, raiseload=True))
            .where(Mailing.newsletter.is_(True), Mailing.queued_at.is_not(None))
            .order_by(Mailing.send_requested_at.desc(), Mailing.id.desc()))


def archived_letter(mailing_id: int) -> Mailing | None:
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or not mailing.newsletter or mailing.queued_at is None:
        return None
    return mailing
