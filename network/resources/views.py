from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import extract, select
from sqlalchemy.orm import defer, selectinload
from wtforms import SearchField, SelectChoice, SelectField
from wtforms.validators import Optional

from network.events.models import Event
from network.extensions import db, utcnow
from network.forms import Form
from network.inputs import database_int
from network.members_space.views import current_member
from network.resources import services
from network.resources.files import stored_path
from network.resources.models import (
    RESOURCE_KIND_LABELS,
    VISIBILITY_LABELS,
    Resource,
    ResourceStatus,
    ResourceTheme,
)

bp = Blueprint("resources", __name__)


class ResourceSearchForm(Form):
    class Meta:
        csrf = False

    q = SearchField("Rechercher", validators=[Optional()])
    type = SelectField("Type", validators=[Optional()], choices=[
        SelectChoice("", "Tous les types")] + [
        SelectChoice(code.value, label) for code, label in RESOURCE_KIND_LABELS.items()])
    theme = SelectField("Thème", validators=[Optional()],
                        choices=[SelectChoice("", "Tous les thèmes")])
    annee = SelectField("Année", validators=[Optional()],
                        choices=[SelectChoice("", "Toutes les années")])
    evenement = SelectField("Événement", validators=[Optional()],
                            choices=[SelectChoice("", "Tous les événements")])


@bp.get("/ressources")
def index():
    for_members = current_member() is not None
    form = _search_form(for_members)
    criteria = services.ResourceFilter(
        words=form.q.data or "", kind=form.type.data or "", theme=form.theme.data or "",
        year=database_int(form.annee.data), event_id=database_int(form.evenement.data))
    # The texts are the search's business, not the list's: a PDF's can weigh a hundred pages.
    query = services.find_resources(criteria, for_members).options(
        selectinload(Resource.themes), *(defer(column, raiseload=True) for column in (
            Resource.description_markdown, Resource.extracted_text, Resource.search_vector)))
    page = db.paginate(query, per_page=current_app.config["RESOURCES_PAGE_SIZE"])
    return render_template("resources/index.html", page=page, form=form,
                           for_members=for_members, kinds=RESOURCE_KIND_LABELS,
                           searching=bool(criteria.words.strip()))


def _search_form(for_members: bool) -> ResourceSearchForm:
    form = ResourceSearchForm(formdata=request.args)
    visible = services.find_resources(services.ResourceFilter(), for_members).order_by(None)
    ids = visible.with_only_columns(Resource.id).scalar_subquery()
    form.theme.choices += [SelectChoice(name, name) for name in db.session.scalars(
        select(ResourceTheme.name).where(ResourceTheme.resource_id.in_(ids)).distinct()
        .order_by(ResourceTheme.name))]
    # The years and the events in one pass over the visible resources.
    years_and_events = db.session.execute(visible.with_only_columns(
        extract("year", Resource.dated), Resource.event_id).distinct()).all()
    years = sorted({int(year) for year, _ in years_and_events}, reverse=True)
    form.annee.choices += [SelectChoice(str(year), str(year)) for year in years]
    event_ids = {event_id for _, event_id in years_and_events if event_id is not None}
    if event_ids:
        form.evenement.choices += [SelectChoice(str(event_id), title) for event_id, title in
                                   db.session.execute(select(Event.id, Event.title).where(
                                       Event.id.in_(event_ids)).order_by(Event.starts_at.desc()))]
    return form


def _visible(resource_id: int) -> Resource | None:
    """The resource if this visitor may see it; None asks a visitor to sign in."""
    resource = db.get_or_404(Resource, resource_id)
    if resource.status != ResourceStatus.PUBLISHED:
        abort(404)
    return resource if services.can_see(resource, current_member() is not None) else None


def _members_only(resource_id: int):
    """To the sign-in, whose e-mailed link brings the member back to the resource's page."""
    flash("Cette ressource est réservée aux membres du réseau : connectez-vous à votre espace "
          "membre pour y accéder.", "warning")
    return redirect(url_for("members_space.sign_in",
                            next=url_for(".detail", resource_id=resource_id)))


@bp.get("/ressources/<int:resource_id>")
def detail(resource_id):
    resource = _visible(resource_id)
    if resource is None:
        return _members_only(resource_id)
    return render_template("resources/detail.html", resource=resource,
                           kinds=RESOURCE_KIND_LABELS, visibilities=VISIBILITY_LABELS)


@bp.get("/ressources/<int:resource_id>/fichier")
def download(resource_id):
    resource = _visible(resource_id)
    if resource is None:
        return _members_only(resource_id)
    if resource.file_hash is None:
        if resource.external_url:
            services.count_download(resource, utcnow())
            db.session.commit()
            return redirect(resource.external_url)
        abort(404)
    path = stored_path(resource.file_hash)
    if not path.exists():
        abort(404)
    services.count_download(resource, utcnow())
    db.session.commit()
    # Always an attachment, with its checked type and no sniffing: an upload can never be
    # displayed as a page of the site.
    response = send_file(path, mimetype=resource.file_type, as_attachment=True,
                         download_name=resource.served_file_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
