"""The members of a year, from the membership history as it was written at the time.

Today's statuses say nothing of last year: who was a member on 1 January, who joined, who left
and why are read from the history (network.membership.models.StatusChange), one aggregate query
each, whatever the number of members. A join is a move into « member » from another status (a
renewal, member → member, is not one), an exit a move from « member » to « exited ».
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from network.admin.stats import EXIT, JOIN, Month, Share
from network.extensions import db
from network.membership.models import (
    EXIT_REASON_LABELS,
    ExitReason,
    Person,
    Status,
    StatusChange,
)
from network.report.period import Period
from network.templating import PARIS

# The reasons a member leaves for; a refused application is not a member's exit.
MEMBER_EXIT_REASONS = [ExitReason.VOLUNTARY, ExitReason.DECLINED_RENEWAL,
                       ExitReason.NO_RENEWAL_ANSWER, ExitReason.REMOVED_BY_ADMIN]
# Exits written before the history kept their reason, by someone who has come back since.
UNKNOWN_REASON = "inconnu"
UNKNOWN_REASON_LABEL = "Motif non enregistré"

# When a move took effect. Someone entered directly as a member (an import of the network's
# former files, a membership accepted by e-mail and entered by an admin) has been one since
# their `member_since`, which may be before the day their entry was written.
EFFECTIVE_AT = case(
    (and_(StatusChange.from_status.is_(None), Person.member_since < StatusChange.changed_at),
     Person.member_since),
    else_=StatusChange.changed_at)


def _flows():
    """The joins and exits of the history, with their person (for EFFECTIVE_AT)."""
    return (select().select_from(StatusChange)
            .join(Person, Person.id == StatusChange.person_id).where(or_(JOIN, EXIT)))


def members_at_end(period: Period):
    """The ids of the people who were members at the end of the year (or now): a select to use
    in another query, never loaded."""
    # Never correlated: the person it joins is its own, not the enclosing query's.
    return (_flows().add_columns(StatusChange.person_id)
            .where(period.before_end(EFFECTIVE_AT)).group_by(StatusChange.person_id)
            .having(func.sum(case((JOIN, 1), else_=-1)) > 0).correlate(None))


@dataclass
class Membership:
    at_start: int  # members on 1 January at 00:00
    at_end: int  # members on 31 December at 24:00, or now
    joins: int
    exits: list[Share]  # by reason
    months: list[Month]  # joins, exits and members at the end of each month

    @property
    def exit_count(self) -> int:
        return sum(share.count for share in self.exits)


def membership(period: Period) -> Membership:
    """Who was a member at the start and at the end of the year, who joined and who left."""
    at_start, at_end = _head_counts(period)
    months = _flows_by_month(period, at_start)
    return Membership(at_start, at_end, sum(month.joins for month in months), _exits(period),
                      months)


def _head_counts(period: Period) -> tuple[int, int]:
    """Members at the start and at the end: the people whose joins outnumber their exits."""
    before_start = period.start > EFFECTIVE_AT
    per_person = (_flows().add_columns(
        func.sum(case((and_(before_start, JOIN), 1), (before_start, -1), else_=0))
        .label("at_start"),
        func.sum(case((and_(period.before_end(EFFECTIVE_AT), JOIN), 1),
                      (period.before_end(EFFECTIVE_AT), -1), else_=0)).label("at_end"))
        .group_by(StatusChange.person_id).subquery())
    return db.session.execute(select(
        func.count().filter(per_person.c.at_start > 0),
        func.count().filter(per_person.c.at_end > 0))).one()


def _flows_by_month(period: Period, at_start: int) -> list[Month]:
    months = {number: Month(period.year, number) for number in period.months}
    # Bucketed in Python, where Paris months are easy on every database: the year's moves are
    # a few per member, two small columns each.
    rows = db.session.execute(_flows().add_columns(EFFECTIVE_AT, StatusChange.to_status)
                              .where(period.within(EFFECTIVE_AT))).tuples()
    for moment, to_status in rows:
        month = months[_paris_month(moment)]
        if to_status == Status.MEMBER:
            month.joins += 1
        else:
            month.exits += 1
    total = at_start
    for month in months.values():
        total += month.joins - month.exits
        month.total = total
    return list(months.values())


def _paris_month(moment: datetime) -> int:
    return moment.astimezone(PARIS).month


def _exits(period: Period) -> list[Share]:
    """Every reason a member leaves for, zero included; an unknown reason only if there is one."""
    counts = dict(db.session.execute(
        select(StatusChange.exit_reason, func.count()).where(
            EXIT, period.within(StatusChange.changed_at))
        .group_by(StatusChange.exit_reason)).all())
    shares = [Share(reason, EXIT_REASON_LABELS[reason], counts.pop(reason, 0))
              for reason in MEMBER_EXIT_REASONS]
    # A reason no member exit should have (a refused application) still counts, named.
    shares += [Share(reason, EXIT_REASON_LABELS[reason], count)
               for reason, count in counts.items() if reason in EXIT_REASON_LABELS]
    unknown = sum(count for reason, count in counts.items() if reason not in EXIT_REASON_LABELS)
    if unknown:
        shares.append(Share(UNKNOWN_REASON, UNKNOWN_REASON_LABEL, unknown))
    return shares
