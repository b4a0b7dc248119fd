"""« Mes données »: everything the network holds about a person, for them to download.

tests/members_space/test_personal_data.py lists every column about a person and checks that
each personal one is here or erased by the anonymisation.
"""

import json
from datetime import date, datetime

from sqlalchemy import select

from network.admin.models import AdminNote, AuditEntry
from network.attestations.models import Attestation
from network.attestations.services import grouped
from network.evaluations.services import invitations_of
from network.events.models import Event, Registration
from network.extensions import db
from network.golive.models import GoLiveInvitation
from network.imports.models import MemberImport
from network.mail.models import OutboxMessage
from network.mail.retention import mail_about
from network.membership.models import CharterAcceptance, Person, StatusChange
from network.renewal.models import RenewalCampaign, RenewalRequest
from network.templating import paris_noon
from network.themes.personal_data import proposals_of, votes_of


def when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def answered_day(day: date | None) -> str | None:
    """A day kept without its hour (a questionnaire's answer), as noon in Paris that day."""
    return when(paris_noon(day)) if day else None


def personal_data(person: Person) -> dict:
    """Everything the network holds about a person, for them to download."""
    return {
        "coordonnees": _details(person),
        "statut": person.status, "motif_de_sortie": person.exit_reason,
        "fiche_creee_le": when(person.created_at), "candidature_le": when(person.applied_at),
        "consentement_confidentialite_le": when(person.privacy_consent_at),
        "membre_depuis": when(person.member_since), "sorti_le": when(person.exited_at),
        "adresse_en_echec": {"le": when(person.email_bounced_at),
                             "motif": person.email_bounce_reason}
        if person.email_bounced_at or person.email_bounce_reason else None,
        # A sign-up with this address waiting for the charter to be accepted.
        "demande_d_adhesion_en_attente": json.loads(person.pending_application)
        if person.pending_application else None,
        "historique": _history(person),
        "acceptations_de_la_charte": [
            {"version": acceptance.charter_version.number, "le": when(acceptance.accepted_at),
             "maniere": acceptance.method, "enregistree_par": acceptance.recorded_by,
             "note": acceptance.note}
            for acceptance in _rows(CharterAcceptance, person, CharterAcceptance.accepted_at)],
        "import_depuis_les_fichiers_du_reseau": _import(person),
        "invitation_au_lancement_du_site": _go_live(person),
        "renouvellements": _renewals(person),
        "inscriptions_aux_evenements": _registrations(person),
        "attestations": _attestations(person),
        "propositions_de_themes": proposals_of(person),
        "votes_pour_des_themes": votes_of(person),
        # That they were asked and answered; never the answers, which have no name.
        "questionnaires": [
            {"questionnaire": invitation.survey.title, "invite_le": when(invitation.invited_at),
             "reponse_donnee_le": answered_day(invitation.answered_on)}
            for invitation in invitations_of(person)],
        "notes_des_administrateurs": [
            {"le": when(note.created_at), "par": note.author, "texte": note.text}
            for note in _rows(AdminNote, person, AdminNote.created_at)],
        "modifications": [
            {"le": when(entry.at), "action": entry.action, "par": entry.admin_email,
             "detail": entry.detail}
            for entry in _rows(AuditEntry, person, AuditEntry.at)],
        "emails_envoyes": [_email(message) for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.person_id == person.id)
            .order_by(OutboxMessage.created_at, OutboxMessage.id))],
        "notifications_aux_administrateurs": [_email(message) for message in db.session.scalars(
            select(OutboxMessage).where(mail_about([person.id]))
            .order_by(OutboxMessage.created_at, OutboxMessage.id))],
    }


def _import(person: Person) -> dict | None:
    record = db.session.get(MemberImport, person.member_import_id) \
        if person.member_import_id else None
    return {"numero": record.id, "fichier": record.file_name,
            "le": when(record.imported_at)} if record else None


def _go_live(person: Person) -> dict | None:
    invitation = db.session.get(GoLiveInvitation, person.id)
    return {"envoyee_le": when(invitation.sent_at), "relancee_le": when(invitation.reminded_at),
            "repondu_le": when(invitation.answered_at)} if invitation else None


def _rows(model, person: Person, order):
    return db.session.scalars(select(model).where(model.person_id == person.id)
                              .order_by(order, model.id))


def _details(person: Person) -> dict:
    return {
        "prenom": person.first_name, "nom": person.last_name, "email": person.email,
        "email_en_attente_de_confirmation": person.pending_email,
        "telephone": person.phone, "structure": person.organisation,
        "fonction": person.job_title, "site_internet": person.website,
        "profil": person.profile,
        "departements": [{"code": d.code, "nom": d.name} for d in person.departments],
        "champs_qvt": [{"code": f.code, "libelle": f.label} for f in person.qvt_fields],
        "reference_reflex_qvt": person.listed_on_reflex_qvt,
        "annuaire": person.directory_opt_in,
        "recevoir_les_envois_du_reseau": not person.mailings_opt_out,
    }


def _history(person: Person) -> list[dict]:
    return [{"le": when(change.changed_at), "de": change.from_status, "vers": change.to_status,
             "motif": change.reason, "motif_de_sortie": change.exit_reason,
             "par": change.changed_by}
            for change in _rows(StatusChange, person, StatusChange.changed_at)]


def _renewals(person: Person) -> list[dict]:
    return [{"campagne": campaign.year, "etat": request.status,
             "formulaire_envoye_le": when(request.created_at),
             "formulaire_ouvert_le": when(request.first_opened_at),
             "repondu_le": when(request.answered_at), "repondu_par": request.answered_by,
             "derniere_relance_le": when(request.last_reminder_at),
             "derniere_relance_jours_avant": request.last_reminder_days,
             "echeance_personnelle": when(request.deadline)}
            for request, campaign in db.session.execute(
                select(RenewalRequest, RenewalCampaign).join(RenewalCampaign)
                .where(RenewalRequest.person_id == person.id)
                .order_by(RenewalCampaign.year))]


def _registrations(person: Person) -> list[dict]:
    return [{"evenement": r.event.title, "debut": when(r.event.starts_at), "etat": r.status,
             "demande_le": when(r.created_at), "place_le": when(r.placed_at),
             "inscrit_le": when(r.placed_at or r.created_at),
             "sorti_de_la_liste_d_attente_le": when(r.promoted_at),
             "annule_le": when(r.cancelled_at), "present": r.attended,
             "venu_sans_inscription": r.walk_in}
            for r in db.session.scalars(select(Registration).join(Event).where(
                Registration.person_id == person.id).order_by(Event.starts_at))]


def _attestations(person: Person) -> list[dict]:
    return [{"type": attestation.kind, "code": grouped(attestation.code),
             "evenement": attestation.registration.event.title
             if attestation.registration else None,
             "annee": attestation.year, "delivree_le": when(attestation.issued_at),
             "badge_publie": attestation.published}
            for attestation in _rows(Attestation, person, Attestation.issued_at)]


def _email(message: OutboxMessage) -> dict:
    return {"le": when(message.created_at), "envoye_le": when(message.sent_at),
            "a": message.recipient, "objet": message.subject, "etat": message.status,
            "erreur_de_remise": message.last_error, "texte": message.body_text}
