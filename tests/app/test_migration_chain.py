"""`flask db upgrade` keeps the data of a database made at any earlier migration.

For each revision R, an empty database goes up the chain one migration at a time to R, and after
each migration it gets the rows a database of that time held, written with plain SQL against the
schema of that moment (the models only know the head). It is then upgraded to head, where it must
hold the same rows, give the new columns their defaults, have the schema of a fresh upgrade, and
be read by the models and shown by the pages.

A new migration needs its seed in SEEDS, and a column it adds to an existing table needs its
value for the rows already there in ADDED_COLUMN_VALUES: until then these tests fail.
"""

import functools
import hashlib
import html
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import flask_migrate
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Table, create_engine, func, select, text
from werkzeug.security import generate_password_hash

from network import ROOT, create_app
from network.admin.models import AdminUser
from network.admin.services import create_admin
from network.emailtexts.models import EmailText
from network.evaluations.models import Survey
from network.events.models import Event, EventStatus
from network.extensions import db
from network.mailings.models import Mailing
from network.membership.models import Person, Status
from network.news.models import NewsItem, NewsStatus
from network.resources.models import Resource, ResourceStatus, Visibility
from network.themes.models import ThemeRound
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, base_config
from tests.support.postgres import create_database
from tests.support.schema import TablesOnDemand, describe_schema, reflect_tables


def migration_scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


SCRIPTS = migration_scripts()
# Oldest first.
CHAIN = list(reversed(list(SCRIPTS.walk_revisions())))

ANNE = "anne.martin@exemple.fr"
PAUL = "paul.durand@exemple.fr"
CLAIRE = "claire.fabre@exemple.fr"
ANNE_MEMBER_SINCE = datetime(2024, 11, 25, 9, 41, 7, tzinfo=UTC)


def utc(*fields) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def insert(connection, table: Table, **values):
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def insert_all(connection, table: Table, rows: list[dict]):
    # One by one: the rows need not all name the same columns.
    for row in rows:
        connection.execute(table.insert().values(**row))


def person_id(connection, tables, email: str) -> int:
    person = tables["person"]
    return connection.scalar(select(person.c.id).where(person.c.email == email))


@functools.cache
def admin_password_hash() -> str:
    # Hashed like the application does, so that the admin of 0002 still signs in at head.
    return generate_password_hash(ADMIN_PASSWORD, method="scrypt")


# --- What a database held after each migration -----------------------------------------------

def seed_people_and_charters(connection, tables):
    charters = tables["charter_version"]
    first_charter = connection.scalar(select(charters.c.id).where(charters.c.number == 1))
    second_charter = insert(
        connection, charters, number=2, title="Charte du réseau des intervenants QVT (2025)",
        text_markdown="## Les trois principes de participation\n\n1. Partager les repères…",
        published_at=utc(2025, 6, 2, 8, 0))
    person = tables["person"]
    anne = insert(
        connection, person, status="member", email=ANNE, first_name="Anne",
        last_name="Martin", phone="06 12 34 56 78", organisation="Cabinet Travail & Santé",
        job_title="Consultante en organisation du travail", profile="consultant",
        website="https://travail-sante.example", listed_on_reflex_qvt=True,
        directory_opt_in=True, privacy_consent_at=utc(2024, 11, 20, 14, 2),
        created_at=utc(2024, 11, 20, 14, 2), applied_at=utc(2024, 11, 20, 14, 2),
        member_since=ANNE_MEMBER_SINCE)
    paul = insert(
        connection, person, status="applicant", email=PAUL, first_name="Paul",
        last_name="Durand", organisation="Mairie d'Albi", job_title="Responsable RH",
        profile="acteur_interne", listed_on_reflex_qvt=False, directory_opt_in=False,
        privacy_consent_at=utc(2026, 11, 2, 10, 15), created_at=utc(2026, 11, 2, 10, 15),
        applied_at=utc(2026, 11, 2, 10, 15), charter_nonce="5d1c0b0a8f3e4e27a9b1c2d3e4f5a6b7")
    claire = insert(
        connection, person, status="exited", exit_reason="voluntary", email=CLAIRE,
        first_name="Claire", last_name="Fabre", organisation="Carsat Languedoc-Roussillon",
        profile="acteur_relais", listed_on_reflex_qvt=False, directory_opt_in=True,
        privacy_consent_at=utc(2023, 3, 1, 9, 0), created_at=utc(2023, 3, 1, 9, 0),
        applied_at=utc(2023, 3, 1, 9, 0), member_since=utc(2023, 3, 2, 8, 30),
        exited_at=utc(2025, 12, 1, 0, 0))
    # Personal data wiped after the retention period: only the statistics remain.
    insert(connection, person, status="exited", exit_reason="no_renewal_answer",
           profile="consultant", listed_on_reflex_qvt=False, directory_opt_in=False,
           created_at=utc(2021, 5, 10, 9, 0), applied_at=utc(2021, 5, 10, 9, 0),
           member_since=utc(2021, 5, 11, 9, 0), exited_at=utc(2022, 12, 1, 0, 0))
    insert_all(connection, tables["person_department"], [
        {"person_id": anne, "department_code": "31"},
        {"person_id": anne, "department_code": "34"},
        {"person_id": paul, "department_code": "81"},
        {"person_id": claire, "department_code": "11"},
        {"person_id": claire, "department_code": "66"}])
    insert_all(connection, tables["person_qvt_field"], [
        {"person_id": anne, "qvt_field_code": "sante"},
        {"person_id": anne, "qvt_field_code": "contenu"},
        {"person_id": paul, "qvt_field_code": "management"},
        {"person_id": claire, "qvt_field_code": "egalite"}])
    insert_all(connection, tables["charter_acceptance"], [
        {"person_id": anne, "charter_version_id": first_charter,
         "accepted_at": ANNE_MEMBER_SINCE},
        {"person_id": anne, "charter_version_id": second_charter,
         "accepted_at": utc(2025, 6, 10, 17, 45)},
        {"person_id": claire, "charter_version_id": first_charter,
         "accepted_at": utc(2023, 3, 2, 8, 30)}])
    insert_all(connection, tables["status_change"], [
        {"person_id": anne, "from_status": None, "to_status": "applicant",
         "reason": "Candidature", "changed_by": "la personne elle-même",
         "changed_at": utc(2024, 11, 20, 14, 2)},
        {"person_id": anne, "from_status": "applicant", "to_status": "member",
         "reason": "Charte acceptée", "changed_by": "la personne elle-même",
         "changed_at": ANNE_MEMBER_SINCE},
        {"person_id": claire, "from_status": "member", "to_status": "exited",
         "reason": "Départ à sa demande", "changed_by": "la personne elle-même",
         "changed_at": utc(2025, 12, 1, 0, 0)}])
    outbox = tables["outbox_message"]
    common = {"body_html": "<p>Bonjour,</p>", "next_attempt_at": utc(2026, 11, 2, 10, 15)}
    insert_all(connection, outbox, [
        {**common, "dedup_key": f"charter-link:{paul}:2026-11-02T10:15:00+00:00",
         "person_id": paul, "template": "charter_link", "recipient": PAUL,
         "subject": "Votre adhésion : la charte du réseau", "body_text": "Bonjour Paul,",
         "status": "pending", "attempts": 0, "created_at": utc(2026, 11, 2, 10, 15)},
        {**common, "dedup_key": f"member-confirmed:{anne}:2024-11-25T09:41:07+00:00",
         "person_id": anne, "template": "member_confirmed", "recipient": ANNE,
         "subject": "Bienvenue dans le réseau", "body_text": "Bonjour Anne,", "status": "sent",
         "attempts": 1, "created_at": ANNE_MEMBER_SINCE, "sent_at": utc(2024, 11, 25, 9, 41, 9)},
        {**common, "dedup_key": f"left:{claire}:2025-12-01T00:00:00+00:00",
         "person_id": claire, "template": "left_network", "recipient": CLAIRE,
         "subject": "Votre départ du réseau", "body_text": "Bonjour Claire,", "status": "failed",
         "attempts": 5, "last_error": "550 5.1.1 mailbox unavailable",
         "created_at": utc(2025, 12, 1, 0, 0)}])
    insert(connection, tables["expired_application_count"], month="2025-10", count=2)


