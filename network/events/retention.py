"""Guests of public events are kept a set time after the event, then erased."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from network.events.models import Event, Registration
from network.extensions import db
from network.mail.models import OutboxMessage


def purge_past_guests(now: datetime, batch_size: int = 500) -> int:
    """GUEST_RETENTION_DAYS after their event, erase a guest's name, address and organisation,
    and the e-mails sent to that address once none of its registrations is kept; the
    registration stays, anonymous, in the event's figures (places, attendance)."""
    cutoff = now - timedelta(days=current_app.config["GUEST_RETENTION_DAYS"])
    purged = 0
    while True:
        rows = db.session.execute(
            select(Registration.id, Registration.guest_email).join(Event)
            # A guest added at the door may have left no address, only a name.
            .where(Registration.person_id.is_(None),
                   or_(Registration.guest_email.is_not(None), Registration.guest_name.is_not(None),
                       Registration.guest_organisation.is_not(None)),
                   Event.ends_at < cutoff)
            .order_by(Registration.id).limit(batch_size)).all()
        if not rows:
            return purged
        db.session.execute(
            update(Registration).where(Registration.id.in_([row.id for row in rows]))
            .values(guest_name=None, guest_email=None, guest_organisation=None)
            .execution_options(synchronize_session=False))
        addresses = {row.guest_email for row in rows} - {None}
        still_kept = set(db.session.scalars(select(Registration.guest_email).where(
            Registration.guest_email.in_(addresses))))
        # A guest's e-mails have no person: they are the registration e-mails to that address.
        db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.person_id.is_(None),
            OutboxMessage.recipient.in_(addresses - still_kept),
            OutboxMessage.template.startswith("event_", autoescape=True)))
        db.session.commit()
        purged += len(rows)
