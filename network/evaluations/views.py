"""The personal link of a questionnaire, and the library's « utile ? » question."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from network.evaluations import services, usefulness
from network.evaluations.forms import UsefulnessForm, answer_form
from network.extensions import db, utcnow
from network.members_space.views import current_member
from network.resources.models import Resource
from network.resources.services import can_see

bp = Blueprint("evaluations", __name__)

LINK_PAGES = {"invalid": ("evaluations/link_problem.html", 404),
              "expired": ("evaluations/expired.html", 410),
              "answered": ("evaluations/already_answered.html", 409)}


@bp.route("/evaluation/<token>", methods=["GET", "POST"])
def answer(token):
    """GET shows the questionnaire (mail scanners follow links: nothing changes); POST records
    the answers, once."""
    now = utcnow()
    try:
        invitation = services.invitation_for_token(token, now)
    except services.LinkRefused as refusal:
        return _refused(refusal)
    survey = invitation.survey
    questions = services.questions_of(survey)
    form = answer_form(questions)
    if form.validate_on_submit():
        if not services.record_answers(invitation, form.values(questions), now):
            db.session.rollback()
            return _refused(services.LinkRefused("answered", invitation))
        db.session.commit()
        return render_template("evaluations/thanks.html", survey=survey)
    return render_template("evaluations/answer.html", survey=survey, form=form,
                           questions=questions, expires_at=services.link_expires_at(invitation),
                           questionnaire=survey.questionnaire), 400 if form.errors else 200


def _refused(refusal: services.LinkRefused):
    template, status = LINK_PAGES[refusal.kind]
    if refusal.kind == "answered" and request.method == "GET":
        status = 200  # the link opened again: a page that says so, not an error
    survey = refusal.invitation.survey if refusal.invitation else None
    return render_template(template, survey=survey), status


@bp.post("/ressources/<int:resource_id>/utile")
def resource_useful(resource_id):
    """The answer to « Cette ressource vous a-t-elle été utile ? », counted once per session."""
    resource = db.get_or_404(Resource, resource_id)
    if not can_see(resource, current_member() is not None):
        abort(404)
    form = UsefulnessForm()
    # The page's question then says « Merci » (and a second answer changes nothing).
    if form.validate_on_submit() and (form.useful.data or form.not_useful.data) \
            and usefulness.vote(resource.id, bool(form.useful.data), utcnow()):
        db.session.commit()
    return redirect(url_for("resources.detail", resource_id=resource.id, _anchor="utile"))
