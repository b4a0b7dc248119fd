"""Bad input in forms gets French field errors and changes nothing: control characters in
every text field, numbers beyond what the database holds, dates beyond what a calendar holds."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from wtforms import StringField, TextAreaField
from wtforms.fields.core import UnboundField

from network.admin.models import AuditEntry
from network.events.models import Audience, Event
from network.extensions import db
from network.forms import Form
from tests.events.helpers import make_event
from tests.factories import make_member
from tests.members_space.test_space import signed_in
from tests.support.bad_input import (
    VALID_BODIES,
    all_forms,
    database_rows,
    event_form,
    make_world,
    poster,
    url,
)

CONTROL_MESSAGE = "caractères de contrôle"
DATE_MESSAGE = "Saisissez une date entre le 1er janvier 1900 et le 31 décembre 2100."


@pytest.mark.parametrize("query", ["du=0001-01-01", "au=9999-12-31", "du=2026-01-01&au=9999-12-31"])
def test_member_dates_out_of_range_are_refused_in_french(admin_client, query):
    make_member(email="ancienne@exemple.fr", last_name="Ancienne")
    listing = admin_client.get(f"/admin/membres?{query}")
    # As for a date that is not one: the list says so next to the field, without the filter.
    assert listing.status_code == 200
    assert DATE_MESSAGE in listing.text
    assert "Ancienne" in listing.text
    export = admin_client.get(f"/admin/membres/export.csv?{query}")
    assert export.status_code == 400
    assert DATE_MESSAGE in export.text
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_an_export_with_filters_that_are_not_valid_writes_no_journal_row(admin_client):
    assert admin_client.get("/admin/membres/export.csv?du=pas-une-date").status_code == 400
    assert admin_client.get("/admin/membres/export.csv?statut=inconnu").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert admin_client.get("/admin/membres/export.csv?du=2026-01-01").status_code == 200
    assert db.session.scalar(select(AuditEntry.action)) == "members.export"


# --- Control characters in forms --------------------------------------------------------------

SINGLE_LINE = ["\x00", "a\x00b", "Anne\r\nBcc: x@exemple.fr", "a\nb", "a\tb", "\x1b[31m", "a\x7f",
               "a\x85b", "a\u2028b"]
MULTI_LINE = ["\x00", "a\x00b", "\x1b[31m", "a\x7f", "a\x0cb"]


def text_fields(endpoint: str) -> dict[str, bool]:
    """The text fields of the route's valid body: {name: whether it is a multi-line area}."""
    fields = {}
    for form in all_forms():
        for name, field in vars(form).items():
            if (isinstance(field, UnboundField) and name in VALID_BODIES[endpoint]()
                    and issubclass(field.field_class, StringField)):
                fields[name] = fields.get(name, False) or issubclass(field.field_class,
                                                                     TextAreaField)
    return fields


def post_as(endpoint, clients, world, body):
    """Post the body to the route as the person it is for (a new event, resource or mailing on
    the routes that also edit one)."""
    rule = min((rule for rule in clients["app"].url_map.iter_rules() if rule.endpoint == endpoint),
               key=lambda rule: len(rule.arguments))
    visitor = clients[poster(endpoint)]
    return visitor.post(url(rule, world), data=body, follow_redirects=True)


# The forms refuse control characters before anything reaches the database (the walk of every
# route, tests/app/test_bad_input_walk.py, checks both databases for a 500): once, on SQLite.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("endpoint", sorted(VALID_BODIES))
def test_control_characters_are_refused_in_every_text_field(app, admin_client, smtp, endpoint):
    world = make_world(app)
    member = app.test_client()
    signed_in(member, smtp, "walk.member@exemple.fr")
    clients = {"app": app, "admin": admin_client, "member": member,
               "anonymous": app.test_client()}
    fields = text_fields(endpoint)
    assert fields, endpoint
    rows = database_rows()
    for name, multi_line in fields.items():
        for value in MULTI_LINE if multi_line else SINGLE_LINE:
            response = post_as(endpoint, clients, world,
                               {**VALID_BODIES[endpoint](), name: value})
            assert response.status_code in (200, 400), (name, value)
            assert CONTROL_MESSAGE in response.text, (name, value)
    assert database_rows() == rows


def test_line_breaks_and_tabs_stay_allowed_in_multi_line_text(admin_client):
    response = admin_client.post("/admin/envois/nouveau", data={
        "subject": "Lettre de juin", "body": "Bonjour,\r\n\r\n\t- un point\r\nÀ bientôt"})
    assert response.status_code == 302


def test_every_form_refuses_control_characters(app):
    assert [form.__name__ for form in all_forms() if not issubclass(form, Form)] == []


# --- Events -----------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("starts_at", "9999-12-31T14:00", DATE_MESSAGE),
    ("ends_at", "9999-12-31T16:00", DATE_MESSAGE),
    ("starts_at", "0001-01-01T00:00", DATE_MESSAGE),
    ("registration_opens_at", "0001-01-01T00:00", DATE_MESSAGE),
    ("capacity", "2147483648", "Ce nombre dépasse ce que le site peut enregistrer."),
    ("capacity", "99999999999999999999", "Ce nombre dépasse ce que le site peut enregistrer."),
])
def test_events_out_of_range_are_refused_with_french_field_errors(admin_client, field, value,
                                                                  message):
    response = admin_client.post("/admin/evenements/nouveau",
                                 data=event_form(**{field: value}))
    assert response.status_code == 400
    assert f'id="{field}-erreur"' in response.text
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("starts", [datetime(9999, 12, 31, 20, 0, tzinfo=UTC),
                                    datetime(1, 1, 1, 12, 0, tzinfo=UTC)])
def test_the_calendar_feed_holds_events_already_stored_at_the_ends_of_time(client, starts):
    """Whatever the dates stored (before the form refused them), the feed answers, quickly."""
    make_event(audience=Audience.PUBLIC, title="Au bout du temps")
    make_event(starts=starts, audience=Audience.PUBLIC, title="Hors du temps")
    for path in ("/evenements.ics", "/evenements"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Hors du temps" in response.text
    assert len(client.get("/evenements.ics").data) < 20_000