def seed_back_office(connection, tables):
    admins = tables["admin_user"]
    insert(connection, admins, email=ADMIN_EMAIL, password_hash=admin_password_hash(),
           active=True, created_at=utc(2024, 10, 1, 8, 0), last_login_at=utc(2026, 11, 20, 8, 5))
    insert(connection, admins, email="ancien.referent@gt-qvt.fr",
           password_hash=admin_password_hash(), active=False, created_at=utc(2024, 10, 1, 8, 0))
    anne = person_id(connection, tables, ANNE)
    insert(connection, tables["admin_note"], person_id=anne, author=ADMIN_EMAIL,
           text="Intervient surtout auprès des EHPAD de Haute-Garonne.",
           created_at=utc(2025, 1, 14, 11, 20))
    insert_all(connection, tables["audit_entry"], [
        {"at": utc(2025, 1, 14, 11, 18), "admin_email": ADMIN_EMAIL, "action": "member.edit",
         "person_id": anne, "detail": "Téléphone modifié"},
        {"at": utc(2025, 2, 3, 16, 0), "admin_email": ADMIN_EMAIL, "action": "members.export",
         "person_id": None, "detail": ""}])


def seed_mailings(connection, tables):
    mailings = tables["mailing"]
    sent = insert(connection, mailings, subject="Lettre du réseau – décembre 2025",
                  body_markdown="Bonjour,\n\nLe programme du prochain atelier…",
                  profiles="consultant", department_codes="31,34", qvt_field_codes="",
                  created_by=ADMIN_EMAIL, created_at=utc(2025, 12, 8, 9, 0),
                  send_requested_at=utc(2025, 12, 8, 9, 30), queued_at=utc(2025, 12, 8, 9, 31),
                  recipient_count=1)
    insert(connection, mailings, subject="Appel à contributions : ateliers 2026",
           body_markdown="Brouillon", profiles="", department_codes="",
           qvt_field_codes="sante,egalite", created_by=ADMIN_EMAIL,
           created_at=utc(2026, 1, 5, 14, 0), recipient_count=0)
    anne = person_id(connection, tables, ANNE)
    insert(connection, tables["outbox_message"], dedup_key=f"mailing:{sent}:{anne}",
           person_id=anne, mailing_id=sent, template="mailing", recipient=ANNE,
           subject="Lettre du réseau – décembre 2025", body_text="Bonjour,",
           body_html="<p>Bonjour,</p>", status="sent", attempts=1,
           next_attempt_at=utc(2025, 12, 8, 9, 31), created_at=utc(2025, 12, 8, 9, 31),
           sent_at=utc(2025, 12, 8, 9, 32))


def seed_member_space(connection, tables):
    person = tables["person"]
    connection.execute(person.update().where(person.c.email == ANNE).values(
        sign_in_nonce="a3f1e2d4c5b6a7980f1e2d3c4b5a6978",
        pending_email="anne.martin@nouveau-cabinet.fr"))
    connection.execute(person.update().where(person.c.email.is_(None)).values(
        anonymised_at=utc(2025, 12, 1, 3, 0)))


