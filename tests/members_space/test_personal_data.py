"""Every column that holds something about a person is exported by « Mes données », erased by the
anonymisation (or, for a guest, by the purge after the event), or both.

The lists below classify each column of the person's table and of every table that refers to
it. A column added to one of them fails test_every_column_about_a_person_is_classified until it
is classified here; the other tests check that the export and the erasure do what the lists say.
"""

import json
import operator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import or_, select

from network.admin.services import add_note, audit
from network.attestations.models import Attestation, AttestationKind
from network.attestations.services import grouped
from network.evaluations.models import Purpose, Survey, SurveyInvitation
from network.evaluations.questionnaires import evaluation_questionnaire
from network.events.models import Audience, Registration
from network.events.retention import purge_past_guests
from network.events.services import (
    confirm_guest_registration,
    register_member,
    request_guest_registration,
)
from network.extensions import db
from network.golive.models import GoLiveInvitation
from network.imports.models import MemberImport
from network.mail.retention import mail_about
from network.members_space.services import anonymise_departed, personal_data
from network.membership.lifecycle import BY_THE_PERSON
from network.membership.models import Person, StatusChange
from network.membership.services import leave_network, record_email_acceptance
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.templating import paris_noon
from network.themes.models import ThemeProposal
from network.themes.services import create_round, hide_proposal, propose, vote
from tests.events.helpers import make_event
from tests.factories import NOW, make_member

ADMIN = "admin@gt-qvt.fr"

# Ids, references to other rows and technical state: nothing about the person in themselves.
NOT_PERSONAL = {
    "person.id", "person.anonymised_at", "person.session_generation",
    "person_department.person_id", "person_qvt_field.person_id",
    "admin_note.id", "admin_note.person_id",
    "audit_entry.id", "audit_entry.person_id",
    # The version accepted is exported by its number.
    "charter_acceptance.id", "charter_acceptance.person_id",
    "charter_acceptance.charter_version_id",
    "registration.id", "registration.event_id", "registration.person_id", "registration.seq",
    # The campaign is exported by its year.
    "renewal_request.id", "renewal_request.person_id", "renewal_request.campaign_id",
    "status_change.id", "status_change.person_id",
    # The import is exported by its number, file and date; the invitation's link is technical.
    "go_live_invitation.person_id", "go_live_invitation.nonce",
    # An attestation of presence is exported with its event's title.
    "attestation.id", "attestation.person_id", "attestation.registration_id",
    # The call for themes is exported by its title, the proposal voted for by its title.
    "theme_proposal.id", "theme_proposal.round_id", "theme_proposal.event_id",
    "theme_vote.id", "theme_vote.round_id", "theme_vote.proposal_id", "theme_vote.person_id",
    "theme_vote.slot",
    # The questionnaire is exported by its title (the answers have no link to anyone).
    "survey_invitation.id", "survey_invitation.survey_id",
}

