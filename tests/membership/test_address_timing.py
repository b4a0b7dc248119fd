"""The forms that take an e-mail address answer in the same time whoever it belongs to.

A stranger who types an address on /connexion, /rejoindre or /charte/nouveau-lien must not learn
from the response time whether it is a member's or an applicant's (the pages already say the same
words): each does the same work whatever the address.
"""

import itertools
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.models import Person, StatusChange
from tests.factories import NOW, join_form, make_applicant, make_member

ROUNDS = 25
# Medians of known and unknown addresses may differ by this much (noise), not more.
MARGIN_MS, MARGIN_SHARE = 3.0, 0.30

MEMBER, APPLICANT = "membre@exemple.fr", "candidat@exemple.fr"
FORMS = {
    "/connexion": lambda address: {"email": address},
    "/rejoindre": lambda address: join_form(email=address),
    "/charte/nouveau-lien": lambda address: {"email": address},
}
unknown_addresses = (f"inconnu{n}@exemple.fr" for n in itertools.count())


@pytest.fixture
def timed_client(make_app):
    # The real clock: the e-mail keys of repeated requests differ, as they would in production.
    app = make_app(FROZEN_NOW=None)
    with app.app_context():
        make_member(NOW - timedelta(days=100), email=MEMBER)
        make_applicant(NOW - timedelta(days=1), email=APPLICANT)
        yield app.test_client()


def response_ms(client, path: str, address: str) -> float:
    started = time.perf_counter()
    response = client.post(path, data=FORMS[path](address))
    took = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 302), response.text
    return took


def medians(client, path: str, known: str) -> tuple[float, float]:
    """Medians of interleaved requests for a known address and for new unknown ones."""
    for _ in range(3):  # warm-up: templates compiled, connections opened
        response_ms(client, path, known)
        response_ms(client, path, next(unknown_addresses))
    known_ms, unknown_ms = [], []
    for _ in range(ROUNDS):
        known_ms.append(response_ms(client, path, known))
        unknown_ms.append(response_ms(client, path, next(unknown_addresses)))
    return statistics.median(known_ms), statistics.median(unknown_ms)


@pytest.mark.parametrize("path, known", [
    ("/connexion", MEMBER), ("/connexion", APPLICANT),
    ("/rejoindre", MEMBER), ("/rejoindre", APPLICANT),
    ("/charte/nouveau-lien", APPLICANT), ("/charte/nouveau-lien", MEMBER),
])
def test_a_known_address_takes_as_long_as_an_unknown_one(timed_client, path, known):
    measures = []
    # A machine busy elsewhere may blur one measure; a real difference shows every time.
    for _ in range(3):
        known_ms, unknown_ms = medians(timed_client, path, known)
        measures.append(f"known {known_ms:.1f} ms, unknown {unknown_ms:.1f} ms")
        if abs(known_ms - unknown_ms) <= max(MARGIN_MS, MARGIN_SHARE * min(known_ms, unknown_ms)):
            return
    pytest.fail(f"{path} tells {known} from strangers: " + "; ".join(measures))


def test_the_work_done_for_nobody_leaves_nothing_behind(app, client):
    make_member(NOW - timedelta(days=100), email=MEMBER)
    make_applicant(NOW - timedelta(days=1), email=APPLICANT)
    before = {model: count(model) for model in (Person, StatusChange, OutboxMessage)}

    client.post("/connexion", data=FORMS["/connexion"]("personne@exemple.fr"))
    client.post("/connexion", data=FORMS["/connexion"](APPLICANT))
    client.post("/charte/nouveau-lien", data=FORMS["/charte/nouveau-lien"]("personne@exemple.fr"))
    client.post("/charte/nouveau-lien", data=FORMS["/charte/nouveau-lien"](MEMBER))
    client.post("/rejoindre", data=join_form(email=MEMBER, first_name="Usurpé"))

    assert count(Person) == before[Person] and count(StatusChange) == before[StatusChange]
    assert count(OutboxMessage) == before[OutboxMessage] + 1, "only the member's note"
    assert db.session.scalar(select(OutboxMessage.template).order_by(
        OutboxMessage.id.desc()).limit(1)) == "already_member"
    member, applicant = (db.session.scalar(select(Person).where(Person.email == address))
                         for address in (MEMBER, APPLICANT))
    assert member.first_name == "Anne" and member.pending_application is None
    assert applicant.sign_in_nonce is None


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
