"""Events in the back-office: write, publish, invite, follow the registrations, mark who came."""

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from network.admin.event_forms import ConfirmForm, EventForm, InvitationForm, MaterialForm
from network.admin.exports import csv_response
from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.views import bp
from network.events import services
from network.events.annual import date_warning as annual_date_warning
from network.events.models import (
    EVENT_KIND_LABELS,
    EVENT_MODE_LABELS,
    EVENT_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
    Event,
    EventInvitation,
    EventMaterial,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from network.extensions import db, utcnow
from network.templating import event_dates, french_date, plural
from network.themes.workshops import link_workshop, proposal_for_workshop, workshop_prefill


@bp.get("/evenements")
@requires(ANIMATION)
def events():
    status, kind = request.args.get("statut", ""), request.args.get("type", "")
    query = select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if status in EVENT_STATUS_LABELS:
        query = query.where(Event.status == status)
    if kind in EVENT_KIND_LABELS:
        query = query.where(Event.kind == kind)
    page = db.paginate(query, per_page=30)
    return render_template("admin/events/list.html", page=page, status=status, kind=kind,
                           figures=services.event_figures([e.id for e in page.items], utcnow()),
                           statuses=EVENT_STATUS_LABELS, kinds=EVENT_KIND_LABELS)


@bp.route("/evenements/nouveau", methods=["GET", "POST"])
@bp.route("/evenements/<int:event_id>/modifier", methods=["GET", "POST"])
@requires(ANIMATION)
def events_edit(event_id=None):
    event = db.get_or_404(Event, event_id) if event_id else None
    # « Créer l'atelier » of a call for themes: the form filled from the theme proposed; the
    # event exists only once saved.
    theme = None if event else proposal_for_workshop(request.args.get("theme"))
    if theme is not None and theme.event_id is not None:
        flash(f"Ce thème est déjà devenu l'atelier « {theme.event.title} ».", "warning")
        return redirect(url_for(".events_detail", event_id=theme.event_id))
    form = EventForm(data=EventForm.data_of(event) if event
                     else workshop_prefill(theme) if theme else None)
    if form.validate_on_submit():
        now = utcnow()
        if event is None:
            event = Event(status=EventStatus.DRAFT, created_at=now)
            db.session.add(event)
        changes = _apply(form, event)
        db.session.flush()
        if theme is not None and not link_workshop(theme, event, g.admin.email, now):
            flash("Ce thème est devenu entre-temps un autre atelier : celui-ci n'y est pas "
                  "rattaché.", "warning")
        if event.status == EventStatus.PUBLISHED and changes:
            told = services.notify_event_changed(event, changes, now)
            flash(f"Modification annoncée par e-mail à {plural(told, 'personne')} : {changes}",
                  "info")
        audit(g.admin.email, "event.edit", now, detail=event.title)
        db.session.commit()
        flash("L'événement est enregistré.", "success")
        if warning := annual_date_warning(event.kind, event.starts_at):
            flash(warning, "warning")
        return redirect(url_for(".events_detail", event_id=event.id))
    return render_template("admin/events/edit.html", form=form, event=event, theme=theme), (
        400 if form.errors else 200)


def _apply(form: EventForm, event: Event) -> str:
    """Copy the form into the event; say in French what changed for the people registered."""
    before = (event.starts_at, event.ends_at, event.address, event.online_url)
    event.title = form.title.data.strip()
    event.kind = form.kind.data
    services.set_themes(event, form.themes.data or "")
    event.summary = (form.summary.data or "").strip()
    event.description_markdown = (form.description.data or "").strip()
    event.starts_at, event.ends_at = form.paris(form.starts_at), form.paris(form.ends_at)
    event.mode = form.mode.data
    event.address = (form.address.data or "").strip() or None
    event.online_url = form.online_url.data or None
    event.capacity = form.capacity.data
    event.registration_opens_at = form.paris(form.registration_opens_at)
    event.registration_closes_at = form.paris(form.registration_closes_at)
    event.audience = form.audience.data
    if before[0] is None:
        return ""
    changes = []
    if before[:2] != (event.starts_at, event.ends_at):
        changes.append(f"la date devient : {event_dates(event)}")
    if before[2] != event.address:
        changes.append(f"le lieu devient : {event.address or 'à distance'}")
    if before[3] != event.online_url:
        changes.append("le lien de connexion change")
    return "; ".join(changes) + ("." if changes else "")


def _registrations(event: Event):
    """Registered first, then the waiting list in its order, then the unconfirmed and cancelled."""
    order = case({RegistrationStatus.REGISTERED: 0, RegistrationStatus.WAITING: 1,
                  RegistrationStatus.UNCONFIRMED: 2}, value=Registration.status, else_=3)
    return (select(Registration).options(joinedload(Registration.person))
            .where(Registration.event_id == event.id)
            .order_by(order, Registration.seq, Registration.id))


@bp.get("/evenements/<int:event_id>")
@requires(ANIMATION)
def events_detail(event_id):
    event = db.get_or_404(Event, event_id)
    registrations = db.session.scalars(_registrations(event)).all()
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITING]
    now = utcnow()
    return render_template(
        "admin/events/detail.html", event=event, registrations=registrations,
        positions={r.id: number for number, r in enumerate(waiting, start=1)},
        figures=services.event_figures([event.id], now)[event.id], kinds=EVENT_KIND_LABELS,
        modes=EVENT_MODE_LABELS, statuses=EVENT_STATUS_LABELS,
        registration_labels=REGISTRATION_STATUS_LABELS, cancel_form=ConfirmForm(),
        material_form=MaterialForm(formdata=None), now=now, started=event.has_started(now))