# Where « Mes données » puts a column ("a.b", "a[].b" for each item of a list), with the
# transformation it makes of the stored value, if any.
EXPORTED_AS = {
    "person.email": "coordonnees.email",
    "person.first_name": "coordonnees.prenom",
    "person.last_name": "coordonnees.nom",
    "person.phone": "coordonnees.telephone",
    "person.organisation": "coordonnees.structure",
    "person.job_title": "coordonnees.fonction",
    "person.website": "coordonnees.site_internet",
    "person.profile": "coordonnees.profil",
    "person.listed_on_reflex_qvt": "coordonnees.reference_reflex_qvt",
    "person.directory_opt_in": "coordonnees.annuaire",
    "person.mailings_opt_out": ("coordonnees.recevoir_les_envois_du_reseau", operator.not_),
    "person.pending_email": "coordonnees.email_en_attente_de_confirmation",
    "person.pending_application": ("demande_d_adhesion_en_attente", json.loads),
    "person.email_bounced_at": "adresse_en_echec.le",
    "person.email_bounce_reason": "adresse_en_echec.motif",
    "person.status": "statut",
    "person.exit_reason": "motif_de_sortie",
    "person.privacy_consent_at": "consentement_confidentialite_le",
    "person.created_at": "fiche_creee_le",
    "person.applied_at": "candidature_le",
    "person.member_since": "membre_depuis",
    "person.exited_at": "sorti_le",
    "person_department.department_code": "coordonnees.departements[].code",
    "person_qvt_field.qvt_field_code": "coordonnees.champs_qvt[].code",
    "admin_note.text": "notes_des_administrateurs[].texte",
    "admin_note.author": "notes_des_administrateurs[].par",
    "admin_note.created_at": "notes_des_administrateurs[].le",
    "audit_entry.at": "modifications[].le",
    "audit_entry.admin_email": "modifications[].par",
    "audit_entry.action": "modifications[].action",
    "audit_entry.detail": "modifications[].detail",
    "charter_acceptance.accepted_at": "acceptations_de_la_charte[].le",
    "charter_acceptance.method": "acceptations_de_la_charte[].maniere",
    "charter_acceptance.recorded_by": "acceptations_de_la_charte[].enregistree_par",
    "charter_acceptance.note": "acceptations_de_la_charte[].note",
    "person.member_import_id": "import_depuis_les_fichiers_du_reseau.numero",
    "go_live_invitation.sent_at": "invitation_au_lancement_du_site.envoyee_le",
    "go_live_invitation.reminded_at": "invitation_au_lancement_du_site.relancee_le",
    "go_live_invitation.answered_at": "invitation_au_lancement_du_site.repondu_le",
    "registration.status": "inscriptions_aux_evenements[].etat",
    "registration.created_at": "inscriptions_aux_evenements[].demande_le",
    "registration.placed_at": "inscriptions_aux_evenements[].place_le",
    "registration.cancelled_at": "inscriptions_aux_evenements[].annule_le",
    "registration.promoted_at": "inscriptions_aux_evenements[].sorti_de_la_liste_d_attente_le",
    "registration.attended": "inscriptions_aux_evenements[].present",
    "registration.walk_in": "inscriptions_aux_evenements[].venu_sans_inscription",
    "renewal_request.status": "renouvellements[].etat",
    "renewal_request.created_at": "renouvellements[].formulaire_envoye_le",
    "renewal_request.first_opened_at": "renouvellements[].formulaire_ouvert_le",
    "renewal_request.answered_at": "renouvellements[].repondu_le",
    "renewal_request.answered_by": "renouvellements[].repondu_par",
    "renewal_request.last_reminder_days": "renouvellements[].derniere_relance_jours_avant",
    "renewal_request.last_reminder_at": "renouvellements[].derniere_relance_le",
    "renewal_request.deadline": "renouvellements[].echeance_personnelle",
    "status_change.from_status": "historique[].de",
    "status_change.to_status": "historique[].vers",
    "status_change.reason": "historique[].motif",
    "status_change.exit_reason": "historique[].motif_de_sortie",
    "status_change.changed_by": "historique[].par",
    "status_change.changed_at": "historique[].le",
    "attestation.kind": "attestations[].type",
    "attestation.code": ("attestations[].code", grouped),
    "attestation.year": "attestations[].annee",
    "attestation.issued_at": "attestations[].delivree_le",
    "attestation.published": "attestations[].badge_publie",
    "theme_proposal.title": "propositions_de_themes[].titre",
    "theme_proposal.description": "propositions_de_themes[].description",
    "theme_proposal.created_at": "propositions_de_themes[].proposee_le",
    "theme_proposal.hidden_at": "propositions_de_themes[].masquee_le",
    "theme_vote.created_at": "votes_pour_des_themes[].le",
    "survey_invitation.invited_at": "questionnaires[].invite_le",
    "survey_invitation.answered_on": ("questionnaires[].reponse_donnee_le",
                                      lambda day: paris_noon(day).isoformat()),
}

# What the anonymisation erases (set to nothing), RETENTION_MONTHS after the person left.
ERASED = {
    "person.email", "person.first_name", "person.last_name", "person.phone",
    "person.organisation", "person.job_title", "person.website", "person.directory_opt_in",
    "person.pending_email", "person.pending_application", "person.email_bounced_at",
    "person.email_bounce_reason", "person.sign_in_nonce", "person.charter_nonce",
    "audit_entry.detail", "charter_acceptance.note",
    # Her proposals of workshop themes stay, unlinked from her.
    "theme_proposal.person_id",
    # The questionnaires received stay in the response rates, linked to no one.
    "survey_invitation.person_id", "survey_invitation.registration_id",
}
# Tables whose rows of (or about) the person the anonymisation deletes: every column goes.
ROWS_DELETED = {"outbox_message", "admin_note", "go_live_invitation", "attestation",
                "theme_vote"}
# A guest's fields, erased GUEST_RETENTION_DAYS after their event.
GUEST_ERASED = {"registration.guest_name", "registration.guest_email",
                "registration.guest_organisation"}


def tables_about_a_person():
    """The person's table and every table that refers to it."""
    person = Person.__table__
    return [person] + [table for table in db.metadata.sorted_tables
                       if any(key.column.table is person for key in table.foreign_keys)]


