"""The members' side of a call for themes, in the member space: /espace/themes."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from network.extensions import db, utcnow
from network.members_space.views import member_required
from network.templating import plural
from network.themes import services
from network.themes.forms import ProposalForm
from network.themes.models import ThemeProposal, ThemeRound
from network.themes.services import ThemeError

bp = Blueprint("themes", __name__)


def _shown_round(now) -> ThemeRound | None:
    """The round /espace/themes shows: the open one, else the latest one over."""
    return services.open_round(now) or next(iter(services.rounds_started(now)), None)


@bp.get("/espace/themes")
@member_required
def space():
    now = utcnow()
    return _page(_shown_round(now), ProposalForm(formdata=None))


@bp.get("/espace/themes/<int:round_id>")
@member_required
def space_round(round_id):
    theme_round = db.get_or_404(ThemeRound, round_id)
    if theme_round.opens_at > utcnow():
        abort(404)
    return _page(theme_round, ProposalForm(formdata=None))


def _page(theme_round: ThemeRound | None, form: ProposalForm, status: int = 200):
    now, person = utcnow(), g.member
    context = {"theme_round": theme_round, "form": form, "now": now,
               "next_round": services.next_round(now),
               "earlier": [r for r in services.rounds_started(now) if r is not theme_round]}
    if theme_round is not None:
        is_open = theme_round.is_open(now)
        mine = services.my_votes(theme_round, person)
        context.update(
            is_open=is_open, my_votes=mine, votes_left=theme_round.votes_per_member - len(mine),
            proposals=services.visible_proposals(theme_round) if is_open else None,
            ranking=None if is_open else services.ranking(theme_round),
            proposals_left=services.proposals_left(theme_round, person),
            my_hidden=[p for p in services.hidden_proposals(theme_round)
                       if p.person_id == person.id])
    return render_template("themes/space.html", **context), status


def _back_to(theme_round: ThemeRound, anchor: str | None = None):
    now = utcnow()
    shown = _shown_round(now)
    # A round not open yet has no page of its own: the space's page says when it opens.
    target = (url_for(".space") if theme_round.opens_at > now
              or shown is not None and shown.id == theme_round.id
              else url_for(".space_round", round_id=theme_round.id))
    return redirect(target + (f"#{anchor}" if anchor else ""))


@bp.post("/espace/themes/<int:round_id>/proposer")
@member_required
def propose(round_id):
    theme_round = db.get_or_404(ThemeRound, round_id)
    form = ProposalForm()
    try:
        services.check_can_act(theme_round, g.member, utcnow())
    except ThemeError as refusal:
        flash(refusal.message, "warning")
        return _back_to(theme_round)
    if form.validate_on_submit():
        try:
            proposal = services.propose(theme_round, g.member, form.title.data,
                                        form.description.data, utcnow())
            db.session.commit()
        except ThemeError as refusal:
            db.session.rollback()
            if refusal.field is None:
                flash(refusal.message, "warning")
                return _back_to(theme_round)
            form[refusal.field].errors = [*form[refusal.field].errors, refusal.message]
        else:
            flash(f"Votre proposition « {proposal.title} » est enregistrée : les membres "
                  "peuvent voter pour elle.", "success")
            return _back_to(theme_round, f"theme-{proposal.id}")
    return _page(theme_round, form, 400)


@bp.post("/espace/themes/propositions/<int:proposal_id>/voter")
@member_required
def vote(proposal_id):
    return _on_vote(proposal_id, services.vote, "est enregistré")


@bp.post("/espace/themes/propositions/<int:proposal_id>/retirer-mon-vote")
@member_required
def withdraw(proposal_id):
    return _on_vote(proposal_id, services.withdraw_vote, "est retiré")


def _on_vote(proposal_id: int, change, done: str):
    """Give or withdraw the member's vote for a proposal, and say what became of it."""
    proposal = db.get_or_404(ThemeProposal, proposal_id)
    try:
        change(proposal, g.member, utcnow())
        db.session.commit()
    except ThemeError as refusal:
        db.session.rollback()
        flash(refusal.message, "warning")
    else:
        flash(f"Votre vote pour « {proposal.title} » {done}. {_left(proposal)}", "success")
    return _back_to(proposal.round, f"theme-{proposal.id}")


def _left(proposal: ThemeProposal) -> str:
    theme_round = proposal.round
    left = theme_round.votes_per_member - len(services.my_votes(theme_round, g.member))
    if left == 0:
        return "Vous avez donné tous vos votes."
    return f"Il vous reste {plural(left, 'vote')} sur {theme_round.votes_per_member}."


@bp.app_template_global()
def open_theme_round() -> ThemeRound | None:
    """The open call for themes, for the home page and the member space's (a query only where
    a template asks)."""
    return services.open_round(utcnow())
