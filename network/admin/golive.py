"""The go-live invitation in the back-office: who was invited and who answered; send it to the
imported members, remind those who have not answered."""

from flask import flash, g, redirect, render_template, request, url_for
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.forms import Form
from network.golive import services
from network.templating import plural

# ?reponse=oui|non: the invited who answered, or not yet.
ANSWER_FILTERS = {"oui": True, "non": False}


class InviteForm(Form):
    confirm = BooleanField("Je confirme l'envoi de l'invitation à ces membres importés",
                           validators=[DataRequired("Cochez la case pour confirmer l'envoi.")])
    submit = SubmitField("Envoyer l'invitation aux membres importés")


class RemindForm(Form):
    submit = SubmitField("Relancer ceux qui n'ont pas répondu")


@bp.get("/membres/lancement")
@requires(ADMINISTRATEUR)
def members_golive():
    answer = request.args.get("reponse", "")
    answer = answer if answer in ANSWER_FILTERS else ""
    page = db.paginate(services.invitations(ANSWER_FILTERS.get(answer)), per_page=50)
    return render_template(
        "admin/members/golive.html", counts=services.counts(utcnow()), page=page, answer=answer,
        charter_pending=services.charter_pending_among([item.person_id for item in page.items]),
        invite_form=InviteForm(), remind_form=RemindForm())


@bp.post("/membres/lancement/inviter")
@requires(ADMINISTRATEUR)
def members_golive_invite():
    if not InviteForm().validate_on_submit():
        flash("Cochez la case pour confirmer l'envoi.", "danger")
        return redirect(url_for(".members_golive"))
    now = utcnow()
    batches = []
    queued = services.invite_imported_members(now, progress=lambda _, count: batches.append(count))
    audit(g.admin.email, "golive.invite", now,
          detail=plural(queued, "membre invité", "membres invités"))
    db.session.commit()
    if queued:
        flash(f"L'invitation part vers {queued} membre{'s' if queued > 1 else ''} importé"
              f"{'s' if queued > 1 else ''} ({len(batches)} lot{'s' if len(batches) > 1 else ''} "
              "mis en file d'envoi) : les e-mails partent dans les prochaines minutes.", "success")
    else:
        flash("Tous les membres importés ont déjà reçu l'invitation : personne de plus.", "info")
    return redirect(url_for(".members_golive"))


@bp.post("/membres/lancement/relancer")
@requires(ADMINISTRATEUR)
def members_golive_remind():
    if RemindForm().validate_on_submit():
        now = utcnow()
        queued = services.remind_unanswered(now)
        audit(g.admin.email, "golive.remind", now, detail=plural(queued, "relance"))
        db.session.commit()
        if queued:
            flash(f"Une relance part vers {queued} membre{'s' if queued > 1 else ''} "
                  "sans réponse : les e-mails partent dans les prochaines minutes.", "success")
        else:
            flash("Personne à relancer : chacun a répondu, ou a déjà reçu l'invitation ou une "
                  "relance aujourd'hui.", "info")
    return redirect(url_for(".members_golive"))
