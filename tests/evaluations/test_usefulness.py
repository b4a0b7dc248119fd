"""« Cette ressource vous a-t-elle été utile ? »: on the resource's page below its download,
one answer per browser session, counted without anyone's name, shown in the back-office."""

import re

from sqlalchemy import func, select

from network.evaluations.models import ResourceUsefulness
from network.evaluations.results import usefulness_for_year, usefulness_of
from network.extensions import db
from tests.factories import make_member, member_session
from tests.resources.test_library import make_resource

QUESTION = "Cette ressource vous a-t-elle été utile ?"


def counts(resource) -> tuple[int, int]:
    figures = usefulness_of(resource.id)
    return figures.useful, figures.not_useful


def test_the_question_is_below_the_download_and_counts_one_answer_per_session(app, client):
    guide = make_resource("Guide de l'entretien QVT")
    page = client.get(f"/ressources/{guide.id}").text
    assert QUESTION in page
    assert page.index("Ouvrir la ressource") < page.index(QUESTION)
    response = client.post(f"/ressources/{guide.id}/utile", data={"useful": "Oui"})
    assert response.status_code == 302
    assert response.location == f"/ressources/{guide.id}#utile"
    assert counts(guide) == (1, 0)
    page = client.get(f"/ressources/{guide.id}").text
    assert "Merci : votre avis sur cette ressource est enregistré." in page
    assert f'action="/ressources/{guide.id}/utile"' not in page
    # The same browser again, even with the other answer: counted once.
    client.post(f"/ressources/{guide.id}/utile", data={"not_useful": "Non"})
    assert counts(guide) == (1, 0)
    # Another visitor, another session.
    app.test_client().post(f"/ressources/{guide.id}/utile", data={"not_useful": "Non"})
    app.test_client().post(f"/ressources/{guide.id}/utile", data={"useful": "Oui"})
    assert counts(guide) == (2, 1)
    # A session's answer for one resource leaves the others open.
    other = make_resource("Référentiel QVT")
    assert QUESTION in client.get(f"/ressources/{other.id}").text
    [row] = db.session.scalars(select(ResourceUsefulness).where(
        ResourceUsefulness.resource_id == guide.id)).all()
    assert row.month == "2026-11", "the month of the answer, Paris time"
    assert usefulness_for_year(2026).votes == 3 and usefulness_for_year(2025).votes == 0


def test_a_post_without_an_answer_counts_nothing(app, client):
    guide = make_resource("Guide")
    assert client.post(f"/ressources/{guide.id}/utile", data={}).status_code == 302
    assert counts(guide) == (0, 0)
    assert QUESTION in client.get(f"/ressources/{guide.id}").text


def test_only_what_the_visitor_may_see(app, client):
    members_only = make_resource("Synthèse réservée", visibility="membres")
    draft = make_resource("Brouillon", publish=False)
    for resource in (members_only, draft):
        assert client.post(f"/ressources/{resource.id}/utile",
                           data={"useful": "Oui"}).status_code == 404
    assert client.post("/ressources/2147483648/utile").status_code == 404
    with client.session_transaction() as session:
        member_session(session, make_member())
    assert client.post(f"/ressources/{members_only.id}/utile",
                       data={"useful": "Oui"}).status_code == 302
    assert counts(members_only) == (1, 0) and counts(draft) == (0, 0)


def test_the_form_carries_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        guide = make_resource("Guide")
        client = app.test_client()
        assert client.post(f"/ressources/{guide.id}/utile",
                           data={"useful": "Oui"}).status_code == 400
        page = client.get(f"/ressources/{guide.id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.split(QUESTION)[0]
                          .rsplit("<form", 1)[1]).group(1)
        assert client.post(f"/ressources/{guide.id}/utile",
                           data={"useful": "Oui", "csrf_token": token}).status_code == 302
        assert counts(guide) == (1, 0)


def test_the_back_office_shows_the_counts(admin_client):
    guide = make_resource("Guide")
    db.session.add(ResourceUsefulness(resource_id=guide.id, month="2026-10", useful=7,
                                      not_useful=1))
    db.session.add(ResourceUsefulness(resource_id=guide.id, month="2026-11", useful=2,
                                      not_useful=2))
    db.session.commit()
    page = re.sub(r"\s+", " ", admin_client.get(f"/admin/ressources/{guide.id}").text)
    assert "<strong>9 oui</strong>, <strong>3 non</strong> (75 % de oui)" in page
    assert db.session.scalar(select(func.count()).select_from(ResourceUsefulness)) == 2
