import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow


class RenewalCampaign(db.Model):
    """One per year: the unique year makes opening it twice impossible."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    opens_at: Mapped[datetime]
    deadline: Mapped[datetime]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once every member of the opening has a request (and their form is queued).
    requests_complete_at: Mapped[datetime | None]
    # When the admins received the list of members who had not answered, a week before the end.
    review_sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    RENEWED = "renewed"
    LEFT = "left"
    DROPPED = "dropped"
    # Joined too recently to be asked: counts as renewed for the year.
    EXEMPT = "exempt"
    # Left the network during the campaign by another path (member space, leave link, admin).
    CLOSED = "closed"
    # No answer at the deadline, but the form never reached them: an admin decides.
    UNREACHED = "unreached"


class RenewalRequest(db.Model):
    """A member's renewal for one campaign: their answer, their reminders."""

    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("renewal_campaign.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_opened_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(254))
    # The smallest "days before the deadline" reminder queued so far.
    last_reminder_days: Mapped[int | None]
    last_reminder_at: Mapped[datetime | None]
    # A personal deadline, when an admin sent the form again after the campaign's.
    deadline: Mapped[datetime | None]

    campaign: Mapped[RenewalCampaign] = relationship()
    person = relationship("Person")
