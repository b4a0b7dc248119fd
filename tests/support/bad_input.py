"""What the bad-input tests feed the application: a corpus, a small world, valid bodies."""

import itertools
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.routing import AnyConverter, PathConverter
from wtforms import StringField, TextAreaField
from wtforms.fields.core import UnboundField

from network.admin.roles import LECTURE
from network.admin.team import invitation_token as admin_invitation_token
from network.admin.team import invite as invite_admin
from network.admin.views import OPEN_ENDPOINTS
from network.attestations.services import grouped, publish_badge
from network.evaluations.services import invitation_token as survey_invitation_token
from network.events.models import Audience, EventMode
from network.events.services import (
    add_material,
    invitation_token,
    register_member,
    registration_token,
)
from network.extensions import db, utcnow
from network.golive.models import GoLiveInvitation
from network.golive.services import golive_token
from network.mail.models import OutboxMessage
from network.mailings.models import Mailing
from network.mailings.services import unsubscribe_token
from network.membership.services import charter_token, leave_token
from network.renewal.models import RenewalCampaign, RenewalRequest
from network.renewal.services import renewal_token
from network.themes.services import create_round, propose
from tests.conftest import ADMIN_EMAIL
from tests.evaluations.helpers import answer_body, questions, world_survey
from tests.events.helpers import make_event
from tests.factories import join_form, make_applicant, make_member
from tests.news.helpers import make_call
from tests.renewal.test_pages import open_campaign_now
from tests.resources.test_library import make_resource

ROOT = Path(__file__).resolve().parents[2]

CORPUS = [
    "2147483648",  # 2³¹: one past PostgreSQL's integer
    "9223372036854775808",  # 2⁶³: one past a 64-bit integer
    "-1",
    "0",
    "99999999999999999999",  # 20 digits
    "a\x00b",
    "x\r\nSet-Cookie: pris=1",
    "é" + "x" * 5000,  # 5 kB
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "\u202eexe.pdf\u200f",  # right-to-left override and mark
]


def all_forms() -> list[type[FlaskForm]]:
    """Every form class of the application (the modules holding them must be imported)."""
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        if form.__module__.startswith("network."):
            found.append(form)
        todo.extend(form.__subclasses__())
    return found


def field_names(form: type[FlaskForm], kinds: tuple = ()) -> set[str]:
    return {name for name in dir(form) if isinstance(unbound := getattr(form, name), UnboundField)
            and (not kinds or issubclass(unbound.field_class, kinds))}


def query_names() -> list[str]:
    """Every query-string parameter the application reads, by name or through a filter form."""
    # With the names url_for keeps for itself, for the pages that rebuild their links from it.
    names = {"page", "next", "enregistre", "du", "au", "endpoint", "_scheme", "_external",
             "_anchor", "_method"}
    for path in (ROOT / "network").rglob("*.py"):
        names |= set(re.findall(r"request\.args\.get(?:list)?\(\s*\"(\w+)\"", path.read_text()))
    return sorted(names | {name for form in all_forms() if getattr(form.Meta, "csrf", True) is False
                           for name in field_names(form)})


def form_names() -> list[str]:
    return sorted({name for form in all_forms() for name in field_names(form)})


def text_names() -> set[str]:
    """The fields where people type free text (not an e-mail, phone or web address)."""
    # The honeypot of the sign-up form: filled in, the form is dropped without a word.
    return {name for form in all_forms() for name, field in vars(form).items()
            if isinstance(field, UnboundField)
            and field.field_class in (StringField, TextAreaField)} - {"nickname"}


def event_form(**overrides) -> dict:
    form = {"title": "Atelier", "kind": "atelier", "themes": "Télétravail", "summary": "Résumé",
            "description": "Texte", "starts_at": "2026-12-10T14:00",
            "ends_at": "2026-12-10T16:00", "mode": EventMode.REMOTE.value, "address": "",
            "online_url": "https://visio.exemple.fr/a", "capacity": "20",
            "registration_opens_at": "", "registration_closes_at": "",
            "audience": Audience.PUBLIC.value}
    return {**form, **overrides}


def renewal_form() -> dict:
    return {**join_form(email="walk.member@exemple.fr"), "decision": "reste",
            "accept_charter": "y"}


_entries = itertools.count()


def member_entry_form() -> dict:
    """A request received by e-mail and accepted by e-mail: the entry that saves the most text
    (a new address each time, so that each body reaches the database)."""
    return {**join_form(email=f"walk.entry{next(_entries)}@exemple.fr", privacy_consent=None),
            "entry": "accepte-par-mail", "accepted_on": "2021-03-12",
            "note": "Mail du 12/03/2021 reçu sur la boîte du réseau"}


