"""Retention as the privacy notice promises it: what is said about a person goes with them."""

from datetime import timedelta

from sqlalchemy import or_, select

from network.extensions import db
from network.mail.models import OutboxMessage, OutboxStatus
from network.mail.retention import purge_old_mail_to_non_members
from network.membership.services import leave_network
from network.scheduler.tick import run_tick
from tests.factories import NOW, make_member


def mail_mentioning(*words: str) -> list[OutboxMessage]:
    columns = (OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text,
               OutboxMessage.body_html)
    return db.session.scalars(select(OutboxMessage).where(or_(*(
        column.contains(word) for column in columns for word in words)))).all()


def test_the_admins_notifications_about_a_person_are_anonymised_with_them(app):
    leaver = make_member(NOW, email="part@exemple.fr", first_name="Paulette",
                         last_name="Départ")
    leave_network(leaver, NOW)
    db.session.commit()
    to_admins = [m.template for m in mail_mentioning("Départ")
                 if m.recipient == "gt-qvt@exemple.fr"]
    assert sorted(to_admins) == ["admin_member_left", "admin_new_member"]

    assert run_tick(NOW + timedelta(days=361)).anonymised == 1
    assert mail_mentioning("Départ", "Paulette", "part@exemple.fr") == []


def test_notifications_about_several_people_are_kept_for_the_retention_period(app):
    months = app.config["RETENTION_MONTHS"]

    def review(key: str, written) -> None:
        db.session.add(OutboxMessage(
            dedup_key=key, recipient="gt-qvt@exemple.fr", template="admin_renewal_review",
            subject="Renouvellement : 2 membres sans réponse", body_text="Martin Anne …",
            body_html="<p>Martin Anne …</p>", status=OutboxStatus.SENT, created_at=written,
            next_attempt_at=written, sent_at=written))

    review("renewal-review:2025", NOW - timedelta(days=30 * months + 1))
    review("renewal-review:2026", NOW - timedelta(days=30 * months - 1))
    db.session.commit()
    assert purge_old_mail_to_non_members(NOW) == 1
    assert db.session.scalars(select(OutboxMessage.dedup_key)).all() == ["renewal-review:2026"]
