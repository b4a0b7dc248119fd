"""Who came, in the back-office: the checklist once the event has started, the people who came
without registering, and the sign-in sheet to print beforehand."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.admin.event_forms import WalkInGuestForm, WalkInMemberForm, WalkInSearchForm
from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.views import bp
from network.events import attendance
from network.events.models import (
    EVENT_MODE_LABELS,
    Event,
    EventMode,
    Registration,
    RegistrationStatus,
)
from network.extensions import db, utcnow
from network.inputs import database_int
from network.membership.models import Person


@bp.route("/evenements/<int:event_id>/presences", methods=["GET", "POST"])
@requires(ANIMATION)
def events_attendance(event_id):
    event = db.get_or_404(Event, event_id)
    now = utcnow()
    if request.method == "POST":  # CSRF is checked for every POST by CSRFProtect
        present = {number for value in request.form.getlist("present")
                   if (number := database_int(value)) is not None}
        try:
            count = attendance.mark_attendance(event, present, now)
        except attendance.AttendanceRefused as refused:
            flash(str(refused), "danger")
            return redirect(url_for(".events_attendance", event_id=event.id))
        registered = len(_registered(event))
        audit(g.admin.email, "event.attendance", now,
              detail=f"{event.title} : {count} sur {registered}")
        db.session.commit()
        flash(f"Présences enregistrées : {count} sur {registered}.", "success")
        return redirect(url_for(".events_detail", event_id=event.id))
    refusal = attendance.attendance_refusal(event, now)
    return render_template(
        "admin/events/attendance.html", event=event, refusal=refusal,
        opens=attendance.attendance_opens(event), not_started=not event.has_started(now),
        registered=[] if refusal else _registered(event), search_form=WalkInSearchForm())


def _registered(event: Event) -> list[Registration]:
    """The people with a place, members and guests together by last name (as on the sheet)."""
    return sorted(db.session.scalars(
        select(Registration).options(joinedload(Registration.person))
        .where(Registration.event_id == event.id,
               Registration.status == RegistrationStatus.REGISTERED)
        .order_by(Registration.id)).all(), key=attendance.by_name)


@bp.get("/evenements/<int:event_id>/presences/sur-place")
@requires(ANIMATION)
def events_walk_in(event_id):
    event = db.get_or_404(Event, event_id)
    return _walk_in_page(event, WalkInGuestForm(formdata=None))


def _walk_in_page(event: Event, guest_form: WalkInGuestForm, status: int = 200):
    if attendance.attendance_refusal(event, utcnow()) is not None:
        return redirect(url_for(".events_attendance", event_id=event.id))
    search_form = WalkInSearchForm(request.args)
    text = (search_form.q.data or "").strip() if search_form.validate() else ""
    found = attendance.find_members(text)
    registrations = {r.person_id: r for r in db.session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.person_id.in_([person.id for person in found])))}
    return render_template(
        "admin/events/walk_in.html", event=event, search_form=search_form, text=text,
        found=found, registrations=registrations, guest_form=guest_form), status


@bp.post("/evenements/<int:event_id>/presences/sur-place/membre")
@requires(ANIMATION)
def events_walk_in_member(event_id):
    event = db.get_or_404(Event, event_id)
    form = WalkInMemberForm()
    person = db.session.get(Person, form.person.data) if form.validate_on_submit() else None
    if person is None or person.email is None:
        flash("Choisissez un membre dans les résultats de la recherche.", "danger")
        return redirect(url_for(".events_walk_in", event_id=event.id))
    return _added(event, lambda now: attendance.add_walk_in_member(event, person, now))


@bp.post("/evenements/<int:event_id>/presences/sur-place/invite")
@requires(ANIMATION)
def events_walk_in_guest(event_id):
    event = db.get_or_404(Event, event_id)
    form = WalkInGuestForm()
    if not form.validate_on_submit():
        return _walk_in_page(event, form, 400)
    return _added(event, lambda now: attendance.add_walk_in_guest(
        event, form.name.data, form.organisation.data or "", form.email.data or "", now))


def _added(event: Event, add):
    now = utcnow()
    try:
        walk_in = add(now)
    except attendance.AttendanceRefused as refused:
        flash(str(refused), "danger")
        return redirect(url_for(".events_walk_in", event_id=event.id))
    registration = walk_in.registration
    # A guest's name stays out of the journal: it is erased from the registration after the
    # event (network.events.retention), the journal is kept.
    who = "un membre" if registration.person_id else f"une personne invitée (n° {registration.id})"
    audit(g.admin.email, "event.walk_in", now, person_id=registration.person_id,
          detail=f"{event.title} : {who}"
                 + (", déjà inscrite, marquée présente" if walk_in.was_registered else ""))
    db.session.commit()
    flash(f"{registration.name} avait déjà une place : marqué·e présent·e."
          if walk_in.was_registered
          else f"{registration.name} est ajouté·e comme présent·e (venu·e sans inscription).",
          "success")
    return redirect(url_for(".events_attendance", event_id=event.id))


@bp.get("/evenements/<int:event_id>/emargement")
@requires(ANIMATION)
def events_sign_in_sheet(event_id):
    event = db.get_or_404(Event, event_id)
    place = event.address if event.mode != EventMode.REMOTE and event.address else None
    return render_template(
        "admin/events/sign_in_sheet.html", event=event, rows=attendance.sign_in_sheet(event),
        blank_rows=current_app.config["SIGN_IN_SHEET_BLANK_ROWS"], place=place,
        mode=EVENT_MODE_LABELS.get(event.mode, event.mode))
