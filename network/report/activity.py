"""What the network did in a year: its renewal campaign, its events, the welcome module's reach,
its resources and their downloads. One aggregate query per figure, whatever the size."""

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select

from network.admin.stats import JOIN, Share
from network.events.models import (
    EVENT_KIND_LABELS,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from network.extensions import db
from network.membership.models import Person, StatusChange
from network.renewal.campaign import CampaignCounts, campaign_counts
from network.renewal.models import RenewalCampaign
from network.report.members import EFFECTIVE_AT, members_at_end
from network.report.period import Period
from network.resources.models import RESOURCE_KIND_LABELS, DownloadCount, Resource
from network.templating import MONTHS


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown « — »)."""
    return part / whole if whole else None


@dataclass
class Renewal:
    """The campaign opened in the year (on the network's anniversary, 22 November)."""

    campaign: RenewalCampaign | None
    counts: CampaignCounts

    @property
    def still_open(self) -> int:
        """Still waiting for an answer (or, their form never delivered, for an admin)."""
        return self.counts.pending + self.counts.unreached

    @property
    def answer_rate(self) -> float | None:
        return ratio(self.counts.answered, self.counts.asked)


def renewal(period: Period) -> Renewal:
    campaign = db.session.scalar(select(RenewalCampaign).where(
        RenewalCampaign.year == period.year, RenewalCampaign.opened_at <= period.now))
    return Renewal(campaign, campaign_counts(campaign) if campaign else CampaignCounts())


@dataclass
class KindFigures:
    """The events of one kind held in the year, and who came."""

    kind: str
    label: str
    events: int = 0
    registered: int = 0
    attended: int = 0
    marked: int = 0  # registered people whose attendance was marked

    @property
    def attendance_rate(self) -> float | None:
        """Present among the registered whose attendance was marked; None if none was."""
        return ratio(self.attended, self.marked)


def _held(period: Period):
    """The events held in the year: published, started by its end (or by now)."""
    return and_(Event.status == EventStatus.PUBLISHED, period.within(Event.starts_at))


def events_by_kind(period: Period) -> list[KindFigures]:
    """Every kind of event, in the order of the events form, with zeros where none was held."""
    figures = {kind: KindFigures(kind, label) for kind, label in EVENT_KIND_LABELS.items()}
    attended = Registration.attended
    rows = db.session.execute(
        select(Event.kind, func.count(func.distinct(Event.id)), func.count(Registration.id),
               func.count(Registration.id).filter(attended.is_(True)),
               func.count(Registration.id).filter(attended.is_not(None)))
        .outerjoin(Registration, and_(Registration.event_id == Event.id,
                                      Registration.status == RegistrationStatus.REGISTERED))
        .where(_held(period)).group_by(Event.kind))
    for kind, events, registered, present, marked in rows:
        figure = figures.setdefault(kind, KindFigures(kind, kind))
        figure.events, figure.registered, figure.attended, figure.marked = (
            events, registered, present, marked)
    return list(figures.values())


def kinds_total(kinds: list[KindFigures]) -> KindFigures:
    total = KindFigures("total", "Total")
    for figure in kinds:
        total.events += figure.events
        total.registered += figure.registered
        total.attended += figure.attended
        total.marked += figure.marked
    return total


@dataclass
class WelcomeReach:
    """The welcome module « Intégrer le réseau », the first step of a member's parcours."""

    modules: int  # welcome modules held in the year
    participants: int  # people marked present at them
    new_members: int  # people who joined in the year
    new_members_welcomed: int  # of whom attended a welcome module by the end of the year
    members: int  # members at the end of the year
    members_welcomed: int  # of whom ever attended one, by then

    @property
    def new_members_share(self) -> float | None:
        return ratio(self.new_members_welcomed, self.new_members)

    @property
    def members_share(self) -> float | None:
        return ratio(self.members_welcomed, self.members)


def welcome_reach(period: Period, members_at_end_count: int) -> WelcomeReach:
    welcome = and_(Event.kind == EventKind.WELCOME_MODULE, Event.status == EventStatus.PUBLISHED)
    modules, participants = db.session.execute(
        select(func.count(func.distinct(Event.id)),
               func.count(Registration.id).filter(Registration.attended.is_(True)))
        .outerjoin(Registration, and_(Registration.event_id == Event.id,
                                      Registration.status == RegistrationStatus.REGISTERED))
        .where(welcome, period.within(Event.starts_at))).one()
    # Attended a welcome module held by the end of the year.
    welcomed = exists().where(
        Registration.person_id == Person.id, Registration.attended.is_(True),
        Registration.status == RegistrationStatus.REGISTERED,
        Registration.event_id.in_(select(Event.id).where(
            welcome, period.before_end(Event.starts_at))))
    newcomers = (select(StatusChange.person_id).join(Person, Person.id == StatusChange.person_id)
                 .where(JOIN, period.within(EFFECTIVE_AT)).correlate(None))
    new_members, new_welcomed, members_welcomed = db.session.execute(select(
        select(func.count()).where(Person.id.in_(newcomers)).scalar_subquery(),
        select(func.count()).where(Person.id.in_(newcomers), welcomed).scalar_subquery(),
        select(func.count()).where(Person.id.in_(members_at_end(period)), welcomed)
        .scalar_subquery())).one()
    return WelcomeReach(modules, participants, new_members, new_welcomed, members_at_end_count,
                        members_welcomed)


@dataclass
class Library:
    """The resources published in the year and the downloads of the year."""

    published: list[Share]  # by kind
    downloads_by_month: list[Share]  # code "2026-03", label "mars 2026"
    most_downloaded: list[tuple[Resource, int]]  # the year's ten most downloaded

    @property
    def published_count(self) -> int:
        return sum(share.count for share in self.published)

    @property
    def downloads(self) -> int:
        return sum(share.count for share in self.downloads_by_month)


def library(period: Period, top: int = 10) -> Library:
    # A resource withdrawn since was still published that year.
    counts = dict(db.session.execute(
        select(Resource.kind, func.count()).where(period.within(Resource.published_at))
        .group_by(Resource.kind)).all())
    published = [Share(kind, label, counts.get(kind, 0))
                 for kind, label in RESOURCE_KIND_LABELS.items()]
    # Downloads are counted by Paris month, without anything on who downloaded.
    months = [f"{period.year:04d}-{month:02d}" for month in period.months]
    by_month = dict(db.session.execute(
        select(DownloadCount.month, func.sum(DownloadCount.count))
        .where(DownloadCount.month.in_(months)).group_by(DownloadCount.month)).all())
    downloads = [Share(month, f"{MONTHS[int(month[5:]) - 1]} {period.year}",
                       int(by_month.get(month, 0))) for month in months]
    total = func.sum(DownloadCount.count).label("total")
    most = db.session.execute(
        select(Resource, total).join(DownloadCount).where(DownloadCount.month.in_(months))
        .group_by(Resource.id).order_by(total.desc(), Resource.id).limit(top)).all()
    return Library(published, downloads, [(resource, int(count)) for resource, count in most])
