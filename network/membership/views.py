from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from network.errors import csrf_failure
from network.events.services import upcoming_events
from network.extensions import db, limiter, submitted_email, utcnow
from network.membership import services
from network.membership.forms import AcceptCharterForm, JoinForm, LeaveForm, ResendCharterLinkForm
from network.membership.models import Status
from network.membership.statements import accessibility_statement
from network.news.models import NEWS_KIND_LABELS
from network.news.services import latest_news, paris_today
from network.reference import PARTICIPATION_PRINCIPLES
from network.urls import external_url

bp = Blueprint("membership", __name__)


@bp.get("/")
def home():
    now = utcnow()
    return render_template("membership/home.html", principles=PARTICIPATION_PRINCIPLES,
                           upcoming_events=upcoming_events(now, limit=3),
                           latest_news=latest_news(now, limit=3), kinds=NEWS_KIND_LABELS,
                           today=paris_today(now))


def _join_limits(kind: str):
    return lambda: current_app.config[f"JOIN_RATE_LIMIT_PER_{kind}"]


@bp.route("/rejoindre", methods=["GET", "POST"])
@limiter.limit(_join_limits("IP"), methods=["POST"])
@limiter.limit(_join_limits("ADDRESS"), methods=["POST"], key_func=submitted_email)
def join():
    form = JoinForm()
    if form.validate_on_submit():
        if not form.is_spam():
            services.join(form.contact_details(), utcnow())
            db.session.commit()
        return redirect(url_for(".check_email"))
    return render_template("membership/join.html", form=form), 400 if form.errors else 200


@bp.errorhandler(CSRFError)
def form_expired(error):
    """Show the sign-up form again with what was typed, instead of losing it."""
    if request.endpoint != "membership.join":
        return csrf_failure(error)
    form = JoinForm()
    form.validate()
    return render_template("membership/join.html", form=form, csrf_expired=True), 400


@bp.get("/rejoindre/verifiez-vos-e-mails")
def check_email():
    return render_template("membership/check_email.html")


@bp.route("/charte/<token>", methods=["GET", "POST"])
def charter(token):
    now = utcnow()
    try:
        person = services.person_for_charter_token(token, now)
    except services.LinkProblem as problem:
        return _link_problem(problem)
    charter_version = services.current_charter()
    form = AcceptCharterForm(person=person)
    if form.validate_on_submit():
        if not services.accept_charter(person, charter_version, now,
                                       privacy_consent=form.privacy_consent_given):
            return _link_problem(services.LinkProblem("used"))
        db.session.commit()
        # With the admission review on, the charter leads to a wait, not yet to the network.
        return redirect(url_for(".welcome" if person.status == Status.MEMBER
                                else ".awaiting_review"))
    return render_template("membership/charter.html", form=form, person=person,
                           charter=charter_version, details=services.pending_details(person)), (
        400 if form.errors else 200)


def _link_problem(problem: services.LinkProblem):
    return render_template("membership/link_problem.html", problem=problem.kind,
                           form=ResendCharterLinkForm()), 410 if problem.kind != "invalid" else 404


@bp.post("/charte/nouveau-lien")
@limiter.limit(_join_limits("IP"))
@limiter.limit(_join_limits("ADDRESS"), key_func=submitted_email)
def resend_charter_link():
    form = ResendCharterLinkForm()
    if not form.validate_on_submit():
        return render_template("membership/link_problem.html", problem="resend", form=form), 400
    services.resend_charter_link(form.email.data, utcnow())
    db.session.commit()
    return redirect(url_for(".check_email"))


@bp.get("/bienvenue")
def welcome():
    return render_template("membership/welcome.html")


@bp.get("/bienvenue/en-attente-de-validation")
def awaiting_review():
    return render_template("membership/awaiting_review.html")


@bp.get("/confidentialite")
def privacy():
    return render_template("membership/privacy.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico before reading a page's <link rel="icon">: the network's
    mark, static/favicon.svg."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/mentions-legales")
def legal():
    return render_template("membership/legal.html")


@bp.get("/accessibilite")
def accessibility():
    return render_template("membership/accessibility.html",
                           statement=accessibility_statement(current_app.config))


@bp.app_context_processor
def network_identity():
    return {"network_name": current_app.config["NETWORK_NAME"],
            "contact_email": current_app.config["CONTACT_EMAIL"],
            "leave_url": lambda person: external_url("membership.leave",
                                                     token=services.leave_token(person))}



@bp.route("/quitter/<token>", methods=["GET", "POST"])
def leave(token):
    try:
        person = services.person_for_leave_token(token)
    except services.LinkProblem as problem:
        return render_template("membership/leave_done.html", problem=problem.kind), (
            404 if problem.kind == "invalid" else 200)
    form = LeaveForm()
    if form.validate_on_submit():
        was_member = person.status == Status.MEMBER
        services.leave_network(person, utcnow())
        db.session.commit()
        return render_template("membership/leave_done.html", was_member=was_member)
    return render_template("membership/leave.html", form=form, person=person)
