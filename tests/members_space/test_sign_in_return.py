"""Signing in from a members-only resource or event brings the member back to it, through the
e-mailed link; a next= to anywhere else is ignored."""

import re
from urllib.parse import quote

import pytest

from network.events.models import Audience
from network.extensions import utcnow
from network.inputs import same_site_path
from network.scheduler.tick import run_tick
from tests.events.helpers import make_event
from tests.events.test_pages import soon
from tests.factories import make_member
from tests.members_space.test_space import sign_in_messages
from tests.resources.test_library import make_resource
from tests.support.smtp import text_of

ANNE = "anne.martin@exemple.fr"


def link_from(client, smtp, sign_in_page: str) -> str:
    """Ask for a link from `sign_in_page` (its query string kept, as the form posts to it)."""
    assert client.get(sign_in_page).status_code == 200
    before = len(sign_in_messages(smtp, ANNE))
    response = client.post(sign_in_page, data={"email": ANNE})
    assert "Si cette adresse est celle d'un membre" in response.text
    run_tick(utcnow())
    messages = sign_in_messages(smtp, ANNE)
    assert len(messages) == before + 1
    return re.search(r"http://reseau\.test(/connexion/\S+)", text_of(messages[-1])).group(1)


def use(client, link: str) -> str:
    assert "Ouvrir mon espace membre" in client.get(link).text
    response = client.post(link)
    assert response.status_code == 302
    return response.location


def test_a_members_only_resource_sends_the_member_back_to_it(app, client, smtp):
    make_member(email=ANNE)
    resource = make_resource("Guide des ateliers", visibility="membres")
    response = client.get(f"/ressources/{resource.id}")
    assert response.location == f"/connexion?next=/ressources/{resource.id}"
    assert use(client, link_from(client, smtp, response.location)) == \
        f"/ressources/{resource.id}"
    assert "Guide des ateliers" in client.get(f"/ressources/{resource.id}").text
    # The file's link leads to the resource's page, not to a download after the sign-in.
    client.post("/deconnexion")
    assert client.get(f"/ressources/{resource.id}/fichier").location == \
        f"/connexion?next=/ressources/{resource.id}"


def test_a_members_only_event_sends_the_member_back_to_it(app, client, smtp):
    make_member(email=ANNE)
    event = make_event(starts=soon(), audience=Audience.MEMBERS)
    page = client.get(f"/evenements/{event.id}").text
    sign_in_page = f"/connexion?next=/evenements/{event.id}"
    assert f'href="{sign_in_page}"' in page
    assert use(client, link_from(client, smtp, sign_in_page)) == f"/evenements/{event.id}"
    assert f'action="/evenements/{event.id}/inscription"' in client.get(
        f"/evenements/{event.id}").text


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evenements", "/" + "x" * 400])
def test_a_next_elsewhere_is_ignored(app, client, smtp, target):
    make_member(email=ANNE)
    assert use(client, link_from(client, smtp, f"/connexion?next={quote(target)}")) == "/espace"


def test_without_next_the_link_opens_the_space(app, client, smtp):
    make_member(email=ANNE)
    assert use(client, link_from(client, smtp, "/connexion")) == "/espace"
    # A control character (a tab makes /<tab>/host a //host) is refused before the page.
    assert client.get("/connexion?next=/%09/evil.example").status_code == 400


@pytest.mark.parametrize("target, under, kept", [
    ("/ressources/3", "/", True), ("/evenements/4?page=2", "/", True),
    ("/admin/membres", "/admin", True), ("/rejoindre", "/admin", False),
    ("//evil.example", "/", False), ("/\\evil.example", "/", False),
    ("/\r\n/evil.example", "/", False), ("https://reseau.test/", "/", False),
    ("", "/", False), (None, "/", False)])
def test_same_site_path(target, under, kept):
    assert same_site_path(target, under) == (target if kept else None)
