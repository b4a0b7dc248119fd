"""Mailings to the network's mailing list: compose, preview, test, send."""

from flask import flash, g, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import BooleanField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.forms import Form
from network.mailings import services
from network.mailings.models import Mailing
from network.membership.forms import CheckboxListField, department_choices, qvt_field_choices
from network.reference import PROFILES
from network.templating import plural


class MailingForm(Form):
    subject = StringField("Objet", validators=[
        DataRequired("Ce champ est obligatoire."),
        Length(max=200, message="200 caractères au maximum.")])
    body = TextAreaField("Message (Markdown)", validators=[
        DataRequired("Le message est vide."),
        Length(max=50_000, message="50 000 caractères au maximum.")],
        description="Titres avec ##, listes avec -, gras avec **texte**, liens avec "
                    "[texte](https://…). Les liens pour ne plus recevoir les envois et pour "
                    "quitter le réseau sont ajoutés en pied de message.",
        render_kw={"rows": 14})
    profiles = CheckboxListField("Profils", choices=[SelectChoice(k, v) for k, v in PROFILES])
    departments = CheckboxListField("Départements")
    qvt_fields = CheckboxListField("Champs de la QVT")
    newsletter = BooleanField(
        "Lettre d'information : l'archiver sur le site une fois envoyée",
        description="Elle paraît alors dans les lettres d'information de la page Actualités, "
                    "sans les liens personnels de l'e-mail.")
    submit = SubmitField("Voir l'aperçu et les destinataires")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.departments.choices = department_choices()
        self.qvt_fields.choices = qvt_field_choices()


class SendForm(Form):
    confirm = BooleanField("Je confirme l'envoi à tous ces destinataires",
                           validators=[DataRequired("Cochez la case pour confirmer l'envoi.")])
    submit = SubmitField("Envoyer")


class TestForm(Form):
    submit = SubmitField("M'envoyer un test")


@bp.get("/envois")
@requires(ANIMATION)
def mailings():
    sent = db.session.scalars(select(Mailing).order_by(Mailing.created_at.desc())).all()
    counts = services.delivery_counts([m.id for m in sent])
    return render_template("admin/mailings/list.html", mailings=sent, counts=counts)


@bp.route("/envois/nouveau", methods=["GET", "POST"])
@bp.route("/envois/<int:mailing_id>/modifier", methods=["GET", "POST"])
@requires(ANIMATION)
def mailing_edit(mailing_id=None):
    mailing = db.get_or_404(Mailing, mailing_id) if mailing_id else None
    if mailing and mailing.send_requested_at:
        flash("Cet envoi est parti : il ne peut plus être modifié.", "warning")
        return redirect(url_for(".mailing", mailing_id=mailing.id))
    form = MailingForm(data=None if mailing is None else {
        "subject": mailing.subject, "body": mailing.body_markdown,
        "profiles": services.segment_codes(mailing.profiles),
        "departments": services.segment_codes(mailing.department_codes),
        "qvt_fields": services.segment_codes(mailing.qvt_field_codes),
        "newsletter": mailing.newsletter})
    if form.validate_on_submit():
        if mailing is None:
            mailing = Mailing(created_by=g.admin.email, created_at=utcnow())
            db.session.add(mailing)
        mailing.subject = form.subject.data.strip()
        mailing.body_markdown = form.body.data.strip()
        mailing.profiles = ",".join(form.profiles.data or [])
        mailing.department_codes = ",".join(form.departments.data or [])
        mailing.qvt_field_codes = ",".join(form.qvt_fields.data or [])
        mailing.newsletter = bool(form.newsletter.data)
        db.session.commit()
        return redirect(url_for(".mailing", mailing_id=mailing.id))
    return render_template("admin/mailings/edit.html", form=form, mailing=mailing), (
        400 if form.errors else 200)


@bp.get("/envois/<int:mailing_id>")
@requires(ANIMATION)
def mailing(mailing_id):
    mailing = db.get_or_404(Mailing, mailing_id)
    return render_template(
        "admin/mailings/detail.html", mailing=mailing, send_form=SendForm(),
        test_form=TestForm(), recipients=services.count_recipients(mailing),
        opted_out=services.count_opted_out(mailing),
        counts=services.delivery_counts([mailing.id])[mailing.id])


@bp.post("/envois/<int:mailing_id>/test")
@requires(ANIMATION)
def mailing_test(mailing_id):
    mailing = db.get_or_404(Mailing, mailing_id)
    if TestForm().validate_on_submit():
        services.send_test(mailing, g.admin.email, utcnow())
        db.session.commit()
        flash(f"Un test est parti vers {g.admin.email}.", "success")
    return redirect(url_for(".mailing", mailing_id=mailing.id))


@bp.post("/envois/<int:mailing_id>/envoyer")
@requires(ANIMATION)
def mailing_send(mailing_id):
    mailing = db.get_or_404(Mailing, mailing_id)
    form = SendForm()
    if mailing.send_requested_at:
        flash("Cet envoi est déjà parti.", "warning")
    elif not form.validate_on_submit():
        flash("Cochez la case pour confirmer l'envoi.", "danger")
    else:
        now = utcnow()
        services.request_sending(mailing, now)
        audit(g.admin.email, "mailing.send", now,
              detail=f"« {mailing.subject} » à {plural(mailing.recipient_count, 'membre')}")
        db.session.commit()
        flash(f"L'envoi à {plural(mailing.recipient_count, 'membre')} est lancé : les e-mails "
              "partent dans les prochaines minutes.", "success")
    return redirect(url_for(".mailing", mailing_id=mailing.id))


@bp.post("/envois/<int:mailing_id>/<any('archiver', 'desarchiver'):action>")
@requires(ANIMATION)
def mailing_archive(mailing_id, action):
    """Mark a mailing as a newsletter, or not, even once sent: archived on the site if it is one
    and has gone out (a letter sent before it was marked, a letter to take back)."""
    mailing = db.get_or_404(Mailing, mailing_id)
    mailing.newsletter = action == "archiver"
    audit(g.admin.email, "mailing.newsletter" if mailing.newsletter else "mailing.not_newsletter",
          utcnow(), detail=f"« {mailing.subject} »")
    db.session.commit()
    if not mailing.newsletter:
        flash("Ce message n'est plus une lettre d'information : il n'est plus archivé sur le "
              "site.", "success")
    elif mailing.queued_at:
        flash("Lettre d'information archivée sur le site.", "success")
    else:
        flash("Lettre d'information : elle sera archivée sur le site une fois envoyée.",
              "success")
    return redirect(url_for(".mailing", mailing_id=mailing.id))
