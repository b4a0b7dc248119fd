"""The import of the network's existing members in the back-office: upload, preview (with the
columns' mapping), import, error report, and the record of each import with its cancellation."""

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired

from network.admin.exports import csv_response
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.views import bp
from network.extensions import db, utcnow
from network.forms import Form
from network.imports import uploads
from network.imports.columns import FIELDS, IGNORED, normalise_header, remember
from network.imports.models import MemberImport
from network.imports.plan import ImportPlan, plan_import
from network.imports.reading import FORMATS_LABEL, UnreadableFile, read_sheet
from network.imports.services import (
    ImportRefused,
    can_cancel,
    cancel_import,
    import_counts,
    run_import,
)
from network.membership.forms import qvt_field_choices
from network.membership.models import Person
from network.reference import PROFILE_SHORT_LABELS
from network.templating import PARIS, plural

SHOWN_ROWS = 10
SHOWN_ERRORS = 100


class UploadForm(Form):
    file = FileField("Fichier des membres", description=(
        f"{FORMATS_LABEL}, tel qu'enregistré par votre tableur ; la première ligne donne le nom "
        "des colonnes."))
    submit = SubmitField("Lire le fichier")


class ImportForm(Form):
    known = RadioField("Les personnes déjà connues du réseau (même adresse)", choices=[
        SelectChoice("skip", "Les laisser telles quelles"),
        SelectChoice("complete", "Compléter seulement leurs champs vides")], default="skip")
    valid_only = BooleanField("Importer seulement les lignes valides : les lignes en erreur "
                              "sont laissées de côté")
    submit = SubmitField("Importer")


class CancelForm(Form):
    confirm = BooleanField("Je confirme l'annulation de cet import",
                           validators=[DataRequired("Cochez la case pour confirmer.")])
    submit = SubmitField("Annuler l'import")


def mapping_form(plan: ImportPlan, submitted: bool = False) -> Form:
    """One drop-down list per column of the file, set to what it was recognised as (or to what
    the admin just sent)."""
    choices = [SelectChoice(IGNORED, "— Ne pas importer —")] + [
        SelectChoice(name, label) for name, (label, _) in FIELDS.items()]

    class MappingForm(Form):
        submit = SubmitField("Enregistrer ces colonnes")

    for index, header in enumerate(plan.headers):
        setattr(MappingForm, f"colonne_{index}", SelectField(
            f"Colonne « {header or index + 1} »", choices=choices,
            default=plan.columns.get(index, IGNORED)))
    return MappingForm() if submitted else MappingForm(formdata=None)


def _today():
    return utcnow().astimezone(PARIS).date()


def _upload_or_404(token: str) -> uploads.Upload:
    upload = uploads.find(token, g.admin.email)
    if upload is None:
        abort(404)
    return upload


def _plan(upload: uploads.Upload) -> ImportPlan:
    # Read when uploaded: only a file changed on the disk since could fail here.
    try:
        sheet = read_sheet(upload.file_name, upload.content)
    except UnreadableFile:
        abort(404)
    return plan_import(sheet, upload.file_name, _today(), upload.chosen)


