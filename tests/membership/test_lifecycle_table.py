"""The lifecycle's table: who may move whom from where to where, and a refused move changes
nothing, whatever the path that tries it."""

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.membership.lifecycle import (
    BY_THE_PERSON,
    BY_THE_SYSTEM,
    TRANSITIONS,
    TransitionRefused,
    may,
    move,
)
from network.membership.models import ExitReason, Person, Status, StatusChange
from tests.factories import NOW, make_member

ADMIN = "admin@gt-qvt.fr"

# (move, status before, exit reason before, who) -> allowed: the whole life on one screen.
EXPECTED = {
    ("accept_charter", Status.APPLICANT, None, BY_THE_PERSON): True,
    ("accept_charter", Status.APPLICANT, None, ADMIN): False,
    ("renew", Status.MEMBER, None, BY_THE_PERSON): True,
    ("renew", Status.MEMBER, None, ADMIN): True,
    ("renew", Status.EXITED, ExitReason.VOLUNTARY, BY_THE_PERSON): False,
    ("leave", Status.MEMBER, None, BY_THE_PERSON): True,
    ("leave", Status.MEMBER, None, BY_THE_SYSTEM): False,
    ("drop", Status.MEMBER, None, BY_THE_SYSTEM): True,
    ("drop", Status.MEMBER, None, BY_THE_PERSON): False,
    ("remove", Status.MEMBER, None, ADMIN): True,
    ("remove", Status.MEMBER, None, BY_THE_PERSON): False,
    ("rejoin", Status.EXITED, ExitReason.VOLUNTARY, BY_THE_PERSON): True,
    ("rejoin", Status.EXITED, ExitReason.DECLINED_RENEWAL, BY_THE_PERSON): True,
    ("rejoin", Status.EXITED, ExitReason.NO_RENEWAL_ANSWER, BY_THE_PERSON): True,
    ("rejoin", Status.EXITED, ExitReason.REMOVED_BY_ADMIN, BY_THE_PERSON): False,
    ("change_mind", Status.EXITED, ExitReason.DECLINED_RENEWAL, BY_THE_PERSON): True,
    ("change_mind", Status.EXITED, ExitReason.VOLUNTARY, BY_THE_PERSON): False,
    ("change_mind", Status.EXITED, ExitReason.REMOVED_BY_ADMIN, BY_THE_PERSON): False,
    ("readmit", Status.EXITED, ExitReason.REMOVED_BY_ADMIN, ADMIN): True,
    ("readmit", Status.EXITED, ExitReason.VOLUNTARY, BY_THE_PERSON): False,
    ("readmit", Status.MEMBER, None, ADMIN): False,
    ("expire", Status.APPLICANT, None, BY_THE_SYSTEM): True,
    ("expire", Status.MEMBER, None, BY_THE_SYSTEM): False,
    # The admission review (ADMISSION_REVIEW): the charter leads to a wait, an admin decides.
    ("accept_charter_for_review", Status.APPLICANT, None, BY_THE_PERSON): True,
    ("accept_charter_for_review", Status.APPLICANT, None, ADMIN): False,
    ("rejoin_for_review", Status.EXITED, ExitReason.VOLUNTARY, BY_THE_PERSON): True,
    ("rejoin_for_review", Status.EXITED, ExitReason.REMOVED_BY_ADMIN, BY_THE_PERSON): False,
    ("rejoin_for_review", Status.EXITED, ExitReason.APPLICATION_REFUSED, BY_THE_PERSON): False,
    ("rejoin", Status.EXITED, ExitReason.APPLICATION_REFUSED, BY_THE_PERSON): False,
    ("admit", Status.AWAITING_REVIEW, None, ADMIN): True,
    ("admit", Status.AWAITING_REVIEW, None, BY_THE_PERSON): False,
    ("admit", Status.APPLICANT, None, ADMIN): False,
    ("refuse", Status.AWAITING_REVIEW, None, ADMIN): True,
    ("refuse", Status.AWAITING_REVIEW, None, BY_THE_SYSTEM): False,
    ("refuse", Status.MEMBER, None, ADMIN): False,
    ("readmit", Status.EXITED, ExitReason.APPLICATION_REFUSED, ADMIN): True,
    ("withdraw", Status.AWAITING_REVIEW, None, BY_THE_PERSON): True,
    ("remove", Status.AWAITING_REVIEW, None, ADMIN): True,
    # Waiting people wait on the admins: they do not expire.
    ("expire", Status.AWAITING_REVIEW, None, BY_THE_SYSTEM): False,
    # People the GT QVT enters itself: the import of its files, a request received by e-mail.
    ("import", None, None, ADMIN): True,
    ("import", None, None, BY_THE_PERSON): False,
    ("enter_by_email", None, None, ADMIN): True,
    ("enter_by_email", None, None, BY_THE_PERSON): False,
}


@pytest.mark.parametrize(("name", "status", "reason", "by"), list(EXPECTED),
                         ids=lambda value: str(value))
def test_who_may_make_each_move(name, status, reason, by):
    person = Person(status=status, exit_reason=reason)
    assert may(person, name, by) is EXPECTED[(name, status, reason, by)]


def test_every_move_is_in_the_table_of_expectations():
    assert {name for name, *_ in EXPECTED} | {"apply", "decline_renewal", "withdraw"} == set(
        TRANSITIONS)


def test_a_refused_move_changes_nothing_and_says_why_in_french(app):
    anne = make_member(email="anne@exemple.fr")
    move(anne, "remove", by=ADMIN, why="Manquement à la charte", now=NOW)
    db.session.commit()
    history = db.session.scalar(select(func.count()).select_from(StatusChange))
    with pytest.raises(TransitionRefused, match="seul un administrateur"):
        move(anne, "rejoin", by=BY_THE_PERSON, why="", now=NOW)
    assert (anne.status, anne.exit_reason) == (Status.EXITED, ExitReason.REMOVED_BY_ADMIN)
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == history


def test_a_refused_move_from_any_page_is_a_french_page_and_saves_nothing(make_app):
    app = make_app()

    def rejoin(person_id):
        person = db.session.get(Person, person_id)
        person.phone = "01 02 03 04 05"
        move(person, "rejoin", by=BY_THE_PERSON, why="", now=NOW)
        db.session.commit()
        return "ok"

    app.add_url_rule("/test/rejoin/<int:person_id>", view_func=rejoin, methods=["POST"])
    with app.app_context():
        anne = make_member(email="anne@exemple.fr")
        move(anne, "remove", by=ADMIN, why="Manquement à la charte", now=NOW)
        db.session.commit()
        response = app.test_client().post(f"/test/rejoin/{anne.id}")
        assert response.status_code == 409
        assert "seul un administrateur peut vous y réintégrer" in response.text
        db.session.expire_all()
        assert (anne.status, anne.phone) == (Status.EXITED, None)
