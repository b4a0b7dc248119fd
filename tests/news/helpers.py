"""News items for the tests, published at chosen instants (the pages see tests.conftest's
FROZEN_NOW: 23 November 2026, 9 h in Paris)."""

from datetime import UTC, date, datetime

from network.extensions import db
from network.news import services
from network.news.models import NewsItem, NewsKind, NewsStatus
from tests.conftest import ADMIN_EMAIL, FROZEN_NOW

TODAY = date(2026, 11, 23)


def utc(*fields) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def make_news(title: str, kind: str = NewsKind.NEWS, summary: str = "Le résumé.",
              body: str = "", link: str | None = None, deadline: date | None = None,
              published: datetime | None = FROZEN_NOW) -> NewsItem:
    """An item, published at `published` (None: a draft)."""
    created = published or FROZEN_NOW
    item = NewsItem(status=NewsStatus.DRAFT, created_by=ADMIN_EMAIL, created_at=created)
    services.save_news(item, services.NewsDetails(kind, title, summary, body, link, deadline),
                       created)
    db.session.add(item)
    if published is not None:
        services.publish(item, published)
    db.session.commit()
    return item


def make_call(title: str, deadline: date, published: datetime | None = FROZEN_NOW,
              **values) -> NewsItem:
    return make_news(title, NewsKind.CALL_FOR_PROJECTS, link="https://exemple.fr/appel",
                     deadline=deadline, published=published, **values)
