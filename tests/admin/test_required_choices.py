"""The back-office's required drop-down lists without a meaningful default (an event's type,
format and public, a resource's type and visibility) start on « — Choisir — », an empty first
option as HTML wants on a required <select>, and a form left on it is refused next to the list."""

import re

from sqlalchemy import func, select

from network.events.models import Event
from network.extensions import db
from network.resources.models import Resource
from tests.admin.test_events_admin import FORM as EVENT_FORM

RESOURCE_FORM = {"title": "Guide", "kind": "outil", "themes": "", "summary": "",
                 "description": "", "dated": "2026-10-01", "event": "", "visibility": "public",
                 "external_url": "https://exemple.fr/guide"}


def first_options(page: str) -> dict[str, str]:
    """The first option of each required drop-down list of the page, by the list's name."""
    return {name: first for name, first in re.findall(
        r'<select[^>]*\bname="(\w+)"[^>]*\brequired[^>]*>\s*(<option[^>]*>[^<]*</option>)',
        page)}


def test_a_new_event_asks_for_its_type_format_and_public(admin_client):
    page = admin_client.get("/admin/evenements/nouveau").text
    empty = '<option value="">— Choisir —</option>'
    assert first_options(page) == {"kind": empty, "mode": empty, "audience": empty}

    response = admin_client.post("/admin/evenements/nouveau", data={
        **EVENT_FORM, "kind": "", "mode": "", "audience": "", "online_url": ""})
    assert response.status_code == 400
    for message in ("Choisissez le type d", "Choisissez le format.", "Choisissez le public."):
        assert message in response.text, message
    # Without a format, neither its address nor its link is asked for yet.
    assert "Indiquez le lien de connexion." not in response.text
    assert "Indiquez l" not in response.text.replace("Indiquez la date", "")
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0

    done = admin_client.post("/admin/evenements/nouveau", data=EVENT_FORM)
    assert done.status_code == 302


def test_a_new_resource_asks_for_its_type_and_visibility(admin_client):
    page = admin_client.get("/admin/ressources/nouvelle").text
    empty = '<option value="">— Choisir —</option>'
    assert first_options(page) == {"kind": empty, "visibility": empty}

    response = admin_client.post("/admin/ressources/nouvelle", data={
        **RESOURCE_FORM, "kind": "", "visibility": ""})
    assert response.status_code == 400
    assert "Choisissez le type de ressource." in response.text
    assert "Choisissez qui peut la voir." in response.text
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0

    assert admin_client.post("/admin/ressources/nouvelle", data=RESOURCE_FORM).status_code == 302


def test_an_edited_event_keeps_its_choices(admin_client):
    admin_client.post("/admin/evenements/nouveau", data=EVENT_FORM)
    event_id = db.session.scalar(select(Event.id))
    page = admin_client.get(f"/admin/evenements/{event_id}/modifier").text
    assert re.search(r'<option selected value="webinaire">', page)
    assert re.search(r'<option selected value="distance">', page)
    assert re.search(r'<option selected value="public">', page)
