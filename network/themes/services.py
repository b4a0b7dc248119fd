"""The rules of a call for workshop themes: one round open at a time, proposals and votes from
members while it is open, N votes each (changeable until it closes), a ranking after.

Each function takes `now`: a round is open from opens_at to closes_at (or until an admin closes
it), computed from the instant, so nothing has to run at the closing time.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from network.admin.services import audit
from network.extensions import db
from network.membership.models import Person, Status
from network.templating import french_date, plural
from network.textfold import unaccent_lower
from network.themes.models import ThemeProposal, ThemeRound, ThemeVote

# The seed: the 2021 workshops took « les 3 thèmes les plus plébiscités ».
DEFAULT_VOTES_PER_MEMBER = 3


class ThemeError(ValueError):
    """Why an action on a call for themes is refused, in French, for the page; `field` names the
    form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# --- Rounds ------------------------------------------------------------------------------------

def ends_at():
    """SQL: when a round stops (an admin's closing comes before the planned time)."""
    return func.coalesce(ThemeRound.closed_at, ThemeRound.closes_at)


def open_round(now: datetime) -> ThemeRound | None:
    """The round open at `now`, if any (there is at most one)."""
    return db.session.scalar(select(ThemeRound).where(
        ThemeRound.opens_at <= now, ends_at() > now).order_by(ThemeRound.opens_at))


def next_round(now: datetime) -> ThemeRound | None:
    """The round planned to open after `now`, the soonest."""
    return db.session.scalar(select(ThemeRound).where(
        ThemeRound.opens_at > now, ends_at() > ThemeRound.opens_at)
        .order_by(ThemeRound.opens_at))


def rounds_started(now: datetime) -> list[ThemeRound]:
    """The rounds members can see (open or over), the latest first."""
    return list(db.session.scalars(select(ThemeRound).where(
        ThemeRound.opens_at <= now, ends_at() > ThemeRound.opens_at)
        .order_by(ThemeRound.opens_at.desc(), ThemeRound.id.desc())))


def _check_period(round_id: int | None, opens_at: datetime, closes_at: datetime,
                  now: datetime) -> None:
    if closes_at <= opens_at:
        raise ThemeError("La clôture doit suivre l'ouverture.", "closes_at")
    if closes_at <= now:
        raise ThemeError("La clôture doit être à venir.", "closes_at")
    overlapping = db.session.scalar(select(ThemeRound).where(
        ThemeRound.opens_at < closes_at, ends_at() > opens_at,
        ThemeRound.id != (round_id or 0)).order_by(ThemeRound.opens_at))
    if overlapping is not None:
        # One round open at a time: members vote in one place.
        raise ThemeError(
            f"Un autre appel à thèmes, « {overlapping.title} », est ouvert pendant cette période "
            f"(du {french_date(overlapping.opens_at, with_time=True)} au "
            f"{french_date(overlapping.ends_at, with_time=True)}) : un seul appel à la fois.",
            "opens_at")


def create_round(title: str, introduction: str, votes_per_member: int, opens_at: datetime,
                 closes_at: datetime, by: str, now: datetime) -> ThemeRound:
    """An admin opens a call for themes (now or at a later opening time)."""
    _check_period(None, opens_at, closes_at, now)
    theme_round = ThemeRound(title=title.strip(), introduction=(introduction or "").strip(),
                             votes_per_member=votes_per_member, opens_at=opens_at,
                             closes_at=closes_at, created_at=now, created_by=by)
    db.session.add(theme_round)
    audit(by, "themes.open", now, detail=theme_round.title)
    return theme_round


def update_round(theme_round: ThemeRound, title: str, introduction: str, votes_per_member: int,
                 opens_at: datetime, closes_at: datetime, by: str, now: datetime) -> None:
    """An admin corrects a round that is not over (its texts, dates, number of votes)."""
    if theme_round.is_over(now):
        raise ThemeError("Cet appel à thèmes est clos : il ne se modifie plus.")
    _check_period(theme_round.id, opens_at, closes_at, now)
    highest = db.session.scalar(select(func.max(ThemeVote.slot)).where(
        ThemeVote.round_id == theme_round.id)) or 0
    if votes_per_member < highest:
        raise ThemeError(f"Des membres ont déjà donné {plural(highest, 'vote')} : le nombre de "
                         f"votes par membre ne peut plus descendre sous {highest}.",
                         "votes_per_member")
    theme_round.title, theme_round.introduction = title.strip(), (introduction or "").strip()
    theme_round.votes_per_member = votes_per_member
    theme_round.opens_at, theme_round.closes_at = opens_at, closes_at
    audit(by, "themes.edit", now, detail=theme_round.title)


