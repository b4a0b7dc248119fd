"""Every e-mail the network sent or failed to send, and retrying the failed ones."""

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.mail.delivery import retry_failed
from network.mail.models import OutboxMessage, OutboxStatus
from network.templating import plural

STATUS_LABELS = {OutboxStatus.PENDING: "En attente", OutboxStatus.SENDING: "En cours d'envoi",
                 OutboxStatus.SENT: "Envoyé", OutboxStatus.FAILED: "En échec",
                 OutboxStatus.BOUNCED: "Non remis (retour du destinataire)"}


@bp.get("/courriels")
@requires(ADMINISTRATEUR)
def outbox():
    status = request.args.get("statut", "")
    text = request.args.get("q", "").strip()
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(),
                                           OutboxMessage.id.desc())
    if status in STATUS_LABELS:
        query = query.where(OutboxMessage.status == status)
    if text:
        # autoescape: a "%" or "_" typed by the admin is a character, not a wildcard.
        query = query.where(or_(OutboxMessage.recipient.icontains(text, autoescape=True),
                                OutboxMessage.subject.icontains(text, autoescape=True)))
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template("admin/outbox/list.html", page=db.paginate(query, per_page=50),
                           counts=counts, status=status, text=text, labels=STATUS_LABELS)


@bp.get("/courriels/<int:message_id>")
@requires(ADMINISTRATEUR)
def outbox_message(message_id):
    return render_template("admin/outbox/detail.html", labels=STATUS_LABELS,
                           message=db.get_or_404(OutboxMessage, message_id))


# The message's own HTML, shown in a frame of its page: sandboxed (no script, no form, another
# origin), its inline styles allowed, nothing loaded from elsewhere (no remote image: opening
# the outbox tells no one anything).
PREVIEW_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'self'")


@bp.get("/courriels/<int:message_id>/html")
@requires(ADMINISTRATEUR)
def outbox_message_html(message_id):
    return sandboxed_email(db.get_or_404(OutboxMessage, message_id).body_html)


def sandboxed_email(html: str):
    """An e-mail's HTML for a frame of a back-office page: sandboxed, nothing of it runs."""
    return html, {"Content-Type": "text/html; charset=utf-8",
                  "Content-Security-Policy": PREVIEW_POLICY, "X-Frame-Options": "SAMEORIGIN"}


@bp.post("/courriels/<int:message_id>/reessayer")
@requires(ADMINISTRATEUR)
def outbox_retry(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    now = utcnow()
    if retry_failed([message.id], now):
        audit(g.admin.email, "outbox.retry", now, message.person_id, message.recipient)
        flash("Le message repart au prochain passage du planificateur.", "success")
    else:
        flash("Ce message n'est pas en échec : rien à réessayer.", "warning")
    db.session.commit()
    return redirect(url_for(".outbox_message", message_id=message.id))


@bp.post("/courriels/reessayer-tout")
@requires(ADMINISTRATEUR)
def outbox_retry_all():
    # The checkbox is the confirmation step: it works without JavaScript.
    if request.form.get("confirm") != "y":
        flash("Cochez la case pour confirmer.", "danger")
        return redirect(url_for(".outbox", statut=OutboxStatus.FAILED))
    now = utcnow()
    count = retry_failed(None, now)
    if count:
        audit(g.admin.email, "outbox.retry_all", now, detail=plural(count, "message"))
        flash(f"{count} message{'s' if count > 1 else ''} en échec "
              f"repart{'ent' if count > 1 else ''} au prochain passage du planificateur.",
              "success")
    else:
        # Another admin (or a double click) was faster: say so rather than log an empty action.
        flash("Aucun message en échec : rien à réessayer.", "warning")
    db.session.commit()
    return redirect(url_for(".outbox"))
