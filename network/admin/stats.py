"""The network's figures for the dashboard: one function per figure, each a fixed number of
aggregate queries whatever the number of members (the network counts up to 10,000)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import dropwhile
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select

from network.events.models import Event, EventStatus
from network.events.services import EventFigures, event_figures
from network.extensions import db
from network.membership.models import (
    EXIT_REASON_LABELS,
    Department,
    Person,
    QvtField,
    Status,
    StatusChange,
    person_department,
    person_qvt_field,
)
from network.reference import PROFILE_SHORT_LABELS
from network.templating import PARIS

# A renewal is recorded as member → member: it is not a join. A readmission (exited → member)
# and a new membership period (applicant → member) are.
JOIN = and_(StatusChange.to_status == Status.MEMBER,
            or_(StatusChange.from_status.is_(None), StatusChange.from_status != Status.MEMBER))
EXIT = and_(StatusChange.from_status == Status.MEMBER, StatusChange.to_status == Status.EXITED)


class Share(NamedTuple):
    """One bar of a breakdown: the code filters the members list, the label is shown."""

    code: str
    label: str
    count: int


@dataclass
class Month:
    year: int
    month: int
    joins: int = 0
    exits: int = 0
    total: int = 0  # members at the end of the month

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def start_of_year(now: datetime) -> datetime:
    """1 January, 00:00 in Paris: "this year" is the network's calendar year, not UTC's."""
    return datetime(now.astimezone(PARIS).year, 1, 1, tzinfo=PARIS)


def count_by_status() -> dict[str, int]:
    """People per status (member, applicant, exited), zero for a status nobody has."""
    counts = dict.fromkeys(Status, 0)
    counts.update(db.session.execute(
        select(Person.status, func.count()).group_by(Person.status)).all())
    return counts


def pending_applications() -> int:
    """Applications waiting for the charter: new applicants and former members who applied again."""
    return db.session.scalar(select(func.count()).select_from(Person).where(
        (Person.status == Status.APPLICANT) | Person.pending_application.is_not(None)))


def joins_this_year(now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(StatusChange).where(
        JOIN, StatusChange.changed_at >= start_of_year(now), StatusChange.changed_at <= now))


def exits_this_year_by_reason(now: datetime) -> list[Share]:
    """Every exit reason, zero included.

    Counted on the person (where the reason is kept) whatever their status since: someone who
    left in March and applied again in June still left this year.
    """
    counts = dict(db.session.execute(
        select(Person.exit_reason, func.count())
        .where(Person.exited_at >= start_of_year(now), Person.exited_at <= now)
        .group_by(Person.exit_reason)).all())
    return [Share(reason, label, counts.get(reason, 0))
            for reason, label in EXIT_REASON_LABELS.items()]


def _month_of(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(PARIS)
    return local.year, local.month


def _last_months(now: datetime, count: int) -> list[Month]:
    year, month = _month_of(now)
    months = []
    for _ in range(count):
        months.append(Month(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def members_by_month(now: datetime, months: int = 24) -> list[Month]:
    """Joins, exits and members at the end of each month (Paris time), from the history.

    The last `months` months up to `now`, or fewer if the first join is more recent; none
    before any join.
    """
    series = _last_months(now, months)
    start = datetime(series[0].year, series[0].month, 1, tzinfo=PARIS)
    joins_before, exits_before = db.session.execute(select(
        func.count().filter(JOIN), func.count().filter(EXIT))
        .where(StatusChange.changed_at < start)).one()
    by_month = {(month.year, month.month): month for month in series}
    # Bucketed in Python, where Paris months are easy on every database: the transitions of
    # two years are a few per member, two small columns each.
    for changed_at, to_status in db.session.execute(
            select(StatusChange.changed_at, StatusChange.to_status)
            .where(or_(JOIN, EXIT), StatusChange.changed_at >= start,
                   StatusChange.changed_at <= now)).tuples():
        month = by_month[_month_of(changed_at)]
        if to_status == Status.MEMBER:
            month.joins += 1
        else:
            month.exits += 1
    total = joins_before - exits_before
    for month in series:
        total += month.joins - month.exits
        month.total = total
    if joins_before:
        return series
    # A network younger than the window: its story starts with its first join.
    return list(dropwhile(lambda month: month.joins == 0, series))


def _among(members) -> ColumnElement[bool]:
    """Today's members, or the people of `members` (a select of person ids: the members at the
    end of a year, for the annual report)."""
    return Person.status == Status.MEMBER if members is None else Person.id.in_(members)


def members_by_profile(members=None) -> list[Share]:
    counts = dict(db.session.execute(
        select(Person.profile, func.count()).where(_among(members))
        .group_by(Person.profile)).all())
    return [Share(code, label, counts.get(code, 0))
            for code, label in PROFILE_SHORT_LABELS.items()]


def members_by_department(members=None) -> list[Share]:
    """All 13 departments of Occitanie, with zero where no member works."""
    counts = (select(person_department.c.department_code.label("code"), func.count().label("n"))
              .join(Person, Person.id == person_department.c.person_id)
              .where(_among(members))
              .group_by(person_department.c.department_code).subquery())
    rows = db.session.execute(
        select(Department.code, Department.name, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.code == Department.code).order_by(Department.code))
    return [Share(code, f"{code} – {name}", count) for code, name, count in rows]


def members_by_qvt_field(members=None) -> list[Share]:
    """Every QVT field, in the order of the join form, with zero where no member works."""
    counts = (select(person_qvt_field.c.qvt_field_code.label("code"), func.count().label("n"))
              .join(Person, Person.id == person_qvt_field.c.person_id)
              .where(_among(members))
              .group_by(person_qvt_field.c.qvt_field_code).subquery())
    rows = db.session.execute(
        select(QvtField.code, QvtField.label, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.code == QvtField.code).order_by(QvtField.position))
    return [Share(*row) for row in rows]


def upcoming_events_count(now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.ends_at > now))


def attendance_of_past_year(now: datetime) -> list[tuple[Event, EventFigures]]:
    """The events of the last twelve months whose attendance was marked, oldest first."""
    events = db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.ends_at <= now,
        Event.starts_at > now - timedelta(days=365)).order_by(Event.starts_at)).all()
    figures = event_figures([event.id for event in events], now)
    return [(event, figures[event.id]) for event in events if figures[event.id].marked]