def close_round(theme_round: ThemeRound, by: str, now: datetime) -> None:
    """An admin closes an open round before its closing time: votes stop now."""
    if theme_round.is_over(now):
        raise ThemeError("Cet appel à thèmes est déjà clos.")
    if not theme_round.is_open(now):
        raise ThemeError("Cet appel à thèmes n'est pas encore ouvert : modifiez plutôt ses "
                         "dates.")
    theme_round.closed_at = now
    audit(by, "themes.close", now, detail=theme_round.title)


# --- Proposals and votes -----------------------------------------------------------------------

def check_can_act(theme_round: ThemeRound, person: Person, now: datetime) -> None:
    """Refused (ThemeError) unless `person` is a member and the round is open."""
    if person.status != Status.MEMBER or person.anonymised_at is not None:
        raise ThemeError("Seuls les membres du réseau peuvent proposer des thèmes et voter.")
    if theme_round.is_over(now):
        raise ThemeError(f"L'appel à thèmes est clos depuis le "
                         f"{french_date(theme_round.ends_at, with_time=True)} : les propositions "
                         "et les votes ne sont plus modifiables.")
    if not theme_round.is_open(now):
        raise ThemeError(f"L'appel à thèmes s'ouvrira le "
                         f"{french_date(theme_round.opens_at, with_time=True)}.")


def proposals_left(theme_round: ThemeRound, person: Person) -> int:
    made = db.session.scalar(select(func.count()).select_from(ThemeProposal).where(
        ThemeProposal.round_id == theme_round.id, ThemeProposal.person_id == person.id))
    return max(0, current_app.config["THEME_PROPOSALS_PER_MEMBER"] - made)


def propose(theme_round: ThemeRound, person: Person, title: str, description: str,
            now: datetime) -> ThemeProposal:
    """A member proposes a workshop theme in an open round."""
    check_can_act(theme_round, person, now)
    if proposals_left(theme_round, person) == 0:
        limit = current_app.config["THEME_PROPOSALS_PER_MEMBER"]
        raise ThemeError(f"Vous avez déjà proposé {plural(limit, 'thème')} dans cet appel, "
                         "le maximum : votez pour ceux des autres membres.")
    title = " ".join(title.split())
    folded = unaccent_lower(title)
    for other in visible_proposals(theme_round):
        if unaccent_lower(other.title) == folded:
            raise ThemeError("Ce thème est déjà proposé : votez pour lui.", "title")
    proposal = ThemeProposal(round=theme_round, person_id=person.id, title=title,
                             description=(description or "").strip(), created_at=now)
    db.session.add(proposal)
    return proposal


def visible_proposals(theme_round: ThemeRound) -> list[ThemeProposal]:
    """The proposals members see (not hidden), in alphabetical order without accents: while the
    round is open no order favours a theme."""
    proposals = db.session.scalars(select(ThemeProposal).where(
        ThemeProposal.round_id == theme_round.id, ThemeProposal.hidden_at.is_(None))).all()
    return sorted(proposals, key=lambda p: (unaccent_lower(p.title), p.id))


def my_votes(theme_round: ThemeRound, person: Person) -> set[int]:
    """The proposals the member voted for in the round."""
    return set(db.session.scalars(select(ThemeVote.proposal_id).where(
        ThemeVote.round_id == theme_round.id, ThemeVote.person_id == person.id)))


def _voting(proposal: ThemeProposal, person: Person, now: datetime) -> ThemeRound:
    theme_round = proposal.round
    check_can_act(theme_round, person, now)
    if proposal.hidden_at is not None:
        raise ThemeError("Ce thème a été retiré par le GT QVT : il ne reçoit plus de votes.")
    return theme_round


