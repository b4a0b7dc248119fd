"""Finding people: the one query behind the back-office list, its exports and mailing segments."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from network.events.models import Event, EventKind, Registration
from network.membership.models import (
    SEARCHED_COLUMNS,
    Person,
    person_department,
    person_qvt_field,
)

PARIS = ZoneInfo("Europe/Paris")

SORTS = {
    "nom": (Person.last_name, Person.first_name, Person.id),
    "structure": (Person.organisation, Person.last_name, Person.id),
    "statut": (Person.status, Person.last_name, Person.id),
    "adhesion": (Person.member_since, Person.id),
    "candidature": (Person.applied_at, Person.id),
}


@dataclass
class PersonFilter:
    text: str = ""
    statuses: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    department_codes: list[str] = field(default_factory=list)
    qvt_field_codes: list[str] = field(default_factory=list)
    joined_from: date | None = None
    joined_to: date | None = None
    sort: str = "nom"
    descending: bool = False
    directory_only: bool = False
    # Members who have not attended the welcome module ("Intégrer le réseau…") yet.
    without_welcome_module: bool = False
    # People whose address is dead (a bounce or a permanent refusal of the relay).
    bounced_only: bool = False


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), PARIS)


def welcomed_people() -> Select:
    """Ids of the people marked present at a welcome module."""
    return (select(Registration.person_id).join(Event)
            .where(Event.kind == EventKind.WELCOME_MODULE, Registration.attended.is_(True),
                   Registration.person_id.is_not(None)))


def like_escaped(text: str) -> str:
    """`text` as plain characters inside a LIKE pattern: `%` and `_` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_people(criteria: PersonFilter, with_lists: bool = True) -> Select:
    """People matching the criteria, sorted; departments and fields loaded in one query each."""
    query = select(Person).where(Person.email.is_not(None))
    for word in criteria.text.split():
        pattern = f"%{like_escaped(word)}%"
        query = query.where(or_(*(getattr(Person, column).ilike(pattern, escape="\\")
                                  for column in SEARCHED_COLUMNS)))
    if criteria.directory_only:
        query = query.where(Person.directory_opt_in.is_(True))
    if criteria.statuses:
        query = query.where(Person.status.in_(criteria.statuses))
    if criteria.profiles:
        query = query.where(Person.profile.in_(criteria.profiles))
    if criteria.department_codes:
        query = query.where(Person.id.in_(select(person_department.c.person_id).where(
            person_department.c.department_code.in_(criteria.department_codes))))
    if criteria.qvt_field_codes:
        query = query.where(Person.id.in_(select(person_qvt_field.c.person_id).where(
            person_qvt_field.c.qvt_field_code.in_(criteria.qvt_field_codes))))
    if criteria.without_welcome_module:
        query = query.where(Person.id.not_in(welcomed_people()))
    if criteria.bounced_only:
        query = query.where(Person.email_bounced_at.is_not(None))
    if criteria.joined_from:
        query = query.where(Person.member_since >= _paris_midnight(criteria.joined_from))
    if criteria.joined_to:
        query = query.where(and_(
            Person.member_since < _paris_midnight(criteria.joined_to + timedelta(days=1))))
    columns = SORTS.get(criteria.sort, SORTS["nom"])
    query = query.order_by(*[c.desc() for c in columns] if criteria.descending else columns)
    if with_lists:
        query = query.options(selectinload(Person.departments), selectinload(Person.qvt_fields))
    return query