@bp.route("/membres/import", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def members_import():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        limit = current_app.config["IMPORT_MAX_BYTES"]
        content = upload.read(limit + 1) if upload and upload.filename else b""
        try:
            if not content:
                raise UnreadableFile("Choisissez le fichier des membres.")
            if len(content) > limit:
                raise UnreadableFile(f"Le fichier dépasse {limit // (1024 * 1024)} Mo.")
            read_sheet(upload.filename, content)
        except UnreadableFile as problem:
            form.file.errors = [str(problem)]
        else:
            token = uploads.keep(upload.filename[:255], content, g.admin.email)
            return redirect(url_for(".members_import_preview", token=token))
    imports = db.session.scalars(
        select(MemberImport).order_by(MemberImport.imported_at.desc()).limit(20)).all()
    return render_template("admin/members/import.html", form=form, imports=imports,
                           can_cancel=can_cancel, now=utcnow()), 400 if form.errors else 200


def _preview(upload: uploads.Upload, plan: ImportPlan, import_form: ImportForm,
             columns_form=None, status: int = 200):
    known_people = {person.id: person for person in db.session.scalars(
        select(Person).where(Person.id.in_(
            [row.known_person_id for row in plan.rows if row.kind == "known"][:SHOWN_ROWS])))}
    return render_template(
        "admin/members/import_preview.html", upload=upload, plan=plan,
        import_form=import_form, columns_form=columns_form or mapping_form(plan),
        new_rows=[row for row in plan.rows if row.kind == "new"][:SHOWN_ROWS],
        shown_errors=plan.errors[:SHOWN_ERRORS], known_people=known_people,
        profile_labels=PROFILE_SHORT_LABELS,
        qvt_labels={choice.value: choice.label for choice in qvt_field_choices()}), status


@bp.get("/membres/import/<token>")
@requires(ADMINISTRATEUR)
def members_import_preview(token):
    upload = _upload_or_404(token)
    return _preview(upload, _plan(upload), ImportForm())


@bp.post("/membres/import/<token>/colonnes")
@requires(ADMINISTRATEUR)
def members_import_columns(token):
    upload = _upload_or_404(token)
    plan = _plan(upload)
    form = mapping_form(plan, submitted=True)
    if not form.validate_on_submit():
        return _preview(upload, plan, ImportForm(), form, 400)
    chosen = {normalise_header(header): getattr(form, f"colonne_{index}").data
              for index, header in enumerate(plan.headers) if header}
    remember(chosen)
    db.session.commit()
    uploads.choose_columns(upload, chosen)
    flash("Les colonnes sont enregistrées ; elles seront reconnues dans vos prochains fichiers.",
          "success")
    return redirect(url_for(".members_import_preview", token=token))


@bp.post("/membres/import/<token>")
@requires(ADMINISTRATEUR)
def members_import_run(token):
    upload = _upload_or_404(token)
    plan = _plan(upload)
    form = ImportForm()
    if not form.validate_on_submit():
        return _preview(upload, plan, form, status=400)
    try:
        record = run_import(plan, by=g.admin.email, now=utcnow(),
                            complete_known=form.known.data == "complete",
                            valid_only=form.valid_only.data)
    except ImportRefused as refusal:
        db.session.rollback()
        form.valid_only.errors = [str(refusal)]
        return _preview(upload, plan, form, status=400)
    db.session.commit()
    uploads.discard(upload)
    flash(f"Import terminé : {import_counts(record)}.", "success")
    return redirect(url_for(".members_import_record", import_id=record.id))


@bp.get("/membres/import/<token>/erreurs.csv")
@requires(ADMINISTRATEUR)
def members_import_errors(token):
    upload = _upload_or_404(token)
    rows = ([error.line, error.column, error.value, error.why] for error in _plan(upload).errors)
    name = upload.file_name.rsplit(".", 1)[0]
    return csv_response(f"erreurs-{_safe(name)}.csv", ["Ligne", "Colonne", "Valeur", "Problème"],
                        rows)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "import"


@bp.get("/membres/imports/<int:import_id>")
@requires(ADMINISTRATEUR)
def members_import_record(import_id):
    record = db.get_or_404(MemberImport, import_id)
    page = db.paginate(select(Person).where(Person.member_import_id == record.id)
                       .order_by(Person.last_name, Person.first_name, Person.id),
                       per_page=50, max_per_page=50)
    return render_template("admin/members/import_record.html", record=record, page=page,
                           cancel_form=CancelForm(), cancellable=can_cancel(record, utcnow()))


@bp.post("/membres/imports/<int:import_id>/annuler")
@requires(ADMINISTRATEUR)
def members_import_cancel(import_id):
    record = db.get_or_404(MemberImport, import_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            result = cancel_import(record, g.admin.email, utcnow())
        except ImportRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "warning")
        else:
            db.session.commit()
            removed, kept = result.removed, len(result.kept)
            flash(f"Import annulé : {plural(removed, 'personne retirée', 'personnes retirées')}"
                  + (f" ; {plural(kept, 'conservée')}, car "
                     f"{'elle a' if kept == 1 else 'elles ont'} agi depuis l'import "
                     "(liste ci-dessous)." if kept else "."), "success")
    else:
        flash(" ".join(form.confirm.errors) or "L'annulation n'a pas pu être faite.", "danger")
    return redirect(url_for(".members_import_record", import_id=record.id))