def seed_renewal(connection, tables):
    campaigns = tables["renewal_campaign"]
    closed = insert(connection, campaigns, year=2025, opens_at=utc(2025, 11, 1, 7, 0),
                    deadline=utc(2025, 11, 30, 22, 59), opened_at=utc(2025, 11, 1, 7, 0),
                    requests_complete_at=utc(2025, 11, 1, 7, 2), closed_at=utc(2025, 12, 1, 0, 0))
    current = insert(connection, campaigns, year=2026, opens_at=utc(2026, 11, 1, 7, 0),
                     deadline=utc(2026, 11, 30, 22, 59), opened_at=utc(2026, 11, 1, 7, 0),
                     requests_complete_at=utc(2026, 11, 1, 7, 1))
    anne = person_id(connection, tables, ANNE)
    claire = person_id(connection, tables, CLAIRE)
    insert_all(connection, tables["renewal_request"], [
        {"campaign_id": closed, "person_id": anne, "status": "renewed",
         "created_at": utc(2025, 11, 1, 7, 1), "first_opened_at": utc(2025, 11, 3, 12, 0),
         "answered_at": utc(2025, 11, 3, 12, 1), "answered_by": ANNE},
        {"campaign_id": closed, "person_id": claire, "status": "left",
         "created_at": utc(2025, 11, 1, 7, 1), "answered_at": utc(2025, 11, 28, 18, 0),
         "answered_by": CLAIRE, "last_reminder_days": 7,
         "last_reminder_at": utc(2025, 11, 23, 7, 0)},
        {"campaign_id": current, "person_id": anne, "status": "pending",
         "created_at": utc(2026, 11, 1, 7, 1)}])
    insert(connection, tables["scheduler_lease"], name="tick", holder="web-1:4242",
           expires_at=utc(2026, 11, 23, 10, 3))


def seed_events(connection, tables):
    events = tables["event"]
    annual = insert(
        connection, events, title="Rendez-vous annuel du réseau 2026", kind="rendez-vous",
        summary="Une journée d'échanges entre intervenants QVT.",
        description_markdown="## Programme\n\n- 9 h 30 : accueil", mode="presentiel",
        address="Salle des fêtes, Lézignan-Corbières", capacity=80,
        starts_at=utc(2026, 11, 20, 8, 30), ends_at=utc(2026, 11, 20, 16, 0),
        registration_opens_at=utc(2026, 9, 1, 7, 0),
        registration_closes_at=utc(2026, 11, 18, 22, 0), audience="public",
        status="published", created_at=utc(2026, 8, 20, 10, 0),
        published_at=utc(2026, 8, 25, 9, 0), registration_seq=3, revision=1,
        reminders_queued_at=utc(2026, 11, 19, 7, 0))
    insert(connection, events, title="Webinaire : le droit à la déconnexion", kind="webinaire",
           summary="", description_markdown="", mode="distance",
           online_url="https://visio.example/deconnexion", starts_at=utc(2027, 1, 14, 11, 0),
           ends_at=utc(2027, 1, 14, 12, 0), audience="membres", status="draft",
           created_at=utc(2026, 11, 10, 9, 0), registration_seq=0, revision=0)
    insert_all(connection, tables["event_theme"], [
        {"event_id": annual, "name": "Télétravail"}, {"event_id": annual, "name": "Santé"}])
    insert(connection, tables["event_material"], event_id=annual,
           title="Programme de la journée", url="https://reseau.example/programme.pdf",
           created_at=utc(2026, 9, 1, 7, 0))
    insert(connection, tables["event_invitation"], event_id=annual, profiles="consultant",
           department_codes="11,34", without_welcome_module=False,
           requested_at=utc(2026, 9, 1, 7, 5), requested_by=ADMIN_EMAIL, recipient_count=1,
           queued_at=utc(2026, 9, 1, 7, 6))
    anne = person_id(connection, tables, ANNE)
    insert_all(connection, tables["registration"], [
        {"event_id": annual, "person_id": anne, "status": "registered", "seq": 1,
         "created_at": utc(2026, 9, 2, 8, 0), "placed_at": utc(2026, 9, 2, 8, 0),
         "attended": True},
        {"event_id": annual, "guest_name": "Julie Roux", "guest_email": "julie.roux@exemple.org",
         "guest_organisation": "MSA Midi-Pyrénées Nord", "status": "registered", "seq": 2,
         "created_at": utc(2026, 9, 5, 8, 0), "placed_at": utc(2026, 9, 5, 8, 10)},
        {"event_id": annual, "guest_name": "Marc Vidal", "guest_email": "marc.vidal@exemple.org",
         "status": "waiting", "seq": 3, "created_at": utc(2026, 11, 15, 8, 0)}])
    insert(connection, tables["outbox_message"], dedup_key=f"event-registered:{annual}:{anne}",
           person_id=anne, template="event_registered", recipient=ANNE,
           subject="Inscription confirmée", body_text="Bonjour Anne,", body_html="<p>Bonjour</p>",
           attachment_name="rendez-vous-annuel.ics",
           attachment_content="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
           status="sent", attempts=1, next_attempt_at=utc(2026, 9, 2, 8, 0),
           created_at=utc(2026, 9, 2, 8, 0), sent_at=utc(2026, 9, 2, 8, 1))


