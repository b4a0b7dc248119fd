"""The admission review in the back-office: admit or refuse an application that waits on the
GT QVT (ADMISSION_REVIEW). The queue itself is on the dashboard."""

from flask import abort, flash, g, redirect, render_template, url_for

from network.admin import services as admin_services
from network.admin.admission_forms import AdmitForm, RefuseForm
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.views import bp
from network.extensions import db, utcnow
from network.membership import admission
from network.membership.lifecycle import TransitionRefused, may
from network.membership.models import Person

NOT_WAITING = "Cette personne n'a pas de candidature en attente de validation."


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.email is None:
        abort(404)
    return person


def _back_to(person: Person):
    return redirect(url_for(".member", person_id=person.id))


@bp.post("/membres/<int:person_id>/valider")
@requires(ADMINISTRATEUR)
def admission_admit(person_id):
    person = _person_or_404(person_id)
    if not may(person, "admit", g.admin.email):
        flash(NOT_WAITING, "warning")
        return _back_to(person)
    if not AdmitForm().validate_on_submit():
        abort(400)
    now = utcnow()
    try:
        admission.admit(person, g.admin.email, now)
    except TransitionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "warning")
        return _back_to(person)
    admin_services.audit(g.admin.email, "member.admit", now, person.id)
    db.session.commit()
    flash(f"Adhésion validée : {person.full_name} est membre du réseau et reçoit l'e-mail de "
          "bienvenue.", "success")
    return _back_to(person)


@bp.route("/membres/<int:person_id>/refuser", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def admission_refuse(person_id):
    person = _person_or_404(person_id)
    if not may(person, "refuse", g.admin.email):
        flash(NOT_WAITING, "warning")
        return _back_to(person)
    form = RefuseForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            admission.refuse(person, form.refusal_reason.data, g.admin.email, now)
        except TransitionRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "warning")
            return _back_to(person)
        admin_services.audit(g.admin.email, "member.refuse", now, person.id,
                             form.refusal_reason.data.strip())
        db.session.commit()
        flash("La candidature est refusée : la personne en reçoit le motif par e-mail.",
              "success")
        return _back_to(person)
    return render_template("admin/members/refuse.html", person=person, form=form), (
        400 if form.errors else 200)