def columns(table) -> list[str]:
    return [f"{table.name}.{column.name}" for column in table.columns]


def test_every_column_about_a_person_is_classified(app):
    unclassified = [
        name for table in tables_about_a_person() for name in columns(table)
        if table.name not in ROWS_DELETED
        and name not in NOT_PERSONAL | EXPORTED_AS.keys() | ERASED | GUEST_ERASED]
    assert unclassified == [], (
        "Columns that may hold personal data: export them in « Mes données » "
        "(network/members_space/export.py) or erase them with the anonymisation, say so in "
        "/confidentialite, then classify them in this test.")


def rows_of(table, person_id: int):
    if table.name == "person":
        condition = table.c.id == person_id
    elif table.name == "outbox_message":
        condition = or_(table.c.person_id == person_id, mail_about([person_id]))
    else:
        condition = table.c.person_id == person_id
    return db.session.execute(select(table).where(condition)).mappings().all()


def exported_values(data, path: str) -> list:
    values = [data]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step.removesuffix("[]")
        values = [value[key] for value in values]
        if many:
            values = [item for value in values for item in value]
    return values


def as_exported(value):
    return value.isoformat() if isinstance(value, datetime) else value


@pytest.fixture
def anne(app):
    """A member with something in every personal column."""
    anne = make_member(NOW - timedelta(days=400), email="anne.martin@exemple.fr",
                       first_name="Anne", last_name="Martin")
    anne.phone, anne.job_title, anne.website = "05 61 00 00 00", "Consultante", "https://am.fr"
    anne.listed_on_reflex_qvt = anne.directory_opt_in = anne.mailings_opt_out = True
    anne.pending_email = "anne.nouvelle@exemple.fr"
    anne.pending_application = json.dumps({"first_name": "Anne", "email": anne.email,
                                           "applied_at": NOW.isoformat()})
    anne.email_bounced_at, anne.email_bounce_reason = NOW, "550 5.1.1 boîte inconnue"
    anne.sign_in_nonce, anne.charter_nonce = "a1b2c3d4e5f60718", "0817f6e5d4c3b2a1"
    # She left once, long ago (a readmission keeps the history; these show a former exit).
    anne.exited_at, anne.exit_reason = NOW - timedelta(days=300), "voluntary"
    db.session.add_all([
        StatusChange(person_id=anne.id, from_status="member", to_status="exited",
                     reason="Sortie à sa demande", changed_by=BY_THE_PERSON,
                     changed_at=anne.exited_at, exit_reason="voluntary"),
        StatusChange(person_id=anne.id, from_status="exited", to_status="member",
                     reason="Réintégration dans le réseau", changed_by=ADMIN,
                     changed_at=NOW - timedelta(days=299))])
    add_note(anne, "Appelée le 3 mars : changera de structure en juin.", ADMIN, NOW)
    # She came from the network's former spreadsheet, her rules accepted by e-mail in 2019, and
    # answered the invitation to the site.
    record = MemberImport(file_name="membres-2019.xlsx", imported_by=ADMIN,
                          imported_at=NOW - timedelta(days=401))
    db.session.add(record)
    db.session.flush()
    anne.member_import_id = record.id
    record_email_acceptance(anne, NOW - timedelta(days=2000), ADMIN,
                            "Réponse d'Anne Martin au mail du 22/11/2019")
    db.session.add(GoLiveInvitation(person_id=anne.id, nonce="c0ffee", sent_at=NOW,
                                    reminded_at=NOW, answered_at=NOW))
    audit(ADMIN, "member.edit", NOW, anne.id, "téléphone")
    campaign = RenewalCampaign(year=2025, opens_at=NOW - timedelta(days=366),
                               deadline=NOW - timedelta(days=336),
                               opened_at=NOW - timedelta(days=366))
    db.session.add(campaign)
    db.session.flush()
    db.session.add(RenewalRequest(
        campaign_id=campaign.id, person_id=anne.id, status=RequestStatus.RENEWED,
        created_at=NOW - timedelta(days=366), first_opened_at=NOW - timedelta(days=360),
        answered_at=NOW - timedelta(days=359), answered_by=BY_THE_PERSON, last_reminder_days=14,
        last_reminder_at=NOW - timedelta(days=350), deadline=NOW - timedelta(days=330)))
    event = make_event(starts=NOW + timedelta(days=7))
    registration = register_member(event, anne, NOW)
    registration.promoted_at = registration.cancelled_at = NOW
    registration.attended = False
    # An attestation of each kind, her badge published.
    db.session.add_all([
        Attestation(code="ABCDEFGHJKMN", kind=AttestationKind.PRESENCE, person_id=anne.id,
                    registration_id=registration.id, issued_at=NOW),
        Attestation(code="0123456789AB", kind=AttestationKind.MEMBERSHIP, person_id=anne.id,
                    year=2026, issued_at=NOW, published=True)])
    # She proposed two workshop themes (one hidden by the GT QVT) and voted for one.
    theme_round = create_round("Appel à thèmes 2027", "", 3, NOW - timedelta(days=1),
                               NOW + timedelta(days=14), ADMIN, NOW)
    kept = propose(theme_round, anne, "Télétravail", "Le travail hybride.", NOW)
    hidden = propose(theme_round, anne, "Mes formations", "À vendre.", NOW)
    db.session.flush()
    hide_proposal(hidden, ADMIN, NOW)
    vote(kept, anne, NOW)
    # She was asked her opinion of an event and answered (her answers have no name).
    survey = Survey(key=f"evaluation:{event.id}", purpose=Purpose.EVALUATION, event_id=event.id,
                    questionnaire_id=evaluation_questionnaire(event.kind, NOW).id,
                    title=event.title, created_at=NOW, requested_by="planificateur")
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveyInvitation(survey_id=survey.id, person_id=anne.id,
                                    registration_id=registration.id, invited_at=NOW,
                                    answered_on=NOW.date()))
    db.session.commit()
    return anne


