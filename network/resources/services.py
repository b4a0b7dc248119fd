"""The library's rules: what each visitor may see, saving a resource, counting downloads."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, extract, func, select, update
from sqlalchemy.exc import IntegrityError

from network.events.services import parse_themes
from network.extensions import db
from network.resources.files import StoredFile
from network.resources.models import (
    DownloadCount,
    Resource,
    ResourceStatus,
    ResourceTheme,
    Visibility,
)
from network.resources.search import index_resource, matching, newest_first
from network.templating import PARIS


@dataclass
class ResourceFilter:
    words: str = ""
    kind: str = ""
    theme: str = ""
    year: int | None = None
    event_id: int | None = None
    statuses: list[str] = field(default_factory=lambda: [ResourceStatus.PUBLISHED])


def find_resources(criteria: ResourceFilter, for_members: bool) -> Select:
    """The resources a visitor may see that match the criteria: the best matches first when
    words are given, otherwise the newest first."""
    query = select(Resource).where(Resource.status.in_(criteria.statuses))
    if not for_members:
        query = query.where(Resource.visibility == Visibility.PUBLIC)
    if criteria.kind:
        query = query.where(Resource.kind == criteria.kind)
    if criteria.theme:
        query = query.where(Resource.themes.any(ResourceTheme.name == criteria.theme))
    if criteria.year:
        query = query.where(extract("year", Resource.dated) == criteria.year)
    if criteria.event_id:
        query = query.where(Resource.event_id == criteria.event_id)
    return matching(query, criteria.words) if criteria.words.strip() else newest_first(query)


def can_see(resource: Resource, for_members: bool) -> bool:
    return resource.status == ResourceStatus.PUBLISHED and (
        for_members or resource.visibility == Visibility.PUBLIC)


def save_resource(resource: Resource, themes: str, stored: StoredFile | None,
                  external_url: str | None) -> None:
    """Themes, the file or the link, and the search index, in the current transaction.

    A new file replaces the old one in the same record (its counts stay)."""
    resource.themes = [ResourceTheme(name=name) for name in parse_themes(themes)]
    if stored is not None:
        resource.file_hash, resource.file_name = stored.hash, stored.name
        resource.file_type, resource.file_size = stored.type, stored.size
        resource.extracted_text = stored.text
        resource.external_url = None
    elif external_url:
        resource.external_url = external_url
        resource.file_hash = resource.file_name = resource.file_type = None
        resource.file_size = None
        resource.extracted_text = ""
    db.session.add(resource)
    index_resource(resource)


def publish(resource: Resource, now: datetime) -> None:
    resource.status = ResourceStatus.PUBLISHED
    resource.published_at = resource.published_at or now


def withdraw(resource: Resource) -> None:
    resource.status = ResourceStatus.WITHDRAWN


def count_download(resource: Resource, now: datetime) -> None:
    """One more download this month (Paris time); nothing about who."""
    month = now.astimezone(PARIS).strftime("%Y-%m")
    increment = (update(DownloadCount)
                 .where(DownloadCount.resource_id == resource.id, DownloadCount.month == month)
                 .values(count=DownloadCount.count + 1)
                 .execution_options(synchronize_session=False))
    if db.session.execute(increment).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(DownloadCount(resource_id=resource.id, month=month, count=1))
    except IntegrityError:
        db.session.execute(increment)  # the first download of the month, at the same time


def download_totals(resource_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(DownloadCount.resource_id, func.sum(DownloadCount.count))
        .where(DownloadCount.resource_id.in_(resource_ids))
        .group_by(DownloadCount.resource_id)).all())


def most_downloaded(limit: int = 10) -> list[tuple[Resource, int]]:
    total = func.sum(DownloadCount.count).label("total")
    rows = db.session.execute(
        select(Resource, total).join(DownloadCount).group_by(Resource.id)
        .order_by(total.desc(), Resource.id).limit(limit)).all()
    return [(resource, count) for resource, count in rows]


def downloads_by_month(resource: Resource) -> list[tuple[str, int]]:
    return db.session.execute(
        select(DownloadCount.month, DownloadCount.count)
        .where(DownloadCount.resource_id == resource.id)
        .order_by(DownloadCount.month.desc())).all()