def seed_library(connection, tables):
    resources = tables["resource"]
    annual = connection.scalar(select(tables["event"].c.id).where(
        tables["event"].c.kind == "rendez-vous"))
    guide = {"title": "Guide du télétravail", "summary": "Organiser le travail à distance.",
             "description_markdown": "Un guide pour les équipes.",
             "extracted_text": "Le télétravail régulier suppose un accord d'équipe."}
    guide_id = insert(
        connection, resources, **guide, kind="outil", dated=date(2026, 10, 1),
        event_id=annual, visibility="public", status="published",
        file_hash=hashlib.sha256(b"guide").hexdigest(), file_name="guide-teletravail.pdf",
        file_type="application/pdf", file_size=48213, created_at=utc(2026, 10, 1, 9, 0),
        published_at=utc(2026, 10, 2, 9, 0))
    replay = {"title": "Replay : prévenir l'épuisement professionnel", "summary": "",
              "description_markdown": "", "extracted_text": ""}
    replay_id = insert(
        connection, resources, **replay, kind="replay", dated=date(2026, 6, 12),
        visibility="membres", status="published", external_url="https://video.example/replay",
        created_at=utc(2026, 6, 12, 15, 0), published_at=utc(2026, 6, 13, 9, 0))
    insert_all(connection, tables["resource_theme"], [
        {"resource_id": guide_id, "name": "Télétravail"},
        {"resource_id": replay_id, "name": "Santé"}])
    insert_all(connection, tables["download_count"], [
        {"resource_id": guide_id, "month": "2026-10", "count": 12},
        {"resource_id": guide_id, "month": "2026-11", "count": 5}])
    index_for_search(connection, guide_id, guide)
    index_for_search(connection, replay_id, replay)


def index_for_search(connection, resource_id: int, resource: dict):
    """The search index as the application writes it: the data a later migration must keep."""
    body = f"{resource['description_markdown']}\n{resource['extracted_text']}"
    values = {"id": resource_id, "title": resource["title"], "summary": resource["summary"],
              "body": body}
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO resource_fts (rowid, title, summary, body) "
                                "VALUES (:id, :title, :summary, :body)"), values)
    else:
        connection.execute(text(
            "UPDATE resource SET search_vector = "
            "setweight(to_tsvector('french', unaccent(:title)), 'A') || "
            "setweight(to_tsvector('french', unaccent(:summary)), 'B') || "
            "setweight(to_tsvector('french', unaccent(:body)), 'C') WHERE id = :id"), values)


def seed_scheduler_heartbeat(connection, tables):
    insert(connection, tables["scheduler_heartbeat"], name="tick",
           last_tick_at=utc(2026, 11, 23, 10, 0, 30))


def seed_rate_limit_counters(connection, tables):
    key = hashlib.sha256(f"email:{ANNE}".encode()).hexdigest()
    insert(connection, tables["rate_limit_counter"], key=key, count=3, expires_at=1795428900.25)


def seed_nothing_new(connection, tables):
    """Indexes only: the rows of the earlier revisions are what the upgrade must keep."""


def seed_lifecycle_and_bounces(connection, tables):
    person = tables["person"]
    # Claire, who left, signed up again: her new details wait for her to accept the charter.
    connection.execute(person.update().where(person.c.email == CLAIRE).values(
        pending_application='{"first_name": "Claire", "last_name": "Fabre", '
                            '"organisation": "Carsat Midi-Pyrénées", "profile": "acteur_relais", '
                            '"department_codes": ["31"], "qvt_field_codes": ["egalite"], '
                            '"phone": "", "job_title": "", "website": "", '
                            '"listed_on_reflex_qvt": false, "directory_opt_in": false, '
                            '"applied_at": "2026-11-27T18:00:00+00:00"}',
        charter_nonce="0f1e2d3c4b5a69780f1e2d3c4b5a6978"))
    connection.execute(person.update().where(person.c.email == PAUL).values(
        email_bounced_at=utc(2026, 11, 22, 9, 5),
        email_bounce_reason="550 5.1.1 <paul.durand@exemple.fr>: Recipient address rejected"))
    requests = tables["renewal_request"]
    connection.execute(requests.update().where(requests.c.status == "left").values(
        status="unreached", deadline=utc(2025, 12, 15, 22, 59)))
    campaigns = tables["renewal_campaign"]
    connection.execute(campaigns.update().where(campaigns.c.year == 2026).values(
        review_sent_at=utc(2026, 11, 23, 7, 0)))


def seed_delivery_reliability(connection, tables):
    insert(connection, tables["relay_state"], name="smtp", failing_since=utc(2026, 11, 27, 22, 0),
           next_try_at=utc(2026, 11, 28, 8, 10), last_error="ConnectionRefusedError(111)",
           last_success_at=utc(2026, 11, 27, 21, 58))
    person = tables["person"]
    connection.execute(person.update().where(person.c.email == ANNE).values(
        mailings_opt_out=True))
    outbox = tables["outbox_message"]
    connection.execute(outbox.update().where(outbox.c.mailing_id.is_not(None)).values(
        extra_headers='{"Precedence": "bulk"}', connection_drops=1))


def seed_session_generations(connection, tables):
    # The admin signed out twice, Anne once: their older cookies no longer open anything.
    admins = tables["admin_user"]
    connection.execute(admins.update().where(admins.c.email == ADMIN_EMAIL).values(
        session_generation=2))
    person = tables["person"]
    connection.execute(person.update().where(person.c.email == ANNE).values(
        session_generation=1))


def seed_going_live(connection, tables):
    # The network's former spreadsheet brought Paul in, his rules accepted by e-mail in 2019; he
    # is invited to the site and has not answered; the header « Courriel pro » was mapped.
    insert(connection, tables["member_import"], id=1, file_name="membres-2019-2026.xlsx",
           imported_by=ADMIN_EMAIL, imported_at=utc(2026, 11, 28, 10, 0), created_count=1,
           completed_count=0, skipped_count=2)
    insert(connection, tables["import_header_mapping"], header="courriel pro", field="email")
    person = tables["person"]
    connection.execute(person.update().where(person.c.email == PAUL).values(member_import_id=1))
    paul = connection.execute(select(person.c.id).where(person.c.email == PAUL)).scalar_one()
    charter = connection.execute(select(tables["charter_version"].c.id).order_by(
        tables["charter_version"].c.number).limit(1)).scalar_one()
    insert(connection, tables["charter_acceptance"], person_id=paul,
           charter_version_id=charter, accepted_at=utc(2019, 11, 25, 8, 0), method="email",
           recorded_by=ADMIN_EMAIL, note="Réponse au mail du 22/11/2019")
    insert(connection, tables["go_live_invitation"], person_id=paul, nonce="a1b2c3d4e5f60718",
           sent_at=utc(2026, 11, 28, 11, 0))


