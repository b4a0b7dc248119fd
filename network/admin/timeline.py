"""A person's whole story in one list: transitions, e-mails, notes and admin actions."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from network.admin.journal import ACTION_LABELS
from network.admin.models import AdminNote, AuditEntry
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.models import STATUS_LABELS, StatusChange


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "status", "email", "note", "action"
    title: str
    detail: str
    by: str
    link: str | None = None


def person_timeline(person_id: int) -> list[TimelineEntry]:
    """Newest first; four queries whatever the length of the story."""
    entries = [
        TimelineEntry(c.changed_at, "status",
                      f"{STATUS_LABELS.get(c.from_status, 'Nouveau contact')} → "
                      f"{STATUS_LABELS.get(c.to_status, c.to_status)}", c.reason, c.changed_by)
        for c in db.session.scalars(select(StatusChange).where(
            StatusChange.person_id == person_id))]
    entries += [
        TimelineEntry(m.sent_at or m.created_at, "email", f"E-mail : {m.subject}",
                      _email_state(m), "système", f"/admin/courriels/{m.id}")
        for m in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == person_id))]
    entries += [
        TimelineEntry(n.created_at, "note", "Note", n.text, n.author)
        for n in db.session.scalars(select(AdminNote).where(AdminNote.person_id == person_id))]
    entries += [
        TimelineEntry(a.at, "action", ACTION_LABELS.get(a.action, a.action), a.detail,
                      a.admin_email)
        for a in db.session.scalars(select(AuditEntry).where(
            AuditEntry.person_id == person_id, AuditEntry.action != "member.note"))]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


EMAIL_STATES = {"pending": "en attente d'envoi", "sending": "en cours d'envoi",
                "sent": "envoyé", "failed": "échec de l'envoi",
                "bounced": "non remis (retour du serveur du destinataire)"}

def _email_state(message: OutboxMessage) -> str:
    state = EMAIL_STATES.get(message.status, message.status)
    return f"{state} à {message.recipient}"
