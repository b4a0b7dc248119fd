from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import case, extract, select
from sqlalchemy.orm import defer, selectinload
from wtforms import SelectChoice

from network.events import services
from network.events.calendar import event_ics
from network.events.forms import (
    CancelForm,
    ConfirmForm,
    EventFilterForm,
    GuestRegistrationForm,
    RegisterForm,
)
from network.events.models import (
    AUDIENCE_LABELS,
    AUDIENCE_SHORT_LABELS,
    EVENT_KIND_LABELS,
    EVENT_MODE_LABELS,
    EVENT_MODE_SHORT_LABELS,
    Audience,
    Event,
    EventStatus,
    EventTheme,
)
from network.extensions import db, limiter, submitted_email, utcnow
from network.inputs import database_int
from network.members_space.views import current_member
from network.membership.services import LinkProblem
from network.resources.services import ResourceFilter, find_resources

bp = Blueprint("events", __name__)

# Drafts are the admins' own; a cancelled event stays visible, marked so.
VISIBLE = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


@bp.get("/evenements")
def index():
    now = utcnow()
    form = EventFilterForm(formdata=request.args)
    year = extract("year", Event.starts_at)
    form.theme.choices += [SelectChoice(name, name) for name in db.session.scalars(
        select(EventTheme.name).join(Event).where(Event.status.in_(VISIBLE)).distinct()
        .order_by(EventTheme.name))]
    form.annee.choices += [SelectChoice(str(int(y)), str(int(y))) for y in db.session.scalars(
        select(year).where(Event.status.in_(VISIBLE)).distinct().order_by(year.desc()))]
    query = select(Event).options(
        selectinload(Event.themes), defer(Event.description_markdown, raiseload=True)).where(
        Event.status.in_(VISIBLE))
    if form.type.data:
        query = query.where(Event.kind == form.type.data)
    if form.theme.data:
        query = query.where(Event.themes.any(EventTheme.name == form.theme.data))
    if (chosen_year := database_int(form.annee.data)) is not None:
        query = query.where(year == chosen_year)
    upcoming = Event.ends_at > now
    # Upcoming first, the soonest on top; then the past, the latest on top.
    query = query.order_by(case((upcoming, 0), else_=1), case((upcoming, Event.starts_at)),
                           Event.starts_at.desc(), Event.id)
    page = db.paginate(query, per_page=current_app.config["EVENTS_PAGE_SIZE"])
    return render_template("events/index.html", page=page, form=form, now=now,
                           figures=services.event_figures([e.id for e in page.items], now),
                           kinds=EVENT_KIND_LABELS, modes=EVENT_MODE_SHORT_LABELS,
                           audiences=AUDIENCE_SHORT_LABELS)


def _visible_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if event.status not in VISIBLE:
        abort(404)
    return event


@bp.get("/evenements/<int:event_id>")
def detail(event_id):
    return _detail_page(_visible_event(event_id), GuestRegistrationForm(formdata=None))


def _detail_page(event: Event, guest_form: GuestRegistrationForm, status: int = 200):
    now = utcnow()
    member = current_member()
    registration = services.registration_of(event, member)
    return render_template(
        "events/detail.html", event=event, now=now, member=member, registration=registration,
        state=services.registration_state(event, now), places_left=services.places_left(event),
        position=services.waiting_position(registration) if registration else None,
        show_online_link=services.can_see_online_link(registration),
        register_form=RegisterForm(), guest_form=guest_form, cancel_form=CancelForm(),
        cancel_token=services.registration_token(registration) if registration else None,
        resources=db.session.scalars(find_resources(ResourceFilter(event_id=event.id),
                                                    for_members=member is not None)).all(),
        kinds=EVENT_KIND_LABELS, modes=EVENT_MODE_LABELS, audiences=AUDIENCE_LABELS,
        public=Audience.PUBLIC), status


@bp.post("/evenements/<int:event_id>/inscription")
def register(event_id):
    """A signed-in member registers in one click."""
    event = _visible_event(event_id)
    member = current_member()
    if member is None:
        flash("Connectez-vous à votre espace membre pour vous inscrire.", "warning")
        return redirect(url_for("members_space.sign_in",
                                next=url_for(".detail", event_id=event.id)))
    if RegisterForm().validate_on_submit():
        _register_member(event, member)
    return redirect(url_for(".detail", event_id=event.id))


def _register_member(event: Event, member):
    try:
        registration = services.register_member(event, member, utcnow())
    except services.RegistrationRefused as refusal:
        flash(str(refusal), "danger")
        return None
    db.session.commit()
    if registration.status == "waiting":
        flash(f"L'événement est complet : vous êtes sur la liste d'attente, en position "
              f"{services.waiting_position(registration)}.", "info")
    else:
        flash("Vous êtes inscrit·e. La confirmation part par e-mail, avec le fichier "
              "pour votre agenda.", "success")
    return registration


