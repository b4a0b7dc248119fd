"""At the network's scale (10,000 members), the back-office pages keep a constant query count."""

import random

import pytest

from network.demo import generate_demo_members
from tests.factories import NOW
from tests.support.queries import count_queries


@pytest.fixture
def ten_thousand_members(app):
    generate_demo_members(10_000, NOW, random.Random(2019))


def test_members_list_queries_do_not_depend_on_page_size_or_page(admin_client,
                                                                 ten_thousand_members):
    counts = {count_queries(admin_client, f"/admin/membres?par_page={size}&page={page}")
              for size in (25, 200) for page in (2, 40)}
    counts.add(count_queries(admin_client, "/admin/membres?par_page=200&page=3&statut=member"
                                         "&departement=31&tri=adhesion&ordre=desc"))
    assert len(counts) == 1, counts


def test_dashboard_queries_are_the_same_empty_and_at_ten_thousand(admin_client):
    empty = count_queries(admin_client, "/admin/")
    generate_demo_members(10_000, NOW, random.Random(2019))
    assert count_queries(admin_client, "/admin/") == empty
