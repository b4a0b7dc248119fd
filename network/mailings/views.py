"""The public side of mailings: the unsubscribe link each of them carries."""

from flask import Blueprint, render_template, request

from network.extensions import csrf, db, utcnow
from network.mailings import services
from network.membership.services import LinkProblem

bp = Blueprint("mailings", __name__)


@bp.route("/desabonnement/<token>", methods=["GET", "POST"])
# RFC 8058 one-click: the mail provider posts "List-Unsubscribe=One-Click" with no cookie and no
# CSRF token. The signed link is the proof; it can only stop mailings, never end a membership.
@csrf.exempt
def unsubscribe(token):
    try:
        person = services.person_for_unsubscribe_token(token)
    except LinkProblem:
        return render_template("mailings/unsubscribe.html", invalid=True), 404
    # Opening the link changes nothing: mail scanners follow links.
    if request.method == "GET":
        return render_template("mailings/unsubscribe.html", person=person)
    services.stop_mailings(person, utcnow())
    db.session.commit()
    return render_template("mailings/unsubscribe_done.html", person=person)