def seed_attestations(connection, tables):
    # Anne, present at the annual meeting of 2026, downloaded her attestation, and publishes the
    # badge of her membership for the year.
    anne = person_id(connection, tables, ANNE)
    registrations = tables["registration"]
    attended = connection.execute(select(registrations.c.id).where(
        registrations.c.person_id == anne, registrations.c.attended.is_(True))).scalar_one()
    insert_all(connection, tables["attestation"], [
        {"code": "7KQ2M9XD4HRT", "kind": "presence", "person_id": anne,
         "registration_id": attended, "issued_at": utc(2026, 11, 21, 9, 12), "published": False},
        {"code": "N3VB8Z6CFW1P", "kind": "membership", "person_id": anne, "year": 2026,
         "issued_at": utc(2026, 11, 21, 9, 14), "published": True}])


def seed_news(connection, tables):
    # A call for projects relayed and mailed to the members, a draft partnership proposal, and
    # December's mailing turned into an archived newsletter.
    mailing = tables["mailing"]
    letter = connection.scalar(select(mailing.c.id).where(
        mailing.c.subject == "Lettre du réseau – décembre 2025"))
    connection.execute(mailing.update().where(mailing.c.id == letter).values(newsletter=True))
    relayed = insert(connection, mailing, subject="Appel à projets FACT 2027",
                     body_markdown="Le FACT est ouvert.", profiles="", department_codes="",
                     qvt_field_codes="", created_by=ADMIN_EMAIL,
                     created_at=utc(2026, 12, 2, 10, 0), recipient_count=0, newsletter=False)
    insert_all(connection, tables["news_item"], [
        dict(kind="appel", title="Appel à projets FACT 2027", summary="Le FACT est ouvert.",
             body_markdown="## Pour qui ?\n\nLes TPE et PME.",
             link_url="https://travail-emploi.gouv.fr/fact", deadline=date(2027, 3, 15),
             status="published", created_by=ADMIN_EMAIL, created_at=utc(2026, 12, 1, 9, 0),
             updated_at=utc(2026, 12, 1, 9, 30), published_at=utc(2026, 12, 1, 9, 30),
             mailing_id=relayed),
        dict(kind="partenariat", title="Partenariat avec la Carsat", summary="À l'étude.",
             body_markdown="", link_url=None, deadline=None, status="draft",
             created_by=ADMIN_EMAIL, created_at=utc(2026, 12, 1, 11, 0),
             updated_at=utc(2026, 12, 1, 11, 0), published_at=None, mailing_id=None),
    ])


def seed_theme_votes(connection, tables):
    # The 2026 call for themes, closed: Anne's theme came first and became the webinar; Claire's
    # was hidden; a proposal of someone anonymised since stays without a name.
    rounds, proposals = tables["theme_round"], tables["theme_proposal"]
    theme_round = insert(
        connection, rounds, title="Appel à thèmes des ateliers 2027",
        introduction="Les **trois thèmes** les plus plébiscités deviendront des ateliers.",
        votes_per_member=3, opens_at=utc(2026, 10, 1, 7, 0), closes_at=utc(2026, 10, 31, 17, 0),
        closed_at=utc(2026, 10, 30, 9, 0), created_at=utc(2026, 9, 30, 14, 0),
        created_by=ADMIN_EMAIL)
    anne, claire = (person_id(connection, tables, email) for email in (ANNE, CLAIRE))
    webinar = connection.scalar(select(tables["event"].c.id).where(
        tables["event"].c.kind == "webinaire"))
    common = {"round_id": theme_round, "created_at": utc(2026, 10, 2, 8, 0)}
    remote = insert(connection, proposals, **common, person_id=anne,
                    title="Télétravail et lien social",
                    description="Garder le collectif quand on se voit moins.", event_id=webinar)
    wear = insert(connection, proposals, **common, person_id=None,
                  title="Prévenir l'usure professionnelle", description="Les fins de carrière.")
    insert(connection, proposals, **common, person_id=claire, title="Mes formations",
           description="À vendre.", hidden_at=utc(2026, 10, 3, 9, 0))
    insert_all(connection, tables["theme_vote"], [
        {"round_id": theme_round, "proposal_id": remote, "person_id": anne, "slot": 1,
         "created_at": utc(2026, 10, 5, 12, 0)},
        {"round_id": theme_round, "proposal_id": wear, "person_id": anne, "slot": 2,
         "created_at": utc(2026, 10, 5, 12, 1)},
        {"round_id": theme_round, "proposal_id": remote, "person_id": claire, "slot": 3,
         "created_at": utc(2026, 10, 6, 9, 0)}])


def seed_walk_ins(connection, tables):
    # Two people came to the annual meeting without registering: Bruno, a guest without an
    # address, and Paul, a member, added on the spot (present, though the meeting was full).
    annual = connection.execute(select(tables["event"].c.id).where(
        tables["event"].c.kind == "rendez-vous")).scalar_one()
    paul = person_id(connection, tables, PAUL)
    insert_all(connection, tables["registration"], [
        {"event_id": annual, "guest_name": "Bruno Lacaze", "guest_organisation": "SPST 81",
         "status": "registered", "seq": 4, "created_at": utc(2026, 11, 20, 9, 5),
         "placed_at": utc(2026, 11, 20, 9, 5), "attended": True, "walk_in": True},
        {"event_id": annual, "person_id": paul, "status": "registered", "seq": 5,
         "created_at": utc(2026, 11, 20, 9, 10), "placed_at": utc(2026, 11, 20, 9, 10),
         "attended": True, "walk_in": True}])


