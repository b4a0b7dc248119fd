"""From a theme to a workshop: « Créer l'atelier » opens the event form filled from the proposal;
the event exists once the admin saves it, and the proposal then links to it."""

from datetime import datetime

from sqlalchemy import update

from network.admin.services import audit
from network.events.models import Event, EventKind
from network.extensions import db
from network.inputs import database_int
from network.themes.models import ThemeProposal


def proposal_for_workshop(value: str | None) -> ThemeProposal | None:
    """The proposal named by `?theme=` of the event form, unless hidden (one that already became
    a workshop too: the form then leads to that workshop)."""
    number = database_int(value or "")
    proposal = db.session.get(ThemeProposal, number) if number else None
    return proposal if proposal is not None and proposal.hidden_at is None else None


def workshop_prefill(proposal: ThemeProposal) -> dict:
    """The event form's fields, filled from the proposal: a thematic workshop, its title, its
    description, and a theme (the title up to a comma, as the themes are separated by commas)."""
    return {"kind": EventKind.WORKSHOP.value, "title": proposal.title[:200],
            "description": proposal.description,
            "themes": proposal.title.split(",")[0].strip()[:80]}


def link_workshop(proposal: ThemeProposal, event: Event, by: str, now: datetime) -> bool:
    """The proposal became the workshop `event`, saved by an admin. False when another admin
    linked it first (the event stays, without the link)."""
    linked = db.session.execute(update(ThemeProposal).where(
        ThemeProposal.id == proposal.id, ThemeProposal.event_id.is_(None))
        .values(event_id=event.id).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(proposal)
    if linked:
        audit(by, "themes.workshop", now, detail=f"{proposal.title} → {event.title}")
    return bool(linked)
