"""Charter versions: write in Markdown, preview, publish."""

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import func, select
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.forms import Form
from network.membership.models import CharterAcceptance, CharterVersion
from network.membership.services import current_charter, publish_charter


class CharterForm(Form):
    title = StringField("Titre", validators=[
        DataRequired("Ce champ est obligatoire."),
        Length(max=200, message="200 caractères au maximum.")])
    text = TextAreaField("Texte de la charte (Markdown)", validators=[
        DataRequired("Le texte de la charte est vide."),
        Length(max=50_000, message="50 000 caractères au maximum.")],
        description="Titres avec ##, listes avec -, gras avec **texte**. Les balises HTML ne "
                    "sont pas conservées.", render_kw={"rows": 18})
    confirm = BooleanField("Je confirme la publication : les nouveaux candidats accepteront "
                           "cette version, les membres à leur prochain renouvellement")
    preview = SubmitField("Aperçu")
    publish = SubmitField("Publier cette version")


@bp.route("/charte", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def charter_versions():
    current = current_charter()
    form = CharterForm(data={"title": current.title, "text": current.text_markdown})
    preview = None
    if form.validate_on_submit():
        if form.publish.data and form.confirm.data:
            version = publish_charter(form.title.data, form.text.data, utcnow())
            db.session.flush()
            audit(g.admin.email, "charter.publish", utcnow(), detail=f"version {version.number}")
            db.session.commit()
            flash(f"La version {version.number} de la charte est publiée.", "success")
            return redirect(url_for(".charter_versions"))
        if form.publish.data:
            form.confirm.errors.append("Cochez la case pour confirmer la publication.")
        preview = form.text.data
    counts = dict(db.session.execute(
        select(CharterAcceptance.charter_version_id, func.count())
        .group_by(CharterAcceptance.charter_version_id)).all())
    versions = db.session.scalars(
        select(CharterVersion).order_by(CharterVersion.number.desc())).all()
    return render_template("admin/charter.html", form=form, preview=preview, versions=versions,
                           counts=counts, current=current), 400 if form.errors else 200


@bp.get("/charte/<int:number>")
@requires(ADMINISTRATEUR)
def charter_version(number):
    version = db.session.scalar(select(CharterVersion).where(CharterVersion.number == number))
    if version is None:
        abort(404)
    return render_template("admin/charter_version.html", version=version)