def seed_exit_reasons(connection, tables):
    # The history of the member whose data was wiped: joined in May 2021, dropped for no answer
    # to the renewal of 2022, the reason now written on the exit itself.
    person = tables["person"]
    former = connection.scalar(select(person.c.id).where(person.c.email.is_(None)))
    insert_all(connection, tables["status_change"], [
        {"person_id": former, "from_status": "applicant", "to_status": "member",
         "reason": "Charte acceptée", "changed_by": "la personne elle-même",
         "changed_at": utc(2021, 5, 11, 9, 0)},
        {"person_id": former, "from_status": "member", "to_status": "exited",
         "reason": "Sans réponse au renouvellement", "changed_by": "système",
         "changed_at": utc(2022, 12, 1, 0, 0), "exit_reason": "no_renewal_answer"}])


def seed_evaluations(connection, tables):
    # The annual meeting was evaluated: Anne (present) answered, anonymously; the guest was
    # invited and has not answered. Every member was asked their needs; the guide was useful.
    questionnaire = tables["questionnaire"]
    question = tables["question"]
    meeting = connection.scalar(select(questionnaire.c.id).where(
        questionnaire.c.key == "evaluation:rendez-vous"))
    needs = connection.scalar(select(questionnaire.c.id).where(questionnaire.c.key == "besoins"))
    asked = dict(connection.execute(select(question.c.position, question.c.id).where(
        question.c.questionnaire_id == meeting)).all())
    event = tables["event"]
    annual = connection.scalar(select(event.c.id).where(event.c.kind == "rendez-vous"))
    registration = tables["registration"]
    anne = person_id(connection, tables, ANNE)
    anne_place, julie_place = (connection.scalar(select(registration.c.id).where(condition))
                               for condition in (registration.c.person_id == anne,
                                                 registration.c.guest_name == "Julie Roux"))
    surveys = tables["survey"]
    evaluation = insert(connection, surveys, key=f"evaluation:{annual}", questionnaire_id=meeting,
                        purpose="evaluation", event_id=annual,
                        title="Rendez-vous annuel du réseau 2026",
                        created_at=utc(2026, 11, 20, 18, 0), requested_by="planificateur",
                        recipient_count=0)
    asking = insert(connection, surveys, questionnaire_id=needs, purpose="besoins",
                    title="Vos besoins de renforcement", created_at=utc(2026, 11, 21, 9, 0),
                    requested_by=ADMIN_EMAIL, recipient_count=1,
                    queued_at=utc(2026, 11, 21, 9, 1))
    insert_all(connection, tables["survey_invitation"], [
        {"survey_id": evaluation, "person_id": anne, "registration_id": anne_place,
         "invited_at": utc(2026, 11, 20, 18, 0), "answered_on": date(2026, 11, 21)},
        {"survey_id": evaluation, "registration_id": julie_place,
         "invited_at": utc(2026, 11, 20, 18, 0)},
        {"survey_id": asking, "person_id": anne, "invited_at": utc(2026, 11, 21, 9, 1)}])
    response = "3f9c2b7d1e4a4c0d8b6a5e2f1c0d9e8a"
    insert(connection, tables["survey_response"], id=response, survey_id=evaluation)
    insert_all(connection, tables["survey_answer"], [
        {"response_id": response, "question_id": asked[1], "scale_value": 5},
        {"response_id": response, "question_id": asked[3], "choice": "Oui"},
        {"response_id": response, "question_id": asked[4],
         "text": "Des repères concrets sur l'organisation du travail."}])
    guide = connection.scalar(select(tables["resource"].c.id).where(
        tables["resource"].c.title == "Guide du télétravail"))
    insert(connection, tables["resource_usefulness"], resource_id=guide, month="2026-11",
           useful=4, not_useful=1)


def seed_two_factor(connection, tables):
    # The former referent turned the second factor on before leaving, and signed in once with a
    # recovery code (the rest of the ten are left).
    admins = tables["admin_user"]
    former = connection.scalar(select(admins.c.id).where(
        admins.c.email == "ancien.referent@gt-qvt.fr"))
    connection.execute(admins.update().where(admins.c.id == former).values(
        totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", totp_enabled_at=utc(2026, 11, 29, 9, 0),
        totp_last_counter=59_384_700))
    insert_all(connection, tables["admin_recovery_code"], [
        {"admin_id": former, "created_at": utc(2026, 11, 29, 9, 0),
         "code_hash": hashlib.sha256(f"{former}:{number:010d}".encode()).hexdigest(),
         "used_at": utc(2026, 11, 30, 8, 0) if number == 0 else None}
        for number in range(10)])
    insert_all(connection, tables["audit_entry"], [
        {"at": utc(2026, 11, 29, 9, 0), "admin_email": "ancien.referent@gt-qvt.fr",
         "action": "admin.two_factor_enabled", "detail": ""},
        {"at": utc(2026, 11, 30, 8, 0), "admin_email": "ancien.referent@gt-qvt.fr",
         "action": "admin.recovery_code_used", "detail": "Codes de secours restants : 9"}])


def seed_admin_invitations(connection, tables):
    # Claire of the Carsat was invited to the back-office and has not set her password yet.
    insert(connection, tables["admin_user"], email="claire.fabre@carsat-lr.fr", password_hash="",
           active=False, role="animation", created_at=utc(2026, 11, 27, 14, 0),
           session_generation=0, invitation_nonce="9c1e4b7a2d5f8e03",
           invitation_expires_at=utc(2026, 12, 4, 14, 0))