def test_my_data_holds_every_personal_column(anne):
    data = json.loads(json.dumps(personal_data(anne)))
    for table in tables_about_a_person():
        rows = rows_of(table, anne.id)
        for name in columns(table):
            column = name.split(".")[1]
            stored = [row[column] for row in rows if row[column] is not None]
            if name in EXPORTED_AS.keys() | ERASED:
                assert stored, f"the test's member has nothing in {name}: fill it"
            if name not in EXPORTED_AS:
                continue
            path, transform = (EXPORTED_AS[name] if isinstance(EXPORTED_AS[name], tuple)
                               else (EXPORTED_AS[name], None))
            exported = exported_values(data, path)
            for value in stored:
                expected = transform(value) if transform else as_exported(value)
                assert expected in exported, f"{name} = {value!r} is not in the export at {path}"


def test_the_export_says_what_the_admins_were_told_and_wrote(anne):
    data = personal_data(anne)
    [notification] = data["notifications_aux_administrateurs"]
    assert notification["objet"] == "Nouveau membre : Anne Martin"
    assert "Anne Martin" in notification["texte"]
    assert data["notes_des_administrateurs"][0]["texte"].startswith("Appelée le 3 mars")
    assert data["demande_d_adhesion_en_attente"]["first_name"] == "Anne"
    sent = {message["objet"] for message in data["emails_envoyes"]}
    assert "Bienvenue dans le réseau des intervenants QVT en Occitanie" in sent
    assert all(message["a"] == "anne.martin@exemple.fr" and message["texte"]
               for message in data["emails_envoyes"])


def test_the_anonymisation_erases_what_it_should(app, anne):
    leave_network(anne, NOW)
    db.session.commit()
    assert anonymise_departed(NOW + timedelta(days=30 * app.config["RETENTION_MONTHS"] + 1)) == 1
    # What she proposed stays, without her name.
    assert set(db.session.scalars(select(ThemeProposal.title).where(
        ThemeProposal.person_id.is_(None)))) == {"Télétravail", "Mes formations"}
    for table in tables_about_a_person():
        rows = rows_of(table, anne.id)
        if table.name in ROWS_DELETED:
            assert rows == [], f"{table.name}: rows of the person left"
            continue
        for name in columns(table):
            if name in ERASED:
                column = name.split(".")[1]
                assert all(row[column] in (None, "", False) for row in rows), name


def test_a_guest_is_erased_after_the_event(app):
    event = make_event(audience=Audience.PUBLIC, starts=NOW + timedelta(days=7))
    zoe = request_guest_registration(event, "Zoé Invitée", "zoe@exemple.fr", "Cabinet Z", NOW)
    confirm_guest_registration(zoe, NOW)
    db.session.commit()
    row = db.session.execute(select(Registration.__table__).where(
        Registration.id == zoe.id)).mappings().one()
    assert all(row[name.split(".")[1]] for name in GUEST_ERASED), "fill every guest field"
    purge_past_guests(event.ends_at + timedelta(days=app.config["GUEST_RETENTION_DAYS"] + 1))
    row = db.session.execute(select(Registration.__table__).where(
        Registration.id == zoe.id)).mappings().one()
    assert all(row[name.split(".")[1]] is None for name in GUEST_ERASED)
