"""A year of the network's life (2025), built through the lifecycle, for the annual report.

                 before 2025           in 2025                          after 2025
    ann    member since 2024-03        renewed in December              stays
    bob    member since 2024-05        leaves 15 April (voluntary)
    carl   member since 2024-06        declines the renewal 5 Dec
    dina   member since 2023-09        dropped for no answer 23 Dec
    eve    member since 2024-02        removed by the GT QVT 10 Sept
    fred   member 2024-01, left 2024-10 back 1 March
    gail   accepted by e-mail 2024-12  entered by an admin 1 Feb
    leo    member since 2024-04                                         leaves 1 Jan 2026 00:30
    iris                               joins 20 Feb, leaves 5 May       readmitted, then removed
    hugo                               joins 10 June, welcome module
    jack                               joins 30 Nov                     leaves March 2026
    kate                               joins 31 Dec at 23:30 (Paris)
    mia                                applies 1 July, never a member

Members on 1 January 2025: ann bob carl dina eve gail leo (7); joins: fred iris hugo jack kate
(5); exits: bob iris (voluntary), carl (declined), dina (no answer), eve (removed) (5); members
at the end: ann fred gail hugo jack kate leo (7).
"""

from datetime import date, datetime, timedelta

from network.events.models import (
    Audience,
    Event,
    EventKind,
    EventMode,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from network.extensions import db
from network.membership.entry import enter_member_by_email
from network.membership.lifecycle import BY_THE_PERSON, BY_THE_SYSTEM, move
from network.membership.models import ExitReason
from network.membership.services import exit_by_admin, leave_network, readmit
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.resources import services as resources
from network.resources.models import Resource, ResourceStatus
from network.templating import PARIS
from tests.factories import details, make_applicant, make_member

ADMIN = "admin@gt-qvt.fr"
YEAR = 2025


def paris(*fields) -> datetime:
    return datetime(*fields, tzinfo=PARIS)


def build_people() -> dict:
    people = {}

    def member(name, since, **overrides):
        people[name] = make_member(since, email=f"{name}@exemple.fr", first_name=name.title(),
                                   **overrides)
        return people[name]

    member("ann", paris(2024, 3, 10), profile="consultant", department_codes=["31", "34"],
           qvt_field_codes=["sante", "contenu"])
    member("bob", paris(2024, 5, 1))
    member("carl", paris(2024, 6, 1), profile="acteur_interne")
    member("dina", paris(2023, 9, 1))
    member("eve", paris(2024, 2, 1))
    fred = member("fred", paris(2024, 1, 15), profile="acteur_relais", department_codes=["12"],
                  qvt_field_codes=["egalite"])
    leave_network(fred, paris(2024, 10, 1))
    member("leo", paris(2024, 4, 1), profile="acteur_interne", department_codes=["09"])
    db.session.commit()
    people["gail"] = enter_member_by_email(
        details(email="gail@exemple.fr", first_name="Gail", profile="acteur_relais",
                department_codes=["81"], qvt_field_codes=["management"]),
        accepted_at=paris(2024, 12, 1, 10), note="Mail du 1er décembre 2024", by=ADMIN,
        now=paris(2025, 2, 1, 9))
    db.session.commit()

    # 2025
    move(fred, "rejoin", by=BY_THE_PERSON, why="Charte acceptée", now=paris(2025, 3, 1, 11))
    iris = member("iris", paris(2025, 2, 20), department_codes=["66"])
    leave_network(people["bob"], paris(2025, 4, 15, 16))
    leave_network(iris, paris(2025, 5, 5, 9))
    member("hugo", paris(2025, 6, 10), profile="acteur_relais", department_codes=["31"])
    exit_by_admin(people["eve"], ExitReason.REMOVED_BY_ADMIN, "Retirée", ADMIN,
                  paris(2025, 9, 10, 14))
    member("jack", paris(2025, 11, 30), department_codes=["48"])
    move(people["carl"], "decline_renewal", by=BY_THE_PERSON, why="Renouvellement refusé",
         now=paris(2025, 12, 5, 18))
    move(people["ann"], "renew", by=BY_THE_PERSON, why="Renouvellement confirmé",
         now=paris(2025, 12, 2, 10))
    move(people["dina"], "drop", by=BY_THE_SYSTEM, why="Sans réponse au renouvellement",
         now=paris(2025, 12, 23, 9))
    member("kate", paris(2025, 12, 31, 23, 30), department_codes=["31"])
    people["mia"] = make_applicant(paris(2025, 7, 1), email="mia@exemple.fr")
    db.session.commit()

    # After 2025: the report of 2025 does not move.
    leave_network(people["leo"], paris(2026, 1, 1, 0, 30))
    readmit(iris, ADMIN, paris(2026, 2, 1, 9))
    exit_by_admin(iris, ExitReason.REMOVED_BY_ADMIN, "Retirée", ADMIN, paris(2026, 6, 1, 9))
    leave_network(people["jack"], paris(2026, 3, 1, 9))
    db.session.commit()
    return people


def build_campaign(people: dict) -> RenewalCampaign:
    """The 2025 renewal: 5 forms sent (ann renewed, carl left, dina dropped, leo's and gail's
    still unanswered, gail's never delivered), hugo and jack exempt (joined recently)."""
    campaign = RenewalCampaign(year=YEAR, opens_at=paris(2025, 11, 22, 9),
                               deadline=paris(2025, 12, 22, 9), opened_at=paris(2025, 11, 22, 9),
                               requests_complete_at=paris(2025, 11, 22, 9, 5),
                               closed_at=paris(2025, 12, 23, 9))
    db.session.add(campaign)
    db.session.flush()
    statuses = {"ann": RequestStatus.RENEWED, "carl": RequestStatus.LEFT,
                "dina": RequestStatus.DROPPED, "leo": RequestStatus.PENDING,
                "gail": RequestStatus.UNREACHED, "hugo": RequestStatus.EXEMPT,
                "jack": RequestStatus.EXEMPT}
    for name, status in statuses.items():
        db.session.add(RenewalRequest(campaign_id=campaign.id, person_id=people[name].id,
                                      status=status, created_at=paris(2025, 11, 22, 9)))
    db.session.commit()
    return campaign


def _event(title, kind, starts, status=EventStatus.PUBLISHED) -> Event:
    event = Event(title=title, kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=2),
                  mode=EventMode.REMOTE, online_url="https://visio.exemple.fr/r",
                  audience=Audience.PUBLIC, status=status, created_at=starts - timedelta(days=60))
    db.session.add(event)
    db.session.flush()
    return event


