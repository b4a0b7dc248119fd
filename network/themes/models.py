"""Calls for workshop themes: members propose themes and vote, the GT QVT turns the most voted
into workshops (the seed: the 2021 workshops took « les 3 thèmes les plus plébiscités »)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow

if TYPE_CHECKING:
    from network.events.models import Event
    from network.membership.models import Person


class ThemeRound(db.Model):
    """An « Appel à thèmes »: open from opens_at until closes_at, or until an admin closes it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    votes_per_member: Mapped[int] = mapped_column(default=3)
    opens_at: Mapped[datetime] = mapped_column(index=True)
    closes_at: Mapped[datetime]
    # Set when an admin closes the round before its closing time.
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))

    proposals: Mapped[list["ThemeProposal"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ThemeProposal.id")

    @property
    def ends_at(self) -> datetime:
        """When the round stops taking proposals and votes."""
        return min(self.closes_at, self.closed_at) if self.closed_at else self.closes_at

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.ends_at

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at


class ThemeProposal(db.Model):
    """A workshop theme a member proposed. At the anonymisation of its author the text stays,
    unlinked from them (person_id becomes NULL)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("theme_round.id", ondelete="CASCADE"),
                                          index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Hidden by an admin (moderation): out of the members' list and of the ranking.
    hidden_at: Mapped[datetime | None]
    # The workshop it became.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"),
                                                 index=True)

    round: Mapped[ThemeRound] = relationship(back_populates="proposals")
    person: Mapped["Person | None"] = relationship()
    event: Mapped["Event | None"] = relationship()


class ThemeVote(db.Model):
    """One of a member's votes in a round. Its slot (1 to the round's votes_per_member) makes
    the limit a unique constraint: two votes sent at once cannot both take the last one."""

    __table_args__ = (
        UniqueConstraint("proposal_id", "person_id", name="uq_theme_vote_proposal_id_person_id"),
        UniqueConstraint("round_id", "person_id", "slot",
                         name="uq_theme_vote_round_id_person_id_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("theme_round.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("theme_proposal.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    slot: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[ThemeProposal] = relationship()
