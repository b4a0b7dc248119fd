"""The outbox in the back-office: what was sent, what failed, and retrying it (once)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.admin.models import AuditEntry
from network.extensions import db
from network.mail.delivery import deliver_pending, retry_failed
from network.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import ADMIN_EMAIL
from tests.factories import NOW
from tests.support.queries import count_queries


def add_message(n: int, status=OutboxStatus.FAILED, created_at=NOW) -> OutboxMessage:
    """An outbox row made directly: a failed one needs no failing SMTP server."""
    failed = status == OutboxStatus.FAILED
    message = OutboxMessage(dedup_key=f"admin-test:{n}", template="test",
                            recipient=f"p{n}@exemple.fr", subject=f"Sujet {n}",
                            body_text=f"Texte {n}", body_html=f"<p>Texte {n}</p>", status=status,
                            attempts=8 if failed else 1,
                            last_error="550 No such user" if failed else None,
                            created_at=created_at, next_attempt_at=created_at,
                            sent_at=created_at if status == OutboxStatus.SENT else None)
    db.session.add(message)
    db.session.commit()
    return message


def table_of(html: str) -> str:
    """The rows of the list (the counts and the filter form above name every status too)."""
    return html.split("<tbody>")[1]


def test_the_list_is_newest_first_with_paris_time_and_counts(admin_client):
    add_message(1, OutboxStatus.SENT, created_at=NOW - timedelta(days=1))
    newest = add_message(2, created_at=NOW)  # 10:00 UTC is 11:00 in Paris in November
    page = admin_client.get("/admin/courriels").text
    rows = table_of(page)
    assert rows.index("p2@exemple.fr") < rows.index("p1@exemple.fr")
    assert "23 novembre 2026 à 11 h" in rows
    assert "Tous</a> : <strong>2</strong>" in page
    assert "Envoyé</a> : <strong>1</strong>" in page
    assert "Réessayer tous les envois en échec (1)" in page
    assert f'href="/admin/courriels/{newest.id}"' in rows


def test_search_takes_wildcards_literally(admin_client):
    add_message(1)
    add_message(2)
    assert "p1@exemple.fr" not in table_of(admin_client.get("/admin/courriels?q=%25").text)
    rows = table_of(admin_client.get("/admin/courriels?q=P1@EXEMPLE").text)
    assert "p1@exemple.fr" in rows and "p2@exemple.fr" not in rows


def test_an_unknown_message_is_a_french_404(admin_client):
    response = admin_client.get("/admin/courriels/999999")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_retry_one_is_audited_with_the_admin_and_the_recipient(admin_client):
    message = add_message(1)
    response = admin_client.post(f"/admin/courriels/{message.id}/reessayer",
                                 follow_redirects=True)
    assert "repart au prochain passage" in response.text
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.admin_email, entry.action, entry.detail) == (
        ADMIN_EMAIL, "outbox.retry", "p1@exemple.fr")
    db.session.refresh(message)
    # The last error stays visible until the next attempt replaces it.
    assert (message.status, message.attempts, message.last_error) == (
        OutboxStatus.PENDING, 0, "550 No such user")


def test_retry_all_puts_failed_rows_back_and_they_leave_once(admin_client, smtp):
    failed = [add_message(n) for n in range(3)]
    add_message(9, OutboxStatus.SENT)
    response = admin_client.post("/admin/courriels/reessayer-tout", data={"confirm": "y"})
    assert response.status_code == 302
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.admin_email, entry.action, entry.detail) == (
        ADMIN_EMAIL, "outbox.retry_all", "3 messages")
    report = deliver_pending(NOW + timedelta(days=1))
    deliver_pending(NOW + timedelta(days=2))
    assert report.sent == 3
    assert sorted(m["To"] for m in smtp.messages) == [m.recipient for m in failed]
    statuses = db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))
    assert list(statuses) == [OutboxStatus.SENT] * 4


def test_retry_all_with_nothing_failed_says_so_and_logs_nothing(admin_client):
    add_message(1, OutboxStatus.SENT)
    response = admin_client.post("/admin/courriels/reessayer-tout", data={"confirm": "y"},
                                 follow_redirects=True)
    assert "Aucun message en échec" in response.text
    assert db.session.scalar(select(AuditEntry)) is None


def test_retry_failed_touches_only_failed_messages(app):
    failed, sent = add_message(1), add_message(2, OutboxStatus.SENT)
    pending = add_message(3, OutboxStatus.PENDING)
    assert retry_failed([sent.id, pending.id], NOW) == 0
    assert retry_failed([failed.id, sent.id], NOW) == 1
    assert retry_failed([failed.id], NOW) == 0  # already back in the queue
    other = add_message(4)
    assert retry_failed(None, NOW) == 1
    db.session.commit()
    db.session.expire_all()
    assert (other.status, other.next_attempt_at) == (OutboxStatus.PENDING, NOW)
    assert sent.status == OutboxStatus.SENT


@pytest.mark.parametrize("method, url", [
    ("GET", "/admin/courriels"), ("GET", "/admin/courriels/1"),
    ("POST", "/admin/courriels/1/reessayer"), ("POST", "/admin/courriels/reessayer-tout")])
def test_anonymous_visitors_are_sent_to_sign_in(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/connexion")


def test_the_list_runs_the_same_number_of_queries_for_3_or_30_messages(admin_client):
    for n in range(3):
        add_message(n)
    few = count_queries(admin_client, "/admin/courriels")
    for n in range(3, 30):
        add_message(n, OutboxStatus.SENT if n % 2 else OutboxStatus.FAILED)
    assert count_queries(admin_client, "/admin/courriels") == few
    assert count_queries(admin_client, "/admin/courriels?statut=failed&q=exemple") == few
