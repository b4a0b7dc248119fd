"""Calls for themes for the tests: a round open at the instant the pages see (FROZEN_NOW)."""

from datetime import timedelta

from network.extensions import db
from network.themes import services
from network.themes.models import ThemeRound
from tests.conftest import ADMIN_EMAIL, FROZEN_NOW
from tests.factories import make_member, member_session

NOW = FROZEN_NOW
OPENS = NOW - timedelta(days=2)
CLOSES = NOW + timedelta(days=14)
TITLE = "Appel à thèmes des ateliers 2027"


def make_round(opens=OPENS, closes=CLOSES, votes: int = 3, title: str = TITLE,
               introduction: str = "") -> ThemeRound:
    theme_round = services.create_round(title, introduction, votes, opens, closes, ADMIN_EMAIL,
                                        min(NOW, opens))
    db.session.commit()
    return theme_round


def member(first_name: str, last_name: str = "Martin"):
    return make_member(NOW - timedelta(days=100), first_name=first_name, last_name=last_name,
                       email=f"{first_name.lower()}.{last_name.lower()}@exemple.fr")


def propose(theme_round, person, title: str, description: str = "Pour en parler ensemble."):
    proposal = services.propose(theme_round, person, title, description, NOW)
    db.session.commit()
    return proposal


def vote(proposal, person):
    services.vote(proposal, person, NOW)
    db.session.commit()


def signed_in_as(app, person):
    client = app.test_client()
    with client.session_transaction() as session:
        member_session(session, person)
    return client
