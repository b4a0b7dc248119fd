"""Finding people: the one query behind the back-office list, its exports and mailing segments."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, String, and_, func, literal, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from network.events.models import Event, EventKind, Registration
from network.extensions import utcnow
from network.membership.models import (
    SEARCHED_COLUMNS,
    Person,
    person_department,
    person_qvt_field,
)
from network.textfold import folded

PARIS = ZoneInfo("Europe/Paris")

# Names and organisations in French alphabetical order: « Émilie » with the E's, « de Castelnau »
# with the D's whatever its case.
NAME_ORDER = (folded(Person.last_name), folded(Person.first_name), Person.id)
SORTS = {
    "nom": NAME_ORDER,
    "structure": (folded(Person.organisation), *NAME_ORDER),
    "statut": (Person.status, *NAME_ORDER),
    "adhesion": (Person.member_since, Person.id),
    "candidature": (Person.applied_at, Person.id),
}
# The orders an index of PostgreSQL gives (ix_person_name_order, ix_person_organisation_order):
# the first page of 10,000 people without sorting them all.
INDEXED_SORTS = {"nom", "structure"}
# pg_trgm finds a word in its indexes by the word's trigrams (three characters in a row): a word
# of one or two has none.
TRIGRAM = 3


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
    """Ids of the people marked present at a welcome module that has started (an attendance
    stored for a session still ahead, moved later or marked before the rule, welcomes no one)."""
    return (select(Registration.person_id).join(Event)
            .where(Event.kind == EventKind.WELCOME_MODULE, Registration.attended.is_(True),
                   Event.starts_at <= utcnow(), Registration.person_id.is_not(None)))


def containing(word: str) -> ColumnElement[str]:
    """The LIKE pattern (escape `\\`) of folded text containing `word`, whatever its accents and
    case. The database folds the word with the columns' own function, then its `%`, `_` and `\\`
    are escaped: folding turns some characters into them (« ％ » becomes « % »)."""
    pattern = folded(literal(word, String))
    for special in ("\\", "%", "_"):
        pattern = func.replace(pattern, special, "\\" + special, type_=String)
    return literal("%") + pattern + literal("%")


def unindexed(expression: ColumnElement[str]) -> ColumnElement[str]:
    """`expression` unchanged, but out of reach of PostgreSQL's indexes on it (`|| ''`)."""
    return expression.concat("")


def word_found(word: str) -> ColumnElement[bool]:
    """`word` in one of the searched columns, whatever its accents and case."""
    pattern = containing(word)
    columns = [folded(getattr(Person, column)) for column in SEARCHED_COLUMNS]
    if len(word) < TRIGRAM:
        # Most people match such a word: PostgreSQL is to read them all, as it does when it
        # knows the word, not to read the trigram indexes whole, as the plan it keeps for a
        # prepared statement, made without the word, did (80 ms instead of 24 at 10,000 people).
        columns = [unindexed(column) for column in columns]
    return or_(*(column.like(pattern, escape="\\") for column in columns))


def filtered_people(criteria: PersonFilter, with_lists: bool = True) -> Select:
    """People matching the criteria, sorted; departments and fields loaded in one query each."""
    query = select(Person).where(Person.email.is_not(None))
    words = criteria.text.split()
    for word in words:
        query = query.where(word_found(word))
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
    sort = criteria.sort if criteria.sort in SORTS else "nom"
    columns = SORTS[sort]
    if sort in INDEXED_SORTS and any(len(word) >= TRIGRAM for word in words):
        # Such a word finds few people (the trigram indexes): PostgreSQL is to sort them, not to
        # walk the order's index until 50 match, as it may otherwise, expecting the matches
        # spread over the alphabet when those of « martin » are all among the M's (17 ms
        # instead of 2 at 10,000 people). Shorter words match most people, whom the walk finds.
        columns = (unindexed(columns[0]), *columns[1:])
    query = query.order_by(*[c.desc() for c in columns] if criteria.descending else columns)
    if with_lists:
        query = query.options(selectinload(Person.departments), selectinload(Person.qvt_fields))
    return query
