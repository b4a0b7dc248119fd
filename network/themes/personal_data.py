"""What a call for themes holds about a person: their proposals and their votes, exported by
« Mes données » (network/members_space/export.py) and forgotten at the anonymisation."""

from datetime import datetime

from sqlalchemy import delete, select, update

from network.extensions import db
from network.membership.models import Person
from network.themes.models import ThemeProposal, ThemeRound, ThemeVote


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def proposals_of(person: Person) -> list[dict]:
    return [{"appel": theme_round.title, "titre": proposal.title,
             "description": proposal.description, "proposee_le": _when(proposal.created_at),
             "masquee_le": _when(proposal.hidden_at)}
            for proposal, theme_round in db.session.execute(
                select(ThemeProposal, ThemeRound).join(ThemeRound)
                .where(ThemeProposal.person_id == person.id)
                .order_by(ThemeProposal.created_at, ThemeProposal.id))]


def votes_of(person: Person) -> list[dict]:
    return [{"appel": theme_round.title, "theme": proposal.title, "le": _when(vote.created_at)}
            for vote, proposal, theme_round in db.session.execute(
                select(ThemeVote, ThemeProposal, ThemeRound)
                .join(ThemeProposal, ThemeVote.proposal_id == ThemeProposal.id)
                .join(ThemeRound, ThemeVote.round_id == ThemeRound.id)
                .where(ThemeVote.person_id == person.id)
                .order_by(ThemeVote.created_at, ThemeVote.id))]


def forget_people(ids: list[int]) -> None:
    """The anonymisation: the people's votes go, their proposals stay without their name (the
    text is the network's list of themes, not about them)."""
    db.session.execute(delete(ThemeVote).where(ThemeVote.person_id.in_(ids)))
    db.session.execute(update(ThemeProposal).where(ThemeProposal.person_id.in_(ids))
                       .values(person_id=None).execution_options(synchronize_session=False))
