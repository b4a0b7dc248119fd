"""The year a report covers, in Paris time, and the years the network's data covers."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from network.events.models import Event, EventStatus
from network.extensions import db
from network.membership.models import Person, StatusChange
from network.resources.models import Resource
from network.templating import PARIS


@dataclass(frozen=True)
class Period:
    """1 January 00:00 to 31 December 24:00 in Paris, cut at `now` for the current year."""

    year: int
    now: datetime

    @property
    def start(self) -> datetime:
        return datetime(self.year, 1, 1, tzinfo=PARIS)

    @property
    def end(self) -> datetime:
        """The first instant after the year (exclusive)."""
        return datetime(self.year + 1, 1, 1, tzinfo=PARIS)

    @property
    def complete(self) -> bool:
        return self.now >= self.end

    @property
    def until(self) -> datetime:
        """Where the year's figures stop: its end, or now for the year under way."""
        return self.end if self.complete else self.now

    def before_end(self, column) -> ColumnElement[bool]:
        """What had happened by the end of the year (or by now)."""
        return and_(column < self.end, column <= self.now)

    def within(self, column) -> ColumnElement[bool]:
        return and_(column >= self.start, self.before_end(column))

    @property
    def months(self) -> list[int]:
        """The year's months so far (all twelve once it is over)."""
        last = 12 if self.complete else self.now.astimezone(PARIS).month
        return list(range(1, last + 1))


def first_year(now: datetime) -> int:
    """The year of the earliest membership history (or membership date, for someone entered
    later as a member since then), event held or resource published; this year if none yet."""
    earliest = db.session.execute(select(
        select(func.min(StatusChange.changed_at)).scalar_subquery(),
        select(func.min(Person.member_since)).scalar_subquery(),
        select(func.min(Event.starts_at)).where(Event.status == EventStatus.PUBLISHED)
        .scalar_subquery(),
        select(func.min(Resource.published_at)).scalar_subquery())).one()
    years = [moment.astimezone(PARIS).year for moment in earliest if moment is not None]
    return min(years + [now.astimezone(PARIS).year])


def years_covered(now: datetime) -> list[int]:
    """The years a report can be made for, the most recent first."""
    this_year = now.astimezone(PARIS).year
    return list(range(this_year, first_year(now) - 1, -1))