@bp.route("/evenements/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    """The link of an invitation e-mail: a button (mail scanners follow links), then registered.
    """
    try:
        event, person = services.invitation_for_token(token)
    except LinkProblem:
        return render_template("events/link_problem.html"), 404
    form = RegisterForm()
    registration = services.registration_of(event, person)
    if form.validate_on_submit():
        registration = _register_member(event, person) or registration
        if registration is None:
            return redirect(url_for(".detail", event_id=event.id))
        # The link stands for the member here: their registration's page, online link included.
        return redirect(url_for(".registration_page",
                                token=services.registration_token(registration)))
    return render_template("events/invitation.html", event=event, person=person, form=form,
                           registration=registration, token=services.registration_token(
                               registration) if registration else None,
                           state=services.registration_state(event, utcnow()))


def _guest_limits(kind: str):
    return lambda: current_app.config[f"JOIN_RATE_LIMIT_PER_{kind}"]


@bp.post("/evenements/<int:event_id>/inscription-externe")
@limiter.limit(_guest_limits("IP"))
@limiter.limit(_guest_limits("ADDRESS"), key_func=submitted_email)
def register_guest(event_id):
    """Anyone, for a public event: they confirm their address by the link we send."""
    event = _visible_event(event_id)
    now = utcnow()
    form = GuestRegistrationForm()
    if form.validate_on_submit():
        try:
            services.request_guest_registration(event, form.name.data, form.email.data,
                                                form.organisation.data or "", now)
        except services.RegistrationRefused as refusal:
            flash(str(refusal), "danger")
            return redirect(url_for(".detail", event_id=event.id))
        db.session.commit()
        return render_template("events/check_email.html", event=event, email=form.email.data)
    return _detail_page(event, form, 400)


@bp.route("/evenements/inscription/<token>/confirmer", methods=["GET", "POST"])
def confirm(token):
    try:
        registration = services.registration_for_token(token)
    except LinkProblem:
        return render_template("events/link_problem.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.confirm_guest_registration(registration, utcnow())
        except services.RegistrationRefused as refusal:
            flash(str(refusal), "danger")
        db.session.commit()
        return redirect(url_for(".registration_page", token=token))
    if registration.status != "unconfirmed":
        return redirect(url_for(".registration_page", token=token))
    return render_template("events/confirm.html", registration=registration,
                           event=registration.event, form=form)


@bp.get("/evenements/inscription/<token>")
def registration_page(token):
    """Where a registration stands, for whoever holds its link (members and guests alike)."""
    try:
        registration = services.registration_for_token(token)
    except LinkProblem:
        return render_template("events/link_problem.html"), 404
    return render_template(
        "events/registration.html", registration=registration, event=registration.event,
        position=services.waiting_position(registration), token=token, now=utcnow(),
        show_online_link=services.can_see_online_link(registration), form=CancelForm())


@bp.route("/evenements/inscription/<token>/annuler", methods=["GET", "POST"])
def cancel(token):
    """The link in every event e-mail: a button, then the place goes to the waiting list."""
    try:
        registration = services.registration_for_token(token)
    except LinkProblem:
        return render_template("events/link_problem.html"), 404
    form = CancelForm()
    if form.validate_on_submit():
        if services.cancel_registration(registration, utcnow()):
            flash("Votre désinscription est enregistrée. Merci d'avoir libéré votre place.",
                  "success")
        db.session.commit()
        return redirect(url_for(".registration_page", token=token))
    return render_template("events/cancel.html", registration=registration,
                           event=registration.event, form=form)


@bp.get("/evenements/<int:event_id>.ics")
def event_calendar(event_id):
    event = _visible_event(event_id)
    if event.ends_at <= utcnow():
        # Nothing left to put in a diary: the page says so, and the list offers no file.
        return render_template("events/calendar_gone.html", event=event), 410
    return _ics_response(event_ics([event]), f"evenement-{event.id}.ics")


@bp.get("/evenements.ics")
def feed():
    """The published public events, to subscribe to in a calendar application."""
    events = db.session.scalars(select(Event).where(
        Event.status.in_(VISIBLE), Event.audience == Audience.PUBLIC)
        .order_by(Event.starts_at)).all()
    return _ics_response(event_ics(events, "Réseau des intervenants QVT en Occitanie"),
                         "evenements-reseau-qvt.ics")


def _ics_response(text: str, filename: str) -> Response:
    return Response(text, content_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