def seed_email_texts(connection, tables):
    # The GT QVT reworded the welcome e-mail; an admin was previewing the renewal form's text.
    insert(connection, tables["email_text"], name="member_confirmed",
           subject="Bienvenue, {prenom} !",
           body_markdown="Bonjour {prenom},\n\nBienvenue dans le réseau ! Votre espace : "
                         "[espace membre]({lien_espace}).",
           updated_at=utc(2026, 11, 27, 10, 0), updated_by=ADMIN_EMAIL)
    admin = connection.scalar(select(tables["admin_user"].c.id).where(
        tables["admin_user"].c.email == ADMIN_EMAIL))
    insert(connection, tables["email_text_draft"], admin_id=admin, name="renewal_form",
           subject="Renouvellement {annee}", body_markdown="Bonjour {prenom} : {lien}",
           created_at=utc(2026, 11, 27, 10, 5))


SEEDS = {
    "0001": seed_people_and_charters,
    "0002": seed_back_office,
    "0003": seed_mailings,
    "0004": seed_member_space,
    "0005": seed_renewal,
    "0006": seed_events,
    "0007": seed_library,
    "0008": seed_scheduler_heartbeat,
    "0009": seed_rate_limit_counters,
    "0010": seed_nothing_new,
    "0011": seed_lifecycle_and_bounces,
    "0012": seed_delivery_reliability,
    "0013": seed_session_generations,
    "0014": seed_going_live,
    "0015": seed_nothing_new,
    "0016": seed_attestations,
    "0017": seed_news,
    "0018": seed_theme_votes,
    "0019": seed_walk_ins,
    "0020": seed_exit_reasons,
    "0021": seed_evaluations,
    "0022": seed_nothing_new,
    "0023": seed_admin_invitations,
    "0024": seed_two_factor,
    "0025": seed_email_texts,
}

# What the rows already in a table hold in a column a later migration adds to it.
ADDED_COLUMN_VALUES = {
    "outbox_message.mailing_id": None,
    "person.sign_in_nonce": None,
    "person.pending_email": None,
    "person.anonymised_at": None,
    "outbox_message.attachment_name": None,
    "outbox_message.attachment_content": None,
    "person.pending_application": None,
    "person.email_bounced_at": None,
    "person.email_bounce_reason": None,
    "renewal_request.deadline": None,
    "renewal_campaign.review_sent_at": None,
    "outbox_message.connection_drops": 0,
    "outbox_message.extra_headers": None,
    "person.mailings_opt_out": False,
    "admin_user.session_generation": 0,
    "person.session_generation": 0,
    "person.member_import_id": None,
    "charter_acceptance.method": "web",
    "charter_acceptance.recorded_by": None,
    "charter_acceptance.note": None,
    "mailing.newsletter": False,
    "registration.walk_in": False,
    # 0021 writes the person's exit reason on their latest exit (Claire's: « à sa demande »).
    "status_change.exit_reason": {None, "voluntary"},
    # Every account made before roles could do everything.
    "admin_user.role": "administrateur",
    # No account had a second factor before it existed.
    "admin_user.totp_secret": None,
    "admin_user.totp_enabled_at": None,
    "admin_user.totp_last_counter": None,
    "admin_user.invitation_nonce": None,
    "admin_user.invitation_expires_at": None,
}


# --- The tests ---------------------------------------------------------------------------------

def test_every_migration_has_its_seed_data():
    assert len(SCRIPTS.get_heads()) == 1, f"the migrations branch: {SCRIPTS.get_heads()}"
    revisions = [script.revision for script in CHAIN]
    missing = [revision for revision in revisions if revision not in SEEDS]
    assert not missing, f"no seed data for migrations {missing}: see the top of {__file__}"
    assert list(SEEDS) == revisions, "SEEDS must follow the chain, oldest first"


@pytest.fixture
def empty_database(database_url, request, tmp_path):
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/chain.sqlite"
    return create_database(request.getfixturevalue("postgres_server"), "network_chain")