# Bodies that pass validation on the routes that save what people type, so that each value
# reaches the service and the database (the forms' own tests say what else they refuse).
def poster(endpoint: str) -> str:
    """Who posts the valid body of a route: "admin", "member" or "anonymous"."""
    if endpoint in MEMBER_POSTS:
        return "member"
    # The back-office's open pages (its sign-in, an invitation's) are for people not signed in.
    return ("admin" if endpoint.startswith("admin.") and endpoint not in OPEN_ENDPOINTS
            else "anonymous")


# The forms of the member space and of members-only features, posted by a signed-in member.
MEMBER_POSTS = {"members_space.my_details", "renewal.in_space", "themes.propose"}

VALID_BODIES = {
    "membership.join": lambda: join_form(email="walk.new@exemple.fr"),
    "events.register_guest": lambda: {"name": "Invité", "email": "invite@exemple.fr",
                                      "organisation": "Structure"},
    "members_space.my_details": lambda: join_form(email="walk.member@exemple.fr"),
    "renewal.form": renewal_form,
    "renewal.in_space": renewal_form,
    "golive.welcome": lambda: {**join_form(email="walk.member@exemple.fr"), "accept_charter": "y"},
    "admin.member_edit": lambda: join_form(email="walk.other@exemple.fr"),
    "admin.member_exit": lambda: {"reason": "removed_by_admin", "comment": "c", "confirm": "y"},
    "admin.member_note": lambda: {"text": "Une note"},
    "admin.member_new": member_entry_form,
    "admin.events_edit": event_form,
    "admin.events_material_add": lambda: {"title": "Diaporama",
                                          "url": "https://exemple.fr/diapos.pdf"},
    "admin.resources_edit": lambda: {"title": "Guide", "kind": "outil", "themes": "QVT",
                                     "summary": "Résumé", "description": "Texte",
                                     "dated": "2026-10-01", "event": "", "visibility": "public",
                                     "external_url": "https://exemple.fr/guide"},
    "admin.mailing_edit": lambda: {"subject": "Lettre", "body": "Bonjour", "newsletter": "y"},
    "admin.news_edit": lambda: {"kind": "appel", "title": "Appel à projets FACT",
                                "summary": "Un appel du Fonds.", "body": "Le **texte**.",
                                "link_url": "https://exemple.fr/fact",
                                "deadline": "2027-03-15"},
    "admin.charter_versions": lambda: {"title": "Charte", "text": "Texte", "confirm": "y",
                                       "publish": "y"},
    "themes.propose": lambda: {"title": f"Thème {next(_entries)}", "description": "Pourquoi"},
    "admin.themes_edit": lambda: {"title": "Appel", "introduction": "Texte",
                                  "votes_per_member": "3", "opens_at": "2026-11-23T09:00",
                                  "closes_at": "2026-12-14T18:00"},
    "admin.events_walk_in_guest": lambda: {"name": "Bruno Lacaze", "organisation": "SPST 81",
                                           "email": "bruno.lacaze@exemple.fr"},
    "admin.questionnaire": lambda: {"title": "Votre avis", "intro": "Deux minutes."},
    "admin.question_edit": lambda: {"kind": "echelle", "text": "Utile ?", "required": "y",
                                    "low_label": "Pas du tout", "high_label": "Tout à fait",
                                    "options": "", "overall": "y"},
    "evaluations.answer": answer_body,
    # The set-up of the second factor (the walk's admin has none): a code never right (five
    # digits), so that the values reach the check and none turns it on. The pages asking the
    # password again and the sign-in's second step need an account that has one: their control
    # characters are checked in tests/admin/test_two_factor.py.
    "admin.two_factor": lambda: {"code": "12345"},
    "admin.team": lambda: {"email": f"walk.team{next(_entries)}@exemple.fr", "role": LECTURE},
    "admin.invitation": lambda: {"password": "un mot de passe pour la marche",
                                 "password_again": "un mot de passe pour la marche"},
    # The charter link's text (the world's `email_name`), with its required link.
    "admin.email_text": lambda: {"subject": "Votre demande d'adhésion, {prenom}",
                                 "body": "Bonjour {prenom},\n\n[J'accepte la charte]({lien})",
                                 "save": "y"},
}

# Attendance is marked, and people who came without registering added, once an event has
# started: these pages are walked on an event under way (the others on one a week ahead).
ON_THE_EVENT_UNDER_WAY = ("admin.events_attendance", "admin.events_walk_in",
                          "admin.events_walk_in_member", "admin.events_walk_in_guest")


