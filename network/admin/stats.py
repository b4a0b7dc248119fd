"""The network's figures for the dashboard: one aggregate query per figure."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from network.extensions import db
from network.membership.models import (
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


def start_of_year(now: datetime) -> datetime:
    local = now.astimezone(PARIS)
    return datetime(local.year, 1, 1, tzinfo=PARIS)


def count_by_status() -> dict[str, int]:
    return dict(db.session.execute(
        select(Person.status, func.count()).where(Person.email.is_not(None))
        .group_by(Person.status)).all())


def exits_this_year_by_reason(now: datetime) -> dict[str, int]:
    return dict(db.session.execute(
        select(Person.exit_reason, func.count())
        .where(Person.status == Status.EXITED, Person.exited_at >= start_of_year(now))
        .group_by(Person.exit_reason)).all())


# A renewal is recorded as member → member: it is not a join.
JOIN = and_(StatusChange.to_status == Status.MEMBER,
            or_(StatusChange.from_status.is_(None), StatusChange.from_status != Status.MEMBER))
EXIT = and_(StatusChange.from_status == Status.MEMBER, StatusChange.to_status == Status.EXITED)


def joins_since(moment: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(StatusChange).where(
        JOIN, StatusChange.changed_at >= moment))


@dataclass
class Month:
    label: str  # "2026-11"
    joins: int = 0
    exits: int = 0
    total: int = 0


def _month_key(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m")


def _months_back(now: datetime, count: int) -> list[str]:
    local = now.astimezone(PARIS)
    year, month = local.year, local.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def members_by_month(now: datetime, months: int = 24) -> list[Month]:
    """Joins, exits and members at the end of each month, from the membership history."""
    keys = _months_back(now, months)
    start = datetime.strptime(keys[0], "%Y-%m").replace(tzinfo=PARIS)
    before = db.session.execute(select(
        func.count().filter(JOIN), func.count().filter(EXIT))
        .where(StatusChange.changed_at < start)).one()
    series = {key: Month(key) for key in keys}
    # Only two small columns per transition: cheap even at 10,000 members.
    for changed_at, to_status in db.session.execute(
            select(StatusChange.changed_at, StatusChange.to_status)
            .where(or_(JOIN, EXIT), StatusChange.changed_at >= start,
                   StatusChange.changed_at <= now)):
        month = series.get(_month_key(changed_at))
        if month is not None:
            if to_status == Status.MEMBER:
                month.joins += 1
            else:
                month.exits += 1
    total = before[0] - before[1]
    for month in series.values():
        total += month.joins - month.exits
        month.total = total
    return list(series.values())


def members_by_profile() -> list[tuple[str, int]]:
    counts = dict(db.session.execute(select(Person.profile, func.count())
                                     .where(Person.status == Status.MEMBER)
                                     .group_by(Person.profile)).all())
    return [(label, counts.get(code, 0)) for code, label in PROFILE_SHORT_LABELS.items()]


def members_by_department() -> list[tuple[str, int]]:
    """All 13 departments, with zero where no member works."""
    members = (select(person_department.c.department_code.label("code"),
                      func.count().label("n"))
               .join(Person, Person.id == person_department.c.person_id)
               .where(Person.status == Status.MEMBER)
               .group_by(person_department.c.department_code).subquery())
    rows = db.session.execute(
        select(Department.code, Department.name, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.code == Department.code).order_by(Department.code))
    return [(f"{code} – {name}", count) for code, name, count in rows]


def members_by_qvt_field() -> list[tuple[str, int]]:
    members = (select(person_qvt_field.c.qvt_field_code.label("code"), func.count().label("n"))
               .join(Person, Person.id == person_qvt_field.c.person_id)
               .where(Person.status == Status.MEMBER)
               .group_by(person_qvt_field.c.qvt_field_code).subquery())
    rows = db.session.execute(
        select(QvtField.label, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.code == QvtField.code).order_by(QvtField.position))
    return [(label, count) for label, count in rows]
