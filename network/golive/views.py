"""The personal link of the go-live invitation: /bienvenue/<token>."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from network.extensions import db, utcnow
from network.golive import services
from network.golive.forms import WelcomeForm
from network.golive.models import GoLiveInvitation
from network.membership.lifecycle import MAY_REJOIN_AFTER
from network.membership.models import Status
from network.membership.services import LinkProblem
from network.renewal.services import charter_to_accept

bp = Blueprint("golive", __name__)


@bp.route("/bienvenue/<token>", methods=["GET", "POST"])
def welcome(token):
    # Opening the link changes nothing (mail scanners follow links): only the form's POST saves.
    try:
        invitation = services.invitation_for_token(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    person = invitation.person
    charter = charter_to_accept(person)
    form = WelcomeForm(data=WelcomeForm.initial_data(person), charter_required=bool(charter),
                       person=person)
    if form.validate_on_submit():
        try:
            sent = services.answer(invitation, form.contact_details(), form.accept_charter.data,
                                   utcnow(), privacy_consent=form.privacy_consent_given)
        except LinkProblem as problem:
            db.session.rollback()
            return _link_problem(problem)
        except ValueError:
            # A charter version published while the page was being sent: show it, to accept.
            db.session.rollback()
            charter = charter_to_accept(person)
            form.accept_charter.errors = ["Cochez la case pour accepter la charte."]
            return render_template("golive/welcome.html", form=form, person=person,
                                   charter=charter), 400
        db.session.commit()
        if sent:
            flash(f"Un lien de confirmation a été envoyé à {person.pending_email} : votre "
                  "nouvelle adresse sera utilisée dès que vous l'aurez confirmée.", "info")
        return redirect(url_for(".welcome", token=token, enregistre=1))
    return render_template("golive/welcome.html", form=form, person=person, charter=charter), (
        400 if form.errors else 200)


def _link_problem(problem: LinkProblem):
    person = problem.person
    if problem.kind == "used":
        # Right after the answer: thanks; any later opening: already done. Both lead to the
        # member space's sign-in.
        just_answered = request.args.get("enregistre") == "1"
        answered_at = db.session.get(GoLiveInvitation, person.id).answered_at
        return render_template("golive/answered.html", answered_at=answered_at,
                               just_answered=just_answered), 200 if just_answered else 410
    if problem.kind == "left":
        may_rejoin = person.status == Status.EXITED and person.exit_reason in MAY_REJOIN_AFTER
        return render_template("golive/left.html", person=person, may_rejoin=may_rejoin), 410
    return render_template("members_space/link_problem.html", problem="invalid"), 404
