"""At the network's scale (10,000 members), the back-office pages keep a constant query count."""

import random

import pytest
from sqlalchemy import event

from network.demo import generate_demo_members
from network.extensions import db
from tests.factories import NOW


@pytest.fixture
def ten_thousand_members(app):
    generate_demo_members(10_000, NOW, random.Random(2019))


def queries_for(client, url) -> int:
    statements = []

    def record(*args):
        statements.append(args[2])

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
        assert response.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_members_list_queries_do_not_depend_on_page_size_or_page(admin_client,
                                                                 ten_thousand_members):
    counts = {queries_for(admin_client, f"/admin/membres?par_page={size}&page={page}")
              for size in (25, 200) for page in (2, 40)}
    counts.add(queries_for(admin_client, "/admin/membres?par_page=200&page=3&statut=member"
                                         "&departement=31&tri=adhesion&ordre=desc"))
    assert len(counts) == 1, counts


def test_dashboard_queries_are_the_same_empty_and_at_ten_thousand(admin_client):
    empty = queries_for(admin_client, "/admin/")
    generate_demo_members(10_000, NOW, random.Random(2019))
    assert queries_for(admin_client, "/admin/") == empty
