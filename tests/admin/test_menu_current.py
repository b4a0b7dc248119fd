"""The back-office's menu keeps its current area marked on that area's detail pages."""

import re

import pytest

from tests.events.helpers import make_event
from tests.factories import make_member


def marked(page: str) -> dict[str, str]:
    """The menu's items marked current, with the value of their aria-current."""
    menu = page[page.index('aria-label="Administration"'):page.index("</nav>")]
    return {label: value for value, label in re.findall(
        r'aria-current="(\w+)">([^<]+)</a>', re.sub(r"\s+", " ", menu))}


@pytest.mark.parametrize("path, label", [
    ("/admin/", "Tableau de bord"), ("/admin/membres", "Membres"),
    ("/admin/evenements", "Événements")])
def test_an_area_s_own_page_is_the_current_page(admin_client, path, label):
    assert marked(admin_client.get(path).text) == {label: "page"}


def test_a_detail_page_keeps_its_area_marked(admin_client):
    person = make_member()
    event = make_event()
    assert marked(admin_client.get(f"/admin/membres/{person.id}").text) == {"Membres": "true"}
    assert marked(admin_client.get(f"/admin/evenements/{event.id}").text) == {
        "Événements": "true"}
    assert marked(admin_client.get("/admin/membres/import").text) == {"Membres": "true"}
