from flask import Blueprint, redirect, render_template, url_for

from network.extensions import db, utcnow
from network.members_space.services import update_own_details
from network.membership.forms import JoinForm
from network.membership.services import BY_THE_PERSON, LinkProblem
from network.renewal import services
from network.renewal.forms import LEAVE, RenewalForm

bp = Blueprint("renewal", __name__)


@bp.route("/renouvellement/<token>", methods=["GET", "POST"])
def form(token):
    now = utcnow()
    try:
        request = services.request_for_token(token)
    except LinkProblem:
        return render_template("renewal/invalid.html"), 404
    person = request.person
    if services.is_closed(request, now):
        # Too late: offer to apply again, with what the network knows already.
        join_form = JoinForm(data=JoinForm.initial_data(person), formdata=None)
        return render_template("renewal/closed.html", request=request, form=join_form), 410
    services.mark_opened(request, now)
    charter = services.charter_to_accept(person)
    form = RenewalForm(data=RenewalForm.initial_data(person), charter_required=bool(charter))
    if form.validate_on_submit():
        if form.decision.data == LEAVE:
            services.decline(request, now)
        else:
            update_own_details(person, form.contact_details(), now)
            services.renew(request, BY_THE_PERSON, now, accepted=charter)
        db.session.commit()
        return redirect(url_for(".form", token=token, enregistre=1))
    db.session.commit()
    return render_template("renewal/form.html", form=form, request=request, person=person,
                           charter=charter), 400 if form.errors else 200
