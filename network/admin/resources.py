"""The library in the back-office: add, edit, publish, withdraw, and what is downloaded."""

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.views import bp
from network.evaluations.results import usefulness_of
from network.events.models import Event
from network.extensions import db, utcnow
from network.forms import CHOOSE, Form
from network.membership.forms import REQUIRED
from network.resources import services
from network.resources.files import ALLOWED_LABEL, RefusedFile, store_upload
from network.resources.models import (
    RESOURCE_KIND_LABELS,
    RESOURCE_STATUS_LABELS,
    VISIBILITY_LABELS,
    Resource,
    ResourceStatus,
)


class ResourceForm(Form):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Type", validators=[DataRequired("Choisissez le type de ressource.")],
                       choices=[CHOOSE] + [SelectChoice(k.value, v)
                                           for k, v in RESOURCE_KIND_LABELS.items()])
    themes = StringField("Thèmes (facultatif)", validators=[Length(max=300)],
                         description="Séparés par des virgules.")
    summary = StringField("Résumé (facultatif)", validators=[Length(max=500)])
    description = TextAreaField("Description (Markdown, facultatif)",
                                validators=[Length(max=20_000)], render_kw={"rows": 6})
    dated = DateField("Date", validators=[DataRequired("Indiquez la date.")],
                      description="Date de parution ou de l'événement.")
    event = SelectField("Événement lié (facultatif)", validators=[Optional()])
    visibility = SelectField("Visibilité",
                             validators=[DataRequired("Choisissez qui peut la voir.")],
                             choices=[CHOOSE] + [SelectChoice(k.value, v)
                                                 for k, v in VISIBILITY_LABELS.items()])
    file = FileField("Fichier", description=f"{ALLOWED_LABEL}, 25 Mo au plus. Un nouveau "
                                            "fichier remplace le précédent.")
    external_url = URLField("Ou lien externe (replay vidéo…)", validators=[
        Optional(), URL(message="Saisissez une adresse complète, par exemple https://…"),
        Length(max=500)])
    submit = SubmitField("Enregistrer")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.event.choices = [SelectChoice("", "Aucun")] + [
            SelectChoice(str(event_id), f"{starts:%d/%m/%Y} – {title}")
            for event_id, title, starts in db.session.execute(
                select(Event.id, Event.title, Event.starts_at).order_by(Event.starts_at.desc()))]


@bp.get("/ressources")
@requires(ANIMATION)
def resources():
    status = request.args.get("statut", "")
    query = select(Resource).order_by(Resource.dated.desc(), Resource.id.desc())
    if status in RESOURCE_STATUS_LABELS:
        query = query.where(Resource.status == status)
    page = db.paginate(query, per_page=30)
    return render_template(
        "admin/resources/list.html", page=page, status=status, statuses=RESOURCE_STATUS_LABELS,
        kinds=RESOURCE_KIND_LABELS, visibilities=VISIBILITY_LABELS,
        downloads=services.download_totals([r.id for r in page.items]),
        most_downloaded=services.most_downloaded())


@bp.route("/ressources/nouvelle", methods=["GET", "POST"])
@bp.route("/ressources/<int:resource_id>/modifier", methods=["GET", "POST"])
@requires(ANIMATION)
def resources_edit(resource_id=None):
    resource = db.get_or_404(Resource, resource_id) if resource_id else None
    form = ResourceForm(data=None if resource is None else {
        "title": resource.title, "kind": resource.kind, "themes": ", ".join(resource.theme_names),
        "summary": resource.summary, "description": resource.description_markdown,
        "dated": resource.dated, "event": str(resource.event_id or ""),
        "visibility": resource.visibility, "external_url": resource.external_url})
    if form.validate_on_submit():
        upload = form.file.data
        stored = None
        try:
            if upload and upload.filename:
                stored = store_upload(upload)
            elif not form.external_url.data and not (resource and resource.file_hash):
                raise RefusedFile("Déposez un fichier ou indiquez un lien.")
        except RefusedFile as refusal:
            form.file.errors = [str(refusal)]
        else:
            resource = resource or Resource(status=ResourceStatus.DRAFT, created_at=utcnow())
            resource.title = form.title.data.strip()
            resource.kind = form.kind.data
            resource.summary = (form.summary.data or "").strip()
            resource.description_markdown = (form.description.data or "").strip()
            resource.dated = form.dated.data
            resource.event_id = int(form.event.data) if (form.event.data or "").isdigit() else None
            resource.visibility = form.visibility.data
            services.save_resource(resource, form.themes.data or "", stored,
                                   None if stored else form.external_url.data)
            audit(g.admin.email, "resource.edit", utcnow(), detail=resource.title)
            db.session.commit()
            flash("La ressource est enregistrée.", "success")
            return redirect(url_for(".resources_detail", resource_id=resource.id))
    return render_template("admin/resources/edit.html", form=form, resource=resource,
                           today=date.today()), 400 if form.errors else 200


@bp.get("/ressources/<int:resource_id>")
@requires(ANIMATION)
def resources_detail(resource_id):
    resource = db.get_or_404(Resource, resource_id)
    return render_template("admin/resources/detail.html", resource=resource,
                           kinds=RESOURCE_KIND_LABELS, statuses=RESOURCE_STATUS_LABELS,
                           visibilities=VISIBILITY_LABELS,
                           months=services.downloads_by_month(resource),
                           usefulness=usefulness_of(resource.id))


@bp.post("/ressources/<int:resource_id>/<any('publier', 'retirer'):action>")
@requires(ANIMATION)
def resources_status(resource_id, action):
    resource = db.get_or_404(Resource, resource_id)
    now = utcnow()
    if action == "publier":
        services.publish(resource, now)
        flash("La ressource est publiée.", "success")
    else:
        services.withdraw(resource)
        flash("La ressource est retirée : elle n'est plus visible ni téléchargeable.", "success")
    audit(g.admin.email, f"resource.{action}", now, detail=resource.title)
    db.session.commit()
    return redirect(url_for(".resources_detail", resource_id=resource.id))
