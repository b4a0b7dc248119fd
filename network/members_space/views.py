import json
from functools import wraps

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from network.attestations.services import attended_registration_ids, membership_year
from network.events.forms import CancelForm
from network.events.models import EVENT_KIND_LABELS
from network.events.services import (
    member_registrations,
    parcours,
    registration_token,
    waiting_position,
)
from network.extensions import db, limiter, submitted_email, utcnow
from network.inputs import same_site_path
from network.members_space import services
from network.members_space.forms import (
    ConfirmEmailForm,
    DirectorySearchForm,
    LeaveSpaceForm,
    MyDetailsForm,
    SignInForm,
    UseLinkForm,
)
from network.members_space.readable import readable
from network.membership.models import Department, Person, QvtField, Status
from network.membership.search import PersonFilter, filtered_people
from network.membership.services import LinkProblem, leave_network
from network.reference import PROFILE_SHORT_LABELS
from network.renewal.services import current_request, deadline_of
from network.sessions import (
    REVOKED,
    end_every_session,
    forget_session,
    session_problem,
    start_session,
)

bp = Blueprint("members_space", __name__)


def current_member() -> Person | None:
    """The member signed in to this browser, if their session still holds."""
    if "member_id" not in session:
        return None
    person = db.session.get(Person, session.get("member_id") or 0)
    if person is not None and person.status != Status.MEMBER:
        person = None
    problem = session_problem("member", person, utcnow())
    if problem is not None:
        forget_session("member")
        if problem != REVOKED:
            flash("Votre session a expiré : demandez un nouveau lien de connexion.", "warning")
        return None
    g.member_id = person.id
    return person


def member_required(view):
    """A signed-in member whose session is fresh; anyone else goes to the sign-in page."""
    @wraps(view)
    def guarded(*args, **kwargs):
        person = current_member()
        if person is None:
            return redirect(url_for("members_space.sign_in"))
        g.member = person
        return view(*args, **kwargs)
    return guarded


def _limits(kind: str):
    return lambda: current_app.config[f"SIGN_IN_RATE_LIMIT_PER_{kind}"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_limits("IP"), methods=["POST"])
@limiter.limit(_limits("ADDRESS"), methods=["POST"], key_func=submitted_email)
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        services.request_sign_in_link(form.email.data, utcnow(), then=_return_path())
        db.session.commit()
        return render_template("members_space/sign_in_sent.html")
    return render_template("members_space/sign_in.html", form=form), 400 if form.errors else 200


@bp.route("/connexion/<token>", methods=["GET", "POST"])
def sign_in_link(token):
    # Opening the link shows a button: mail scanners that follow links do not spend it.
    try:
        person = services.person_for_sign_in_token(token, utcnow())
    except LinkProblem as problem:
        return _link_problem(problem)
    form = UseLinkForm()
    if form.validate_on_submit():
        if not services.use_sign_in_link(person):
            return _link_problem(LinkProblem("used"))
        db.session.commit()
        start_session("member", person, utcnow())
        return redirect(services.sign_in_return_path(token) or url_for(".space"))
    return render_template("members_space/use_link.html", form=form, person=person)


# A members-only resource or event sends its visitor to /connexion?next=<its path>: the e-mailed
# link brings them back there. A long path is not worth a longer link.
RETURN_PATH_MAX = 300


def _return_path() -> str | None:
    target = same_site_path(request.args.get("next"))
    return target if target and len(target) <= RETURN_PATH_MAX else None


def _link_problem(problem: LinkProblem):
    return render_template("members_space/link_problem.html", problem=problem.kind), (
        404 if problem.kind == "invalid" else 410)


@bp.post("/deconnexion")
def sign_out():
    # Every session of the member ends, this one and any copy of its cookie.
    if (person := current_member()) is not None:
        end_every_session(person)
        db.session.commit()
    session.clear()
    flash("Vous êtes déconnecté·e de votre espace membre, sur tous vos appareils.", "success")
    return redirect(url_for("membership.home"))