def _registrations(event: Event, attendance: dict, status=RegistrationStatus.REGISTERED):
    for seq, (person, attended) in enumerate(attendance.items(), start=1):
        who = ({"person_id": person.id} if not isinstance(person, str)
               else {"guest_name": None, "guest_email": None})
        db.session.add(Registration(event_id=event.id, status=status, seq=seq,
                                    created_at=event.starts_at - timedelta(days=3),
                                    attended=attended, **who))


def build_events(people: dict) -> None:
    """2025: two welcome modules, a workshop, a webinar whose attendance was not marked; and
    what the report leaves out: a cancelled meeting, a draft, events of 2024 and 2026."""
    p = people
    welcome_feb = _event("Module d'accueil de février", EventKind.WELCOME_MODULE,
                         paris(2025, 2, 10, 14))
    _registrations(welcome_feb, {p["ann"]: True, p["gail"]: True, p["eve"]: False})
    welcome_oct = _event("Module d'accueil d'octobre", EventKind.WELCOME_MODULE,
                         paris(2025, 10, 14, 14))
    _registrations(welcome_oct, {p["hugo"]: True, p["fred"]: False})
    workshop = _event("Atelier « Télétravail »", EventKind.WORKSHOP, paris(2025, 3, 18, 9, 30))
    _registrations(workshop, {p["ann"]: True, p["bob"]: True, p["eve"]: False, p["fred"]: True,
                              "invité": True})
    _registrations(workshop, {p["leo"]: None}, status=RegistrationStatus.WAITING)
    _registrations(workshop, {p["carl"]: None}, status=RegistrationStatus.CANCELLED)
    webinar = _event("Webinaire de juin", EventKind.WEBINAR, paris(2025, 6, 20, 10))
    _registrations(webinar, {p["ann"]: None, p["hugo"]: None, p["kate"]: None})
    meeting = _event("Rendez-vous annuel 2025", EventKind.ANNUAL_MEETING, paris(2025, 6, 20, 14),
                     status=EventStatus.CANCELLED)
    _registrations(meeting, {p["ann"]: None})
    _event("Brouillon", EventKind.WORKSHOP, paris(2025, 5, 6, 9), status=EventStatus.DRAFT)
    old = _event("Module d'accueil de 2024", EventKind.WELCOME_MODULE, paris(2024, 10, 8, 14))
    _registrations(old, {p["leo"]: True, p["dina"]: True})
    later = _event("Module d'accueil de 2026", EventKind.WELCOME_MODULE, paris(2026, 2, 9, 14))
    _registrations(later, {p["jack"]: True, p["kate"]: True})
    db.session.commit()


def build_library() -> dict:
    """Resources published in 2025 (one withdrawn since), in 2024, and a draft; downloads in
    2024, 2025 and 2026, counted by Paris month."""
    def resource(title, kind, published=None):
        item = Resource(title=title, kind=kind, dated=date(2025, 1, 1),
                        external_url="https://exemple.fr/document")
        db.session.add(item)
        if published:
            resources.publish(item, published)
        db.session.flush()
        return item

    guide = resource("Guide de la démarche QVT", "outil", paris(2025, 3, 1, 10))
    letter = resource("Lettre d'information de septembre", "lettre", paris(2025, 9, 1, 10))
    letter.status = ResourceStatus.WITHDRAWN
    older = resource("Référentiel 2024", "referentiel", paris(2024, 12, 1, 10))
    resource("Brouillon de synthèse", "synthese")
    for item, moment, count in ((guide, paris(2025, 3, 15, 12), 3),
                                (letter, paris(2025, 12, 31, 23, 30), 1),
                                (older, paris(2025, 1, 1, 0, 10), 2),
                                (guide, paris(2026, 1, 2, 12), 2),
                                (older, paris(2024, 12, 20, 12), 1)):
        for _ in range(count):
            resources.count_download(item, moment)
    db.session.commit()
    return {"guide": guide, "letter": letter, "older": older}


def build_year() -> dict:
    people = build_people()
    build_campaign(people)
    build_events(people)
    return {"people": people, **build_library()}
