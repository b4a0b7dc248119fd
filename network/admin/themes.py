"""Calls for themes in the back-office: open and close a round, see the ranking with who
proposed what, hide a proposal, turn a theme into a workshop (the event form, prefilled)."""

from flask import flash, g, redirect, render_template, url_for
from sqlalchemy import func, select

from network.admin.journal import ACTION_LABELS
from network.admin.roles import ANIMATION, requires
from network.admin.views import bp
from network.extensions import db, utcnow
from network.templating import plural
from network.themes import services
from network.themes.forms import CloseRoundForm, RoundForm
from network.themes.models import ThemeProposal, ThemeRound, ThemeVote
from network.themes.services import ThemeError

# The journal's words for this area's actions (network/admin/journal.py shows them).
ACTION_LABELS.update({
    "themes.open": "Appel à thèmes ouvert",
    "themes.edit": "Appel à thèmes modifié",
    "themes.close": "Appel à thèmes clos",
    "themes.hide": "Proposition de thème masquée",
    "themes.show": "Proposition de thème rétablie",
    "themes.workshop": "Thème devenu un atelier",
})


@bp.get("/evenements/appels-a-themes")
@requires(ANIMATION)
def themes():
    rounds = db.session.scalars(select(ThemeRound).order_by(ThemeRound.opens_at.desc(),
                                                            ThemeRound.id.desc())).all()
    return render_template("admin/themes/list.html", rounds=rounds, now=utcnow(),
                           counts=services.vote_counts([r.id for r in rounds]))


@bp.route("/evenements/appels-a-themes/nouveau", methods=["GET", "POST"])
@bp.route("/evenements/appels-a-themes/<int:round_id>/modifier", methods=["GET", "POST"])
@requires(ANIMATION)
def themes_edit(round_id=None):
    theme_round = db.get_or_404(ThemeRound, round_id) if round_id else None
    now = utcnow()
    if theme_round is not None and theme_round.is_over(now):
        flash("Cet appel à thèmes est clos : il ne se modifie plus.", "warning")
        return redirect(url_for(".themes_round", round_id=theme_round.id))
    form = RoundForm(data=RoundForm.data_of(theme_round) if theme_round
                     else RoundForm.defaults(now))
    if form.validate_on_submit():
        values = (form.title.data, form.introduction.data, form.votes_per_member.data,
                  form.paris(form.opens_at), form.paris(form.closes_at), g.admin.email, now)
        try:
            if theme_round is None:
                theme_round = services.create_round(*values)
            else:
                services.update_round(theme_round, *values)
            db.session.commit()
        except ThemeError as refusal:
            db.session.rollback()
            field = form[refusal.field] if refusal.field else form.title
            field.errors = [*field.errors, refusal.message]
        else:
            flash("L'appel à thèmes est enregistré." + (
                " Il est ouvert : les membres le voient sur l'accueil et dans leur espace."
                if theme_round.is_open(now) else ""), "success")
            return redirect(url_for(".themes_round", round_id=theme_round.id))
    return render_template("admin/themes/edit.html", form=form, theme_round=theme_round), (
        400 if form.errors else 200)


@bp.get("/evenements/appels-a-themes/<int:round_id>")
@requires(ANIMATION)
def themes_round(round_id):
    theme_round = db.get_or_404(ThemeRound, round_id)
    voters = db.session.scalar(select(func.count(func.distinct(ThemeVote.person_id))).where(
        ThemeVote.round_id == theme_round.id))
    return render_template(
        "admin/themes/round.html", theme_round=theme_round, now=utcnow(), voters=voters,
        ranking=services.ranking(theme_round), hidden=services.hidden_proposals(theme_round),
        close_form=CloseRoundForm(formdata=None))


@bp.post("/evenements/appels-a-themes/<int:round_id>/clore")
@requires(ANIMATION)
def themes_close(round_id):
    theme_round = db.get_or_404(ThemeRound, round_id)
    if not CloseRoundForm().validate_on_submit():
        flash("Cochez la case pour confirmer la clôture.", "danger")
        return redirect(url_for(".themes_round", round_id=theme_round.id))
    try:
        services.close_round(theme_round, g.admin.email, utcnow())
        db.session.commit()
    except ThemeError as refusal:
        db.session.rollback()
        flash(refusal.message, "warning")
    else:
        flash("L'appel à thèmes est clos : les votes sont arrêtés et les membres voient le "
              "classement.", "success")
    return redirect(url_for(".themes_round", round_id=theme_round.id))


@bp.post("/evenements/appels-a-themes/propositions/<int:proposal_id>/masquer")
@requires(ANIMATION)
def themes_hide(proposal_id):
    proposal = db.get_or_404(ThemeProposal, proposal_id)
    try:
        released = services.hide_proposal(proposal, g.admin.email, utcnow())
        db.session.commit()
    except ThemeError as refusal:
        db.session.rollback()
        flash(refusal.message, "warning")
    else:
        flash(f"La proposition « {proposal.title} » est masquée aux membres"
              + (f" ; {plural(released, 'vote')} rendu{'s' if released > 1 else ''} à "
                 "leurs auteurs." if released else "."), "success")
    return redirect(url_for(".themes_round", round_id=proposal.round_id))


@bp.post("/evenements/appels-a-themes/propositions/<int:proposal_id>/retablir")
@requires(ANIMATION)
def themes_show(proposal_id):
    proposal = db.get_or_404(ThemeProposal, proposal_id)
    try:
        services.show_proposal(proposal, g.admin.email, utcnow())
        db.session.commit()
    except ThemeError as refusal:
        db.session.rollback()
        flash(refusal.message, "warning")
    else:
        flash(f"La proposition « {proposal.title} » est de nouveau visible.", "success")
    return redirect(url_for(".themes_round", round_id=proposal.round_id))
