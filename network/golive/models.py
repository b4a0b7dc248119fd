from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db

if TYPE_CHECKING:
    from network.membership.models import Person


class GoLiveInvitation(db.Model):
    """The message that tells an imported member the network has its own space: check your
    details, accept the charter if you have not yet. Its link has no deadline and drops no one."""

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           primary_key=True)
    # Changes when the link is answered: an answered link shows the member space's way in.
    nonce: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]

    person: Mapped["Person"] = relationship()