@bp.get("/espace")
@member_required
def space():
    now = utcnow()
    renewal = current_request(g.member, now)
    return render_template("members_space/space.html", person=g.member, renewal=renewal,
                           renewal_deadline=deadline_of(renewal) if renewal else None,
                           current_year=membership_year(now))


@bp.get("/espace/evenements")
@member_required
def my_events():
    now = utcnow()
    upcoming, past = member_registrations(g.member, now)
    return render_template(
        "members_space/events.html", person=g.member, upcoming=upcoming, past=past,
        parcours=parcours(g.member, now), kinds=EVENT_KIND_LABELS, form=CancelForm(),
        attestable=attended_registration_ids(g.member, past, now),
        positions={r.id: waiting_position(r) for r in upcoming if r.status == "waiting"},
        tokens={r.id: registration_token(r) for r in upcoming})


@bp.route("/espace/coordonnees", methods=["GET", "POST"])
@member_required
def my_details():
    person = g.member
    form = MyDetailsForm(data=MyDetailsForm.initial_data(person))
    if form.validate_on_submit():
        sent = services.update_own_details(person, form.contact_details(), utcnow(),
                                           receive_mailings=form.receive_mailings.data)
        db.session.commit()
        flash("Vos coordonnées sont enregistrées.", "success")
        if sent:
            flash(f"Un lien de confirmation a été envoyé à {person.pending_email} : votre "
                  "nouvelle adresse sera utilisée dès que vous l'aurez confirmée.", "info")
        return redirect(url_for(".my_details"))
    return render_template("members_space/details.html", form=form, person=person), (
        400 if form.errors else 200)


@bp.route("/espace/adresse/<token>", methods=["GET", "POST"])
def confirm_email(token):
    # Opening the link shows a button: mail scanners that follow links change nothing.
    try:
        person = services.person_for_email_change(token)
        form = ConfirmEmailForm()
        if not form.validate_on_submit():
            return render_template("members_space/confirm_email.html", form=form, person=person)
        services.confirm_email_change(person, utcnow())
    except LinkProblem as problem:
        return _link_problem(problem)
    db.session.commit()
    return render_template("members_space/email_confirmed.html", person=person)


@bp.get("/espace/annuaire")
@member_required
def directory():
    form = DirectorySearchForm(formdata=request.args)
    criteria = PersonFilter(statuses=[Status.MEMBER], directory_only=True,
                            text=form.q.data or "", profiles=form.profil.data or [],
                            department_codes=form.departement.data or [],
                            qvt_field_codes=form.champ.data or [])
    page = db.paginate(filtered_people(criteria),
                       per_page=current_app.config["DIRECTORY_PAGE_SIZE"])
    return render_template("members_space/directory.html", form=form, page=page,
                           profiles=PROFILE_SHORT_LABELS)


@bp.get("/espace/mes-donnees")
@member_required
def my_data_page():
    """« Mes données » to read: the same dict as the file, with French headings and values."""
    data = services.personal_data(g.member)
    names = {}
    if data.get("demande_d_adhesion_en_attente"):
        # Reference data, to name the codes of a pending sign-up.
        names = {"departments": {d.code: d.name for d in db.session.scalars(select(Department))},
                 "qvt_fields": {f.code: f.label for f in db.session.scalars(select(QvtField))}}
    return render_template("members_space/my_data.html", person=g.member,
                           sections=readable(data, **names))


@bp.get("/espace/mes-donnees.json")
@member_required
def my_data():
    data = json.dumps(services.personal_data(g.member), ensure_ascii=False, indent=2)
    return Response(data, content_type="application/json; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-reseau-qvt.json"'})


@bp.route("/espace/quitter", methods=["GET", "POST"])
@member_required
def leave():
    form = LeaveSpaceForm()
    if form.validate_on_submit():
        leave_network(g.member, utcnow())
        db.session.commit()
        session.clear()
        return render_template("membership/leave_done.html", was_member=True)
    return render_template("membership/leave.html", form=form, person=g.member)
