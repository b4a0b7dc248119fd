"""The automatic e-mails' texts, under « E-mails »: the list, an editor per e-mail with its
placeholders, a preview with a sample person, the way back to the default text.

Administrateur only: a text goes to every member or participant the e-mail is sent to, from
then on, whoever organises the event; and it sits with the outbox, which is theirs.
"""

from itertools import groupby

from flask import abort, flash, g, redirect, render_template, url_for
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from network.admin.outbox import sandboxed_email
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.services import audit
from network.admin.views import bp
from network.emailtexts.catalogue import EMAILS, EditableEmail
from network.emailtexts.services import (
    TextRefused,
    edited_text,
    edited_texts,
    editor_text,
    keep_draft,
    preview,
    preview_source,
    reset_text,
    save_text,
)
from network.extensions import db, utcnow
from network.forms import Form


class EmailTextForm(Form):
    subject = StringField("Objet", validators=[
        DataRequired("L'objet est vide."), Length(max=200, message="200 caractères au maximum.")])
    body = TextAreaField("Texte du message (Markdown)", validators=[
        DataRequired("Le texte est vide."),
        Length(max=20_000, message="20 000 caractères au maximum.")],
        description="Paragraphes séparés par une ligne vide ; **gras**, listes avec -, titres "
                    "avec ##, liens avec [texte]({lien}). Un lien seul dans son paragraphe "
                    "devient un bouton. Les balises HTML ne sont pas conservées.",
        render_kw={"rows": 22})
    preview = SubmitField("Aperçu")
    save = SubmitField("Enregistrer")


class ResetForm(Form):
    confirm = BooleanField("Je confirme : le texte modifié est supprimé, les prochains e-mails "
                           "reprennent le texte par défaut")
    reset = SubmitField("Revenir au texte par défaut")


def _email(name: str) -> EditableEmail:
    email = EMAILS.get(name)
    if email is None:
        abort(404)
    return email


@bp.get("/courriels/textes")
@requires(ADMINISTRATEUR)
def email_texts():
    families = [(family, list(emails))
                for family, emails in groupby(EMAILS.values(), key=lambda email: email.family)]
    return render_template("admin/email_texts/list.html", families=families,
                           texts=edited_texts())


@bp.route("/courriels/textes/<email_name>", methods=["GET", "POST"])
@requires(ADMINISTRATEUR)
def email_text(email_name):
    email = _email(email_name)
    subject, body = editor_text(email)
    form = EmailTextForm(data={"subject": subject, "body": body})
    previewed = None
    if form.validate_on_submit():
        now = utcnow()
        try:
            if form.save.data:
                save_text(email, form.subject.data, form.body.data, g.admin.email, now)
                audit(g.admin.email, "email_text.save", now, detail=email.name)
                db.session.commit()
                flash(f"Le texte « {email.label} » est enregistré : les prochains e-mails le "
                      "prennent.", "success")
                return redirect(url_for(".email_text", email_name=email.name))
            # Aperçu (or Enter in the subject): the unsaved text, checked the same way.
            keep_draft(email, g.admin.id, form.subject.data, form.body.data, now)
            db.session.commit()
            previewed = preview(email, form.subject.data, form.body.data)
        except TextRefused as refused:
            db.session.rollback()
            for field, messages in refused.problems.items():
                getattr(form, field).errors = list(getattr(form, field).errors) + messages
    return _page(email, form, ResetForm(), previewed)


def _page(email: EditableEmail, form: EmailTextForm, reset_form: ResetForm, previewed=None):
    refused = bool(form.errors or reset_form.errors)
    return render_template("admin/email_texts/edit.html", email=email, form=form,
                           reset_form=reset_form, text=edited_text(email.name),
                           preview=previewed, version=utcnow().timestamp()), (
        400 if refused else 200)


@bp.post("/courriels/textes/<email_name>/defaut")
@requires(ADMINISTRATEUR)
def email_text_reset(email_name):
    email = _email(email_name)
    reset_form = ResetForm()
    if edited_text(email.name) is None:
        flash("Cet e-mail a déjà son texte par défaut.", "warning")
        return redirect(url_for(".email_text", email_name=email.name))
    if not (reset_form.validate_on_submit() and reset_form.confirm.data):
        reset_form.confirm.errors = ["Cochez la case pour confirmer le retour au texte par "
                                     "défaut."]
        subject, body = editor_text(email)
        return _page(email, EmailTextForm(formdata=None, data={"subject": subject, "body": body}),
                     reset_form)
    now = utcnow()
    # Another admin may have gone back to it meanwhile: then there is nothing to write down.
    if reset_text(email):
        audit(g.admin.email, "email_text.reset", now, detail=email.name)
    db.session.commit()
    flash(f"« {email.label} » reprend son texte par défaut.", "success")
    return redirect(url_for(".email_text", email_name=email.name))


@bp.get("/courriels/textes/<email_name>/apercu")
@requires(ADMINISTRATEUR)
def email_text_preview(email_name):
    """The previewed e-mail's HTML, framed by the editor's page: sandboxed like the outbox's."""
    email = _email(email_name)
    subject, body = preview_source(email, g.admin.id)
    return sandboxed_email(preview(email, subject, body).html)