@bp.post("/evenements/<int:event_id>/publier")
@requires(ANIMATION)
def events_publish(event_id):
    event = db.get_or_404(Event, event_id)
    if event.status != EventStatus.DRAFT:
        flash("Seul un brouillon peut être publié.", "warning")
    else:
        now = utcnow()
        services.publish_event(event, now)
        audit(g.admin.email, "event.publish", now, detail=event.title)
        db.session.commit()
        flash("L'événement est publié : il apparaît sur la page des événements.", "success")
    return redirect(url_for(".events_detail", event_id=event.id))


@bp.post("/evenements/<int:event_id>/annuler")
@requires(ANIMATION)
def events_cancel(event_id):
    event = db.get_or_404(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        flash("Cochez la case pour confirmer l'annulation.", "danger")
    elif event.status == EventStatus.CANCELLED:
        flash("Cet événement est déjà annulé.", "warning")
    else:
        now = utcnow()
        told = services.cancel_event(event, now)
        audit(g.admin.email, "event.cancel", now, detail=event.title)
        db.session.commit()
        flash(f"L'événement est annulé ; "
              f"{plural(told, 'personne prévenue', 'personnes prévenues')} par e-mail.", "success")
    return redirect(url_for(".events_detail", event_id=event.id))


@bp.post("/evenements/<int:event_id>/dupliquer")
@requires(ANIMATION)
def events_duplicate(event_id):
    event = db.get_or_404(Event, event_id)
    now = utcnow()
    copy = services.duplicate_event(event, now)
    db.session.flush()
    audit(g.admin.email, "event.duplicate", now, detail=event.title)
    db.session.commit()
    flash("Copie créée en brouillon : changez ses dates, puis publiez-la.", "success")
    return redirect(url_for(".events_edit", event_id=copy.id))


@bp.get("/evenements/<int:event_id>/export.csv")
@requires(ANIMATION)
def events_export(event_id):
    event = db.get_or_404(Event, event_id)
    waiting_rank = {}
    # Before the start nobody is present or absent, whatever was stored.
    started = event.has_started(utcnow())

    def rows():
        query = _registrations(event).execution_options(yield_per=500)
        for registration in db.session.scalars(query):
            if registration.status == RegistrationStatus.WAITING:
                waiting_rank[registration.id] = len(waiting_rank) + 1
            yield [registration.name, registration.email, registration.organisation or "",
                   "membre" if registration.person_id else "externe",
                   REGISTRATION_STATUS_LABELS.get(registration.status, registration.status),
                   waiting_rank.get(registration.id, ""),
                   french_date(registration.placed_at or registration.created_at,
                               with_time=True),
                   {True: "présent", False: "absent", None: ""}[
                       registration.attended if started else None],
                   "oui" if registration.walk_in else ""]

    return csv_response(f"inscriptions-evenement-{event.id}.csv",
                        ["Nom", "E-mail", "Structure", "Membre ou externe", "État",
                         "Position en liste d'attente", "Inscrit le", "Présence",
                         "Sans inscription préalable"], rows())


@bp.post("/evenements/<int:event_id>/supports")
@requires(ANIMATION)
def events_material_add(event_id):
    event = db.get_or_404(Event, event_id)
    form = MaterialForm()
    if form.validate_on_submit():
        now = utcnow()
        told = services.add_material(event, form.title.data, form.url.data, now,
                                     form.announce.data)
        audit(g.admin.email, "event.material", now, detail=f"{event.title} : {form.title.data}")
        db.session.commit()
        flash("Support ajouté" + (f" ; {plural(told, 'personne prévenue', 'personnes prévenues')}"
                                  " par e-mail." if form.announce.data else "."), "success")
    else:
        flash("Support non ajouté : " + " ".join(
            f"{form[name].label.text} : {errors[0]}" for name, errors in form.errors.items()),
            "danger")
    return redirect(url_for(".events_detail", event_id=event.id))


@bp.post("/evenements/<int:event_id>/supports/<int:material_id>/supprimer")
@requires(ANIMATION)
def events_material_remove(event_id, material_id):
    material = db.first_or_404(select(EventMaterial).where(
        EventMaterial.id == material_id, EventMaterial.event_id == event_id))
    db.session.delete(material)
    audit(g.admin.email, "event.material_remove", utcnow(), detail=material.title)
    db.session.commit()
    flash("Support retiré.", "success")
    return redirect(url_for(".events_detail", event_id=event_id))


@bp.route("/evenements/<int:event_id>/inviter", methods=["GET", "POST"])
@requires(ANIMATION)
def events_invite(event_id):
    event = db.get_or_404(Event, event_id)
    if event.status != EventStatus.PUBLISHED:
        flash("Publiez l'événement avant d'inviter les membres.", "warning")
        return redirect(url_for(".events_detail", event_id=event.id))
    form = InvitationForm()
    count = None
    if form.validate_on_submit():
        segment = services.InvitationSegment(form.profiles.data or [],
                                             form.departments.data or [],
                                             form.without_welcome_module.data)
        if form.confirm.data:
            now = utcnow()
            invitation = services.request_invitation(event, segment, g.admin.email, now)
            audit(g.admin.email, "event.invite", now,
                  detail=f"{event.title} : {plural(invitation.recipient_count, 'membre')}")
            db.session.commit()
            flash(f"Invitation en cours d'envoi à {plural(invitation.recipient_count, 'membre')} "
                  "(au prochain passage du planificateur).", "success")
            return redirect(url_for(".events_detail", event_id=event.id))
        count = services.segment_size(segment)
        form.submit.label.text = "Envoyer l'invitation"
    invitations = db.session.scalars(select(EventInvitation).where(
        EventInvitation.event_id == event.id).order_by(EventInvitation.requested_at)).all()
    return render_template("admin/events/invite.html", event=event, form=form, count=count,
                           invitations=invitations)
