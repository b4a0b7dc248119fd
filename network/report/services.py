"""The annual report of a year: every figure, gathered once for the page, the PDF and the
workbook."""

from dataclasses import dataclass
from datetime import datetime

from network.admin import stats
from network.admin.stats import Share
from network.evaluations.results import Usefulness, usefulness_for_year
from network.report.activity import (
    KindFigures,
    Library,
    Renewal,
    WelcomeReach,
    events_by_kind,
    kinds_total,
    library,
    renewal,
    welcome_reach,
)
from network.report.members import Membership, members_at_end, membership
from network.report.period import Period, years_covered
from network.report.satisfaction import Satisfaction, satisfaction


class YearNotCovered(Exception):
    """A year before the network's data, or after the current one."""


@dataclass
class AnnualReport:
    period: Period
    membership: Membership
    renewal: Renewal
    events: list[KindFigures]
    satisfaction: list[Satisfaction]
    welcome: WelcomeReach
    library: Library
    # « Cette ressource vous a-t-elle été utile ? », over the year's months.
    usefulness: Usefulness
    # The members at the end of the year, by what they say of themselves today.
    by_profile: list[Share]
    by_department: list[Share]
    by_field: list[Share]

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def events_total(self) -> KindFigures:
        return kinds_total(self.events)


def annual_report(year: int, now: datetime) -> AnnualReport:
    """The figures of `year` as the data was then; YearNotCovered for a year without data."""
    if year not in years_covered(now):
        raise YearNotCovered(year)
    period = Period(year, now)
    members = membership(period)
    at_end = members_at_end(period)
    return AnnualReport(
        period=period, membership=members, renewal=renewal(period),
        events=events_by_kind(period), satisfaction=satisfaction(year),
        welcome=welcome_reach(period, members.at_end), library=library(period),
        usefulness=usefulness_for_year(year),
        by_profile=stats.members_by_profile(at_end),
        by_department=stats.members_by_department(at_end),
        by_field=stats.members_by_qvt_field(at_end))