@pytest.fixture(scope="module")
def fresh_schema(database_url):
    """The session's database was upgraded from empty straight to head."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return describe_schema(connection)
    finally:
        engine.dispose()


@pytest.fixture
def chain_app(empty_database):
    app = create_app(base_config(empty_database))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


# Head too: its seed must be valid now, not when the next migration arrives.
@pytest.mark.parametrize("revision", [script.revision for script in CHAIN],
                         ids=lambda revision: f"from-{revision}")
def test_a_database_with_data_upgrades_to_head(revision, chain_app, fresh_schema):
    fill_database_up_to(revision)
    with db.engine.connect() as connection:
        tables_before = reflect_tables(connection)
        rows_before = table_rows(connection, tables_before)

    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        tables_after = reflect_tables(connection)
        assert describe_schema(connection, tables_after) == fresh_schema
        rows_after = rows_still_there(connection, tables_before, tables_after)
        assert count_rows(rows_after) == count_rows(rows_before)
        for name, rows in rows_before.items():
            assert rows_after[name] == rows, f"the upgrade changed rows of {name}"
        assert_added_columns_hold_their_defaults(connection, tables_before, tables_after)
    assert_the_models_read_every_row()
    assert_a_member_reads_as_written()
    assert_the_pages_show_the_data(chain_app)


def fill_database_up_to(revision: str) -> None:
    """One migration at a time, each followed by the rows of its time."""
    steps = CHAIN[:[script.revision for script in CHAIN].index(revision) + 1]
    seeds = [(script.revision, seed_for(script)) for script in steps]
    for step, seed in seeds:
        flask_migrate.upgrade(revision=step)
        with db.engine.begin() as connection:
            seed(connection, TablesOnDemand(connection))


def seed_for(script):
    if script.revision not in SEEDS:
        pytest.fail(f"migration {script.revision} ({script.doc}) has no seed data: add a seed "
                    f"for the tables and columns it adds to SEEDS in {__file__}")
    return SEEDS[script.revision]


def table_rows(connection, tables: dict[str, Table]) -> dict[str, list[dict]]:
    return {name: rows_of(connection, table, list(table.columns))
            for name, table in tables.items() if name != "alembic_version"}


def rows_of(connection, table: Table, columns) -> list[dict]:
    ordered = connection.execute(select(*columns).order_by(*table.primary_key.columns))
    return [dict(row._mapping) for row in ordered]


def rows_still_there(connection, tables_before, tables_after) -> dict[str, list[dict]]:
    """The columns that existed before the upgrade, read from the upgraded tables."""
    rows = {}
    for name, before in tables_before.items():
        if name == "alembic_version":
            continue
        assert name in tables_after, f"table {name} is gone at head: where did its rows go?"
        after = tables_after[name]
        gone = [column.name for column in before.columns if column.name not in after.columns]
        assert not gone, f"columns {gone} of {name} are gone at head: where did their data go?"
        rows[name] = rows_of(connection, after, [after.c[column.name]
                                                 for column in before.columns])
    return rows


def count_rows(rows: dict[str, list]) -> dict[str, int]:
    return {name: len(table_rows) for name, table_rows in rows.items()}


def assert_added_columns_hold_their_defaults(connection, tables_before, tables_after):
    for name, before in tables_before.items():
        for column in tables_after[name].columns:
            if column.name in before.columns:
                continue
            key = f"{name}.{column.name}"
            assert key in ADDED_COLUMN_VALUES, (
                f"a migration adds {key} to a table with rows: say what they should hold "
                f"in ADDED_COLUMN_VALUES ({__file__})")
            values = set(connection.scalars(select(column).distinct()))
            expected = ADDED_COLUMN_VALUES[key]
            # A set: the values a migration fills in from what the rows already said.
            allowed = expected if isinstance(expected, set) else {expected}
            assert values <= allowed, f"{key} of existing rows: {values}"


def assert_the_models_read_every_row():
    db.session.expire_all()
    for mapper in db.Model.registry.mappers:
        for instance in db.session.scalars(select(mapper.class_)):
            for attribute in mapper.attrs:
                value = getattr(instance, attribute.key)
                if isinstance(value, datetime):
                    assert value.tzinfo is not None, f"{mapper.class_.__name__}.{attribute.key}"


def assert_a_member_reads_as_written():
    anne = db.session.scalar(select(Person).where(Person.email == ANNE))
    assert (anne.full_name, anne.status, anne.profile) == ("Anne Martin", Status.MEMBER,
                                                           "consultant")
    assert [department.code for department in anne.departments] == ["31", "34"]
    assert [field.code for field in anne.qvt_fields] == ["contenu", "sante"]
    assert anne.member_since == ANNE_MEMBER_SINCE
    assert db.session.scalar(select(func.count()).select_from(Person)) == 4


def assert_the_pages_show_the_data(app):
    client = signed_in_admin(app)
    for url in ("/admin/", "/admin/journal", "/admin/courriels", "/admin/envois",
                "/admin/evenements/questionnaires",
                "/admin/renouvellement", "/admin/evenements", "/admin/ressources",
                "/admin/charte", "/evenements", "/ressources", "/admin/actualites",
                "/actualites", "/actualites/lettres", "/actualites.atom",
                "/admin/evenements/appels-a-themes", "/admin/bilan", "/admin/bilan/2025",
                "/admin/compte/double-authentification", "/admin/courriels/textes"):
        assert client.get(url).status_code == 200, url
    assert_shows(client, "/admin/equipe", *db.session.scalars(select(AdminUser.email)))
    people = db.session.scalars(select(Person).where(Person.email.is_not(None))).all()
    assert_shows(client, "/admin/membres", *[person.last_name for person in people])
    for person in people:
        assert_shows(client, f"/admin/membres/{person.id}", person.full_name)
    for mailing in db.session.scalars(select(Mailing)):
        assert_shows(client, f"/admin/envois/{mailing.id}", mailing.subject)
        if mailing.newsletter and mailing.queued_at:
            assert_shows(client, f"/actualites/lettres/{mailing.id}", mailing.subject)
    for item in db.session.scalars(select(NewsItem)):
        assert_shows(client, f"/admin/actualites/{item.id}", item.title)
        if item.status == NewsStatus.PUBLISHED:
            assert_shows(client, f"/actualites/{item.id}", item.title)
    events = db.session.scalars(select(Event)).all()
    assert_shows(client, "/evenements", *[event.title for event in events
                                          if event.status == EventStatus.PUBLISHED])
    for event in events:
        assert_shows(client, f"/admin/evenements/{event.id}", event.title, *event.theme_names)
    for theme_round in db.session.scalars(select(ThemeRound)):
        assert_shows(client, f"/admin/evenements/appels-a-themes/{theme_round.id}",
                     theme_round.title, *[proposal.title for proposal in theme_round.proposals])
    for survey in db.session.scalars(select(Survey)):
        assert_shows(client, f"/admin/evenements/questionnaires/resultats/{survey.id}",
                     survey.title)
    for email_text in db.session.scalars(select(EmailText)):
        assert_shows(client, f"/admin/courriels/textes/{email_text.name}", email_text.subject)
    for resource in db.session.scalars(select(Resource)):
        assert_shows(client, f"/admin/ressources/{resource.id}", resource.title)
        if (resource.status, resource.visibility) == (ResourceStatus.PUBLISHED,
                                                      Visibility.PUBLIC):
            # Found through the search index that the seed wrote before the upgrade.
            assert_shows(client, f"/ressources?{urlencode({'q': resource.title})}", resource.title)


def assert_shows(client, url: str, *texts: str):
    page = client.get(url)
    assert page.status_code == 200, url
    for expected in texts:
        assert expected in html.unescape(page.text), f"{expected!r} not on {url}"


def signed_in_admin(app):
    """The admin account of 0002 signs in with its old password; older databases get one."""
    if db.session.scalar(select(AdminUser).where(AdminUser.email == ADMIN_EMAIL)) is None:
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    client = app.test_client()
    response = client.post("/admin/connexion",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, response.text
    return client
