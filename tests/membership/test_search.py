"""The people search (back-office list, its exports, the directory): `%` and `_` are characters."""

import pytest

from network.extensions import db
from network.membership.search import PersonFilter, filtered_people
from tests.factories import make_member
from tests.members_space.test_space import signed_in


@pytest.fixture
def people(app):
    make_member(email="anne.martin@exemple.fr", organisation="Cabinet 100% QVT",
                directory_opt_in=True)
    make_member(email="paul_durand@exemple.fr", first_name="Paul", last_name="Durand",
                organisation="Carsat", directory_opt_in=True)
    make_member(email="claire.fabre@exemple.fr", first_name="Claire", last_name="Fabre",
                organisation="MSA Midi-Pyrénées", directory_opt_in=True)


def found(text: str) -> list[str]:
    query = filtered_people(PersonFilter(text=text), with_lists=False)
    return [person.last_name for person in db.session.scalars(query)]


@pytest.mark.parametrize(("text", "expected"), [
    ("%", ["Martin"]),
    ("100%", ["Martin"]),
    ("_", ["Durand"]),
    ("paul_", ["Durand"]),
    ("a_d", []),
    ("\\", []),
    ("%\\%", []),
    ("Durand", ["Durand"]),
])
def test_wildcards_are_plain_characters(people, text, expected):
    assert found(text) == expected


def test_the_admin_list_and_the_directory_take_them_literally(people, admin_client, client,
                                                              smtp):
    page = admin_client.get("/admin/membres?q=%25").text
    assert "Martin" in page and "Durand" not in page and "Fabre" not in page
    page = admin_client.get("/admin/membres?q=_").text
    assert "Durand" in page and "Martin" not in page and "Fabre" not in page

    signed_in(client, smtp)
    page = client.get("/espace/annuaire?q=_").text
    assert "Paul Durand" in page and "Claire Fabre" not in page
