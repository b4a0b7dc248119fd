"""The audit log: who did what in the back-office."""

from datetime import datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.admin.models import AuditEntry
from network.admin.roles import ADMINISTRATEUR, requires
from network.admin.views import bp
from network.extensions import db
from network.inputs import query_date, query_int
from network.membership.models import Person
from network.templating import PARIS

ACTION_LABELS = {
    "member.edit": "Coordonnées modifiées",
    "member.renvoyer-charte": "Lien de la charte renvoyé",
    "member.reintegrer": "Réintégration",
    "member.exit": "Sortie enregistrée",
    "member.admit": "Adhésion validée",
    "member.refuse": "Candidature refusée",
    "member.create_request": "Demande reçue par e-mail saisie (lien de la charte envoyé)",
    "member.create_by_email": "Membre saisi : cadre accepté par e-mail",
    "member.note": "Note ajoutée",
    "member.self_edit": "Coordonnées modifiées par la personne",
    "member.mailings_opt_out": "Ne reçoit plus les envois du réseau",
    "member.email_confirmed": "Nouvelle adresse e-mail confirmée",
    "member.email_changed": "Adresse e-mail corrigée par le GT QVT",
    "members.export": "Export des membres",
    "members.mailing_list_export": "Export de la liste de diffusion",
    "charter.publish": "Charte publiée",
    "mailing.send": "Envoi à la liste de diffusion",
    "outbox.retry": "E-mail réessayé",
    "renewal.reminder": "Rappel de renouvellement envoyé",
    "renewal.renew": "Marqué comme renouvelé",
    "renewal.drop": "Sorti faute de réponse (décision du GT QVT)",
    "renewal.send_again": "Formulaire de renouvellement renvoyé",
    "golive.invite": "Invitation de lancement envoyée aux membres importés",
    "golive.remind": "Relance de l'invitation de lancement",
    "golive.answer": "Réponse à l'invitation de lancement",
    "outbox.retry_all": "E-mails en échec réessayés",
    "news.edit": "Actualité enregistrée",
    "news.publier": "Actualité publiée",
    "news.depublier": "Actualité retirée du site",
    "news.mailing": "Brouillon d'envoi préparé à partir d'une actualité",
    "mailing.newsletter": "Lettre d'information archivée sur le site",
    "mailing.not_newsletter": "Lettre d'information retirée des archives du site",
    "event.attendance": "Présences relevées",
    "event.walk_in": "Personne ajoutée sur place (venue sans inscription)",
    "questionnaire.edit": "Questionnaire modifié (titre, présentation)",
    "questionnaire.question": "Question de questionnaire enregistrée",
    "questionnaire.monter": "Question de questionnaire remontée",
    "questionnaire.descendre": "Question de questionnaire descendue",
    "questionnaire.retirer": "Question de questionnaire retirée",
    "questionnaire.send": "Recueil des besoins envoyé",
    "questionnaire.export": "Export des réponses à un questionnaire",
    "admin.two_factor_enabled": "Double authentification activée",
    "admin.recovery_codes_regenerated": "Nouveaux codes de secours générés",
    "admin.recovery_code_used": "Connexion avec un code de secours",
    "admin.two_factor_disabled": "Double authentification désactivée par le compte lui-même",
    "admin.two_factor_reset": "Double authentification d'un compte réinitialisée",
    "team.invite": "Invitation à l'administration envoyée",
    "team.accept": "Invitation à l'administration acceptée",
    "team.role": "Rôle d'un compte de l'administration changé",
    "team.disable": "Compte de l'administration désactivé",
    "team.enable": "Compte de l'administration réactivé",
    "email_text.save": "Texte d'un e-mail automatique enregistré",
    "email_text.reset": "Texte d'un e-mail automatique remis par défaut",
}


@bp.get("/journal")
@requires(ADMINISTRATEUR)
def journal():
    query = (select(AuditEntry).options(joinedload(AuditEntry.person))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    admin, action = request.args.get("admin", ""), request.args.get("action", "")
    # What is not a date of the site's range, or not an id, is ignored.
    start, end = query_date("du"), query_date("au")
    person_id = query_int("personne")
    if admin:
        query = query.where(AuditEntry.admin_email == admin)
    if action:
        query = query.where(AuditEntry.action == action)
    if start:
        query = query.where(AuditEntry.at >= datetime.combine(start, time(), PARIS))
    if end:
        query = query.where(AuditEntry.at < datetime.combine(end + timedelta(days=1), time(),
                                                             PARIS))
    if person_id:
        query = query.where(AuditEntry.person_id == person_id)
    # Shown above the table, so that a filtered journal never looks like the whole journal.
    person = db.session.get(Person, person_id) if person_id else None
    admins = db.session.scalars(select(AuditEntry.admin_email).distinct()
                                .order_by(AuditEntry.admin_email)).all()
    return render_template("admin/journal.html", page=db.paginate(query, per_page=50),
                           admins=admins, labels=ACTION_LABELS, admin=admin, action=action,
                           start=start, end=end, person_id=person_id, person=person)