def make_world(app) -> dict:
    """One of everything a route can point at: the valid value of each path parameter, by name
    (or by endpoint for the signed links). The member who signs in is walk.member@exemple.fr;
    the admins act on walk.other@exemple.fr."""
    app.config["RENEWAL_OPENS"] = "06-01"
    now = utcnow()
    member = make_member(now - timedelta(days=400), email="walk.member@exemple.fr")
    other = make_member(now - timedelta(days=400), email="walk.other@exemple.fr")
    applicant = make_applicant(now, email="walk.applicant@exemple.fr")
    event = make_event(starts=now + timedelta(days=7), audience=Audience.PUBLIC)
    add_material(event, "Replay", "https://exemple.fr/replay", now, False)
    resource = make_resource("Guide")
    mailing = Mailing(subject="Lettre", body_markdown="Bonjour", created_by=ADMIN_EMAIL,
                      created_at=now)
    db.session.add(mailing)
    # A newsletter sent, archived on /actualites/lettres, and a call for projects published.
    letter = Mailing(subject="Lettre d'information n° 1", body_markdown="## Le bilan\n\nMerci.",
                     created_by=ADMIN_EMAIL, created_at=now, send_requested_at=now,
                     queued_at=now, newsletter=True)
    db.session.add(letter)
    news_item = make_call("Appel à projets FACT", now.date() + timedelta(days=30))
    registration = register_member(event, other, now)
    # An open call for themes, a theme of the other member's.
    theme_round = create_round("Appel à thèmes", "Proposez", 3, now, now + timedelta(days=14),
                               ADMIN_EMAIL, now)
    proposal = propose(theme_round, other, "Télétravail", "Le travail hybride", now)
    under_way = make_event(title="Atelier en cours", starts=now + timedelta(days=1))
    register_member(under_way, other, now)
    under_way.starts_at, under_way.ends_at = now - timedelta(hours=1), now + timedelta(hours=1)
    # The event's evaluation: answers in, and the other member's link still open.
    survey, survey_invitation = world_survey(event, registration, now)
    # The go-live invitation's link, as an imported member gets it.
    db.session.add(GoLiveInvitation(person_id=member.id, nonce="walk", sent_at=now))
    # The member's badge, published: /verifier/<code> shows it.
    badge = publish_badge(member, True, now)
    # Two invitations to the back-office: one for the team's account pages and actions (they
    # may cancel it), the other for the invitation's own page.
    invited = invite_admin("walk.invited@exemple.fr", LECTURE, ADMIN_EMAIL, now)
    invitee = invite_admin("walk.invitee@exemple.fr", LECTURE, ADMIN_EMAIL, now)
    db.session.commit()
    open_campaign_now(app)
    db.session.commit()
    campaign = db.session.scalar(select(RenewalCampaign))
    token = registration_token(registration)
    return {
        "event_id": event.id, "material_id": event.materials[0].id, "person_id": other.id,
        "resource_id": resource.id, "mailing_id": mailing.id, "number": 1,
        "news_id": news_item.id, "letter_id": letter.id,
        "round_id": theme_round.id, "proposal_id": proposal.id,
        "message_id": db.session.scalar(select(OutboxMessage.id).limit(1)),
        "code": grouped(badge.code), "registration_id": registration.id,
        "year": campaign.year, "request_id": db.session.scalar(
            select(RenewalRequest.id).where(RenewalRequest.person_id == other.id)),
        "filename": "css/network.css",
        "email_name": "charter_link",
        "membership.charter": charter_token(applicant, now),
        "membership.leave": leave_token(other),
        "renewal.form": renewal_token(campaign, member),
        "golive.welcome": golive_token(member.id, "walk"),
        "events.registration_page": token, "events.cancel": token, "events.confirm": token,
        "events.invitation": invitation_token(event, member),
        "mailings.unsubscribe": unsubscribe_token(other),
        **{(endpoint, "event_id"): under_way.id for endpoint in ON_THE_EVENT_UNDER_WAY},
        "survey_id": survey.id, "questionnaire_id": survey.questionnaire_id,
        "question_id": questions(survey)[0].id,
        "evaluations.answer": survey_invitation_token(survey_invitation),
        "admin_id": invited.id, "admin.invitation": admin_invitation_token(invitee),
    }


def database_rows() -> dict:
    """Every row of every table, to prove that a refused request changed nothing."""
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(table.select()).all()))
            for table in db.metadata.sorted_tables}


def url(rule, world: dict, bad: tuple[str, str] | None = None) -> str:
    """The rule's path with valid values, or with `bad` = (argument, value) put in."""

    def value(match):
        name = match.group("name")
        converter = rule._converters[name]
        if bad and bad[0] == name:
            return quote(bad[1], safe="/" if isinstance(converter, PathConverter) else "")
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[0]
        chosen = world.get((rule.endpoint, name), world.get(name, world.get(rule.endpoint, "x")))
        return quote(str(chosen), safe="/")

    return re.sub(r"<(?:[^:<>]+:)?(?P<name>\w+)>", value, rule.rule)