def vote(proposal: ThemeProposal, person: Person, now: datetime) -> None:
    """A member gives one of their votes to a proposal (one per proposal, at most the round's
    number). Each vote takes a free slot of the member's, under a unique constraint: two votes
    sent at once never make one too many, and the one that loses the race is tried again."""
    theme_round = _voting(proposal, person, now)
    limit = theme_round.votes_per_member
    for _ in range(limit + 1):
        used = dict(db.session.execute(select(ThemeVote.slot, ThemeVote.proposal_id).where(
            ThemeVote.round_id == theme_round.id, ThemeVote.person_id == person.id)).all())
        if proposal.id in used.values():
            raise ThemeError("Vous avez déjà voté pour ce thème.")
        free = [slot for slot in range(1, limit + 1) if slot not in used]
        if not free:
            break
        try:
            with db.session.begin_nested():
                db.session.add(ThemeVote(round_id=theme_round.id, proposal_id=proposal.id,
                                         person_id=person.id, slot=free[0], created_at=now))
            return
        except IntegrityError:
            # Another vote of the member's was taken meanwhile (a double click, two tabs).
            continue
    raise ThemeError(f"Vous avez déjà donné vos {plural(limit, 'vote')} : retirez-en un pour "
                     "voter pour ce thème.")


def withdraw_vote(proposal: ThemeProposal, person: Person, now: datetime) -> None:
    """A member takes back their vote for a proposal, to give it to another."""
    theme_round = proposal.round
    check_can_act(theme_round, person, now)
    removed = db.session.execute(delete(ThemeVote).where(
        ThemeVote.proposal_id == proposal.id, ThemeVote.person_id == person.id)).rowcount
    if not removed:
        raise ThemeError("Vous n'aviez pas voté pour ce thème.")


# --- Ranking and moderation --------------------------------------------------------------------

@dataclass
class Ranked:
    rank: int
    proposal: ThemeProposal
    votes: int


def ranking(theme_round: ThemeRound) -> list[Ranked]:
    """The visible proposals, the most voted first (ties share a rank, the older first)."""
    count = func.count(ThemeVote.id)
    rows = db.session.execute(
        select(ThemeProposal, count).outerjoin(ThemeVote, ThemeVote.proposal_id
                                               == ThemeProposal.id)
        .where(ThemeProposal.round_id == theme_round.id, ThemeProposal.hidden_at.is_(None))
        .group_by(ThemeProposal.id)
        .order_by(count.desc(), ThemeProposal.created_at, ThemeProposal.id)).all()
    ranked, previous = [], None
    for position, (proposal, votes) in enumerate(rows, start=1):
        rank = ranked[-1].rank if previous == votes else position
        ranked.append(Ranked(rank, proposal, votes))
        previous = votes
    return ranked


def hidden_proposals(theme_round: ThemeRound) -> list[ThemeProposal]:
    return list(db.session.scalars(select(ThemeProposal).where(
        ThemeProposal.round_id == theme_round.id, ThemeProposal.hidden_at.is_not(None))
        .order_by(ThemeProposal.hidden_at)))


def hide_proposal(proposal: ThemeProposal, by: str, now: datetime) -> int:
    """Moderation: an admin hides an inappropriate proposal. Its votes go back to the members
    who gave them (to give elsewhere while the round is open). Returns how many."""
    if proposal.hidden_at is not None:
        raise ThemeError("Cette proposition est déjà masquée.")
    proposal.hidden_at = now
    released = db.session.execute(delete(ThemeVote).where(
        ThemeVote.proposal_id == proposal.id)).rowcount
    audit(by, "themes.hide", now, person_id=proposal.person_id,
          detail=f"{proposal.title} ({plural(released, 'vote')} rendu"
                 f"{'s' if released > 1 else ''})")
    return released


def show_proposal(proposal: ThemeProposal, by: str, now: datetime) -> None:
    """An admin puts a hidden proposal back (without the votes it lost)."""
    if proposal.hidden_at is None:
        raise ThemeError("Cette proposition n'est pas masquée.")
    proposal.hidden_at = None
    audit(by, "themes.show", now, person_id=proposal.person_id, detail=proposal.title)


def vote_counts(round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(proposals shown, votes) of each round, for the back-office's list."""
    proposals = dict(db.session.execute(
        select(ThemeProposal.round_id, func.count()).where(
            ThemeProposal.round_id.in_(round_ids), ThemeProposal.hidden_at.is_(None))
        .group_by(ThemeProposal.round_id)).all())
    votes = dict(db.session.execute(
        select(ThemeVote.round_id, func.count()).where(ThemeVote.round_id.in_(round_ids))
        .group_by(ThemeVote.round_id)).all())
    return {rid: (proposals.get(rid, 0), votes.get(rid, 0)) for rid in round_ids}

