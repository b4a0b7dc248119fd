"""Members in the back-office: find, export, read a person's story, act on it."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.admin import services as admin_services
from network.admin.exports import csv_response
from network.admin.member_forms import (
    ConfirmForm,
    ExitForm,
    MemberDetailsForm,
    MemberFilterForm,
    NoteForm,
)
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.timeline import person_timeline
from network.admin.views import bp
from network.extensions import db, utcnow
from network.imports.models import MemberImport
from network.mailings.services import mailing_list_query
from network.membership import services
from network.membership.lifecycle import TransitionRefused, may
from network.membership.models import (
    ACCEPTANCE_METHOD_LABELS,
    EXIT_REASON_LABELS,
    STATUS_LABELS,
    CharterAcceptance,
    ExitReason,
    Person,
    Status,
)
from network.membership.search import PersonFilter, filtered_people
from network.reference import PROFILE_SHORT_LABELS, PROFILES

PAGE_SIZES = (25, 50, 100, 200)


def _filter_form() -> MemberFilterForm:
    return MemberFilterForm(formdata=request.args)


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "exit_reason_labels": EXIT_REASON_LABELS,
            "profile_labels": dict(PROFILES), "profile_short_labels": PROFILE_SHORT_LABELS,
            "acceptance_method_labels": ACCEPTANCE_METHOD_LABELS}


@bp.get("/membres")
@requires(ADMINISTRATEUR)
def members():
    return _members_page(_filter_form())


def _members_page(form: MemberFilterForm, status: int = 200):
    per_page = request.args.get("par_page", 50, type=int)
    per_page = per_page if per_page in PAGE_SIZES else 50
    page = db.paginate(filtered_people(form.criteria()), per_page=per_page, max_per_page=200)
    return render_template("admin/members/list.html", form=form, page=page,
                           page_sizes=PAGE_SIZES, per_page=per_page, **_labels()), status


EXPORT_HEADER = ["Nom", "Prénom", "E-mail", "Téléphone", "Structure", "Fonction", "Profil",
                 "Départements", "Champs de la QVT", "Statut", "Candidature le",
                 "Membre depuis le", "Sorti le", "Motif de sortie", "Reflex QVT", "Annuaire"]


def _day(moment) -> str:
    return moment.strftime("%d/%m/%Y") if moment else ""


def _export_rows(criteria: PersonFilter):
    profiles = dict(PROFILES)
    query = filtered_people(criteria).execution_options(yield_per=500)
    for person in db.session.scalars(query):
        yield [person.last_name, person.first_name, person.email, person.phone,
               person.organisation, person.job_title, profiles.get(person.profile, ""),
               ", ".join(d.code for d in person.departments),
               ", ".join(f.label for f in person.qvt_fields),
               STATUS_LABELS.get(person.status, person.status), _day(person.applied_at),
               _day(person.member_since), _day(person.exited_at),
               EXIT_REASON_LABELS.get(person.exit_reason, "") if person.exit_reason else "",
               "oui" if person.listed_on_reflex_qvt else "non",
               "oui" if person.directory_opt_in else "non"]


@bp.get("/membres/export.csv")
@requires(ADMINISTRATEUR)
def members_export():
    form = _filter_form()
    if not form.validate():
        # The list drops a filter that is not valid; a file would hold more than was asked.
        flash("Rien n'a été exporté : corrigez les filtres signalés, puis exportez à nouveau.",
              "danger")
        return _members_page(form, 400)
    criteria = form.criteria()
    admin_services.audit(g.admin.email, "members.export", utcnow(),
                         detail=request.query_string.decode()[:500])
    db.session.commit()
    return csv_response("membres-reseau-qvt.csv", EXPORT_HEADER, _export_rows(criteria))


def _mailing_list_rows():
    # The same list the mailings go to: members who asked to stop them are not on it.
    query = mailing_list_query()
    for person in db.session.scalars(query.execution_options(yield_per=500)):
        yield [person.email, person.last_name, person.first_name, person.organisation]


@bp.get("/membres/liste-de-diffusion.csv")
@requires(ADMINISTRATEUR)
def mailing_list_export():
    admin_services.audit(g.admin.email, "members.mailing_list_export", utcnow())
    db.session.commit()
    return csv_response("liste-de-diffusion-reseau-qvt.csv",
                        ["E-mail", "Nom", "Prénom", "Structure"], _mailing_list_rows())


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.email is None:
        abort(404)
    return person


@bp.get("/membres/<int:person_id>")
@requires(ADMINISTRATEUR)
def member(person_id):
    person = _person_or_404(person_id)
    acceptances = db.session.scalars(
        select(CharterAcceptance).where(CharterAcceptance.person_id == person.id)
        .order_by(CharterAcceptance.accepted_at)).all()
    return render_template("admin/members/detail.html", person=person, acceptances=acceptances,
                           timeline=person_timeline(person.id), note_form=NoteForm(),
                           member_import=db.session.get(MemberImport, person.member_import_id)
                           if person.member_import_id else None,
                           **_labels())


@bp.route("/membres/<int:person_id>/modifier", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def member_edit(person_id):
    person = _person_or_404(person_id)
    form = MemberDetailsForm(data=MemberDetailsForm.initial_data(person))
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                services.apply_contact_details(person, form.contact_details())
        except IntegrityError:
            form.email.errors.append("Cette adresse est déjà celle d'une autre personne.")
        else:
            admin_services.audit(g.admin.email, "member.edit", utcnow(), person.id)
            db.session.commit()
            flash("Les coordonnées sont enregistrées.", "success")
            return redirect(url_for(".member", person_id=person.id))
    return render_template("admin/members/edit.html", person=person, form=form), (
        400 if form.errors else 200)


ACTIONS = {
    # action: (whether it applies to the person, title, explanation)
    "renvoyer-charte": (services.has_pending_application,
                        "Renvoyer le lien d'acceptation de la charte",
                        "Un nouvel e-mail avec le lien d'acceptation de la charte sera envoyé."),
    "reintegrer": (lambda person: may(person, "readmit", g.admin.email),
                   "Réintégrer dans le réseau",
                   "La personne redevient membre et revient sur la liste de diffusion. Son "
                   "acceptation de la charte reste valable."),
}


@bp.route("/membres/<int:person_id>/<any('renvoyer-charte', 'reintegrer'):action>",
          methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def member_action(person_id, action):
    person = _person_or_404(person_id)
    applies, title, explanation = ACTIONS[action]
    if not applies(person):
        flash("Cette action ne s'applique pas à la situation actuelle de la personne.", "warning")
        return redirect(url_for(".member", person_id=person.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        now = utcnow()
        if action == "renvoyer-charte":
            services.send_charter_link(person, now)
        else:
            services.readmit(person, g.admin.email, now)
        admin_services.audit(g.admin.email, f"member.{action}", now, person.id)
        db.session.commit()
        flash(f"{title} : c'est fait.", "success")
        return redirect(url_for(".member", person_id=person.id))
    return render_template("admin/members/confirm.html", person=person, form=form,
                           title=title, explanation=explanation)


@bp.route("/membres/<int:person_id>/sortie", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def member_exit(person_id):
    person = _person_or_404(person_id)
    if person.status == Status.EXITED:
        flash("Cette personne est déjà sortie du réseau.", "warning")
        return redirect(url_for(".member", person_id=person.id))
    form = ExitForm()
    if form.validate_on_submit():
        now = utcnow()
        reason = ExitReason(form.reason.data)
        why = EXIT_REASON_LABELS[reason] + (f" – {form.comment.data}" if form.comment.data else "")
        try:
            services.exit_by_admin(person, reason, why, g.admin.email, now)
        except TransitionRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "warning")
            return redirect(url_for(".member", person_id=person.id))
        admin_services.audit(g.admin.email, "member.exit", now, person.id, why)
        db.session.commit()
        flash("La sortie est enregistrée.", "success")
        return redirect(url_for(".member", person_id=person.id))
    return render_template("admin/members/exit.html", person=person, form=form), (
        400 if form.errors else 200)


@bp.post("/membres/<int:person_id>/notes")
@requires(ADMINISTRATEUR)
def member_note(person_id):
    person = _person_or_404(person_id)
    form = NoteForm()
    if form.validate_on_submit():
        admin_services.add_note(person, form.text.data, g.admin.email, utcnow())
        db.session.commit()
        flash("La note est ajoutée.", "success")
    else:
        flash(" ".join(form.text.errors) or "La note n'a pas pu être ajoutée.", "danger")
    return redirect(url_for(".member", person_id=person.id) + "#notes")
