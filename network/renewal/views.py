from flask import Blueprint, g, redirect, render_template, url_for

from network.extensions import db, utcnow
from network.members_space.views import member_required
from network.membership.forms import JoinForm
from network.membership.lifecycle import MAY_REJOIN_AFTER, TransitionRefused
from network.membership.models import Status
from network.membership.services import LinkProblem
from network.renewal import services
from network.renewal.forms import RenewalForm

bp = Blueprint("renewal", __name__)


@bp.route("/renouvellement/<token>", methods=["GET", "POST"])
def form(token):
    try:
        request = services.request_for_token(token)
    except LinkProblem:
        return render_template("renewal/invalid.html"), 404
    return answer_page(request, lambda: url_for(".form", token=token, enregistre=1))


@bp.route("/espace/renouvellement", methods=["GET", "POST"])
@member_required
def in_space():
    request = services.current_request(g.member, utcnow())
    if request is None:
        return redirect(url_for("members_space.space"))
    def saved_url():
        # Who has just left can no longer open the space: their own link shows the answer,
        # and how to take it back before the deadline.
        if g.member.status == Status.MEMBER:
            return url_for("members_space.space")
        return url_for(".form", token=services.renewal_token(request.campaign, g.member),
                       enregistre=1)

    return answer_page(request, saved_url)


def answer_page(request, saved_url):
    """The renewal form of one request, from the e-mail's link or from the member space:
    shown, answered, or refused with the reason when the member can no longer answer."""
    now = utcnow()
    person = request.person
    if not services.may_answer(request, now):
        return closed_page(request)
    charter = services.charter_to_accept(person)
    form = RenewalForm(data=RenewalForm.initial_data(person, request),
                       charter_required=bool(charter), person=person)
    if form.validate_on_submit():
        try:
            services.answer(request, form, charter, now)
        except TransitionRefused:
            db.session.rollback()
            return closed_page(request)
        db.session.commit()
        return redirect(saved_url())
    return render_template("renewal/form.html", form=form, request=request, person=person,
                           charter=charter, deadline=services.deadline_of(request)), (
        400 if form.errors else 200)


def closed_page(request):
    """Too late, or no longer a member: say since when, and whether applying again is open."""
    person = request.person
    may_rejoin = person.status == Status.EXITED and person.exit_reason in MAY_REJOIN_AFTER
    join_form = JoinForm(data=JoinForm.initial_data(person), formdata=None)
    return render_template("renewal/closed.html", request=request, person=person,
                           form=join_form, may_rejoin=may_rejoin), 410
