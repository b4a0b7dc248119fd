"""The outbox and the audit log in the back-office."""

from datetime import timedelta

from sqlalchemy import select

from network.admin.models import AuditEntry
from network.admin.services import audit
from network.extensions import db
from network.mail.delivery import deliver_pending
from network.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import ADMIN_EMAIL
from tests.factories import NOW, make_member


def outbox_row(n: int, status=OutboxStatus.FAILED, html="<p>Bonjour</p>") -> OutboxMessage:
    message = OutboxMessage(dedup_key=f"test:{n}", template="test", recipient=f"p{n}@exemple.fr",
                            subject=f"Sujet {n}", body_text=f"Texte {n}", body_html=html,
                            status=status, attempts=8, last_error="550 No such user",
                            created_at=NOW, next_attempt_at=NOW)
    db.session.add(message)
    db.session.commit()
    return message


def test_list_filters_and_counts(admin_client):
    outbox_row(1)
    outbox_row(2, OutboxStatus.SENT)
    page = admin_client.get("/admin/courriels?statut=failed").text
    assert "p1@exemple.fr" in page and "p2@exemple.fr" not in page
    assert "En échec</a> : <strong>1</strong>" in page
    searched = admin_client.get("/admin/courriels?q=sujet+2").text
    assert "p2@exemple.fr" in searched and "p1@exemple.fr" not in searched


def test_the_message_as_sent_with_its_html_sandboxed(admin_client):
    message = outbox_row(1, html="<p>Bonjour</p><script>alert('x')</script>")
    page = admin_client.get(f"/admin/courriels/{message.id}").text
    assert "Texte 1" in page and "550 No such user" in page
    assert "<iframe" in page and " sandbox " in page
    assert "<script>alert" not in page
    # The HTML is a document of its own, framed by the page: no script of it may run there.
    with admin_client.get(f"/admin/courriels/{message.id}/html") as preview:
        assert preview.get_data(as_text=True) == message.body_html
        policy = preview.headers["Content-Security-Policy"]
        assert policy.startswith("sandbox; default-src 'none'") and "script-src" not in policy
    assert admin_client.get("/admin/courriels/9999").status_code == 404


def test_retry_one_failed_message_delivers_it_once(admin_client, smtp):
    message = outbox_row(1)
    admin_client.post(f"/admin/courriels/{message.id}/reessayer")
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    deliver_pending(NOW + timedelta(days=1))
    deliver_pending(NOW + timedelta(days=2))
    assert [m["To"] for m in smtp.messages] == ["p1@exemple.fr"]
    assert db.session.scalar(select(AuditEntry.action)) == "outbox.retry"


def test_retrying_a_sent_message_changes_nothing(admin_client):
    message = outbox_row(1, OutboxStatus.SENT)
    response = admin_client.post(f"/admin/courriels/{message.id}/reessayer",
                                 follow_redirects=True)
    assert "rien à réessayer" in response.text
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT


def test_retry_all_needs_confirmation(admin_client):
    for n in range(3):
        outbox_row(n)
    admin_client.post("/admin/courriels/reessayer-tout")
    assert db.session.scalar(select(OutboxMessage.status).limit(1)) == OutboxStatus.FAILED
    response = admin_client.post("/admin/courriels/reessayer-tout", data={"confirm": "y"},
                                 follow_redirects=True)
    assert "3 messages en échec repartent" in response.text
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.PENDING}
    assert db.session.scalar(select(AuditEntry.detail)) == "3 messages"


def journal_rows(client, query="") -> str:
    """The table of the journal page (the filter form lists every action too)."""
    return client.get(f"/admin/journal{query}").text.split("<tbody>")[1]


def test_journal_filters(admin_client):
    anne = make_member()
    audit(ADMIN_EMAIL, "member.exit", NOW, anne.id, "Retirée")
    audit("autre@gt-qvt.fr", "charter.publish", NOW - timedelta(days=10), detail="version 2")
    db.session.commit()
    everything = journal_rows(admin_client)
    assert "Sortie enregistrée" in everything and "Charte publiée" in everything
    assert f"/admin/membres/{anne.id}" in everything
    by_admin = journal_rows(admin_client, "?admin=autre@gt-qvt.fr")
    assert "Charte publiée" in by_admin and "Sortie enregistrée" not in by_admin
    recent = journal_rows(admin_client, f"?du={NOW.date().isoformat()}")
    assert "Sortie enregistrée" in recent and "Charte publiée" not in recent
    for_anne = journal_rows(admin_client, f"?personne={anne.id}&action=member.exit")
    assert "Retirée" in for_anne and "version 2" not in for_anne
    assert "Aucune action" in journal_rows(admin_client, "?du=pas-une-date&action=x")
