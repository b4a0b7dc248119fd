"""/confidentialite says what is kept, for how long, how to get it and how to leave."""

import re

from tests.factories import NOW, make_member

# Each part of « Mes données » (network/members_space/export.py), as the notice names it.
EXPORT_PARTS = {
    "coordonnees": "téléphone", "statut": "statut", "motif_de_sortie": "motif",
    "fiche_creee_le": "création de votre fiche", "candidature_le": "candidature",
    "consentement_confidentialite_le": "consentement", "membre_depuis": "adhésion",
    "sorti_le": "sortie", "adresse_en_echec": "ne reçoit plus",
    "demande_d_adhesion_en_attente": "demande d'adhésion faite avec votre adresse",
    "historique": "historique", "acceptations_de_la_charte": "acceptations de la charte",
    "renouvellements": "renouvellement", "inscriptions_aux_evenements": "inscriptions aux",
    "notes_des_administrateurs": "notes", "modifications": "journal des modifications",
    "emails_envoyes": "e-mails que le réseau vous a envoyés",
    "notifications_aux_administrateurs": "notifications",
    "import_depuis_les_fichiers_du_reseau": "l'import qui vous a inscrit",
    "invitation_au_lancement_du_site": "l'invitation à découvrir le site",
    "attestations": "attestations que vous avez téléchargées",
    "propositions_de_themes": "les thèmes que vous avez proposés",
    "votes_pour_des_themes": "vos votes pour des thèmes d'ateliers",
    "questionnaires": "les questionnaires que vous avez reçus",
}


def notice_text(client) -> str:
    html = client.get("/confidentialite").text
    text = re.sub(r"<[^>]+>", " ", html).replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def test_the_notice_names_everything_the_export_holds(app, client):
    from network.members_space.export import personal_data

    text = notice_text(client)
    assert set(EXPORT_PARTS) == set(personal_data(make_member(NOW))), "a new part of the export"
    missing = [part for part, words in EXPORT_PARTS.items() if words not in text]
    assert missing == []


def test_the_notice_says_how_long_and_follows_the_settings(make_app):
    app = make_app(RETENTION_MONTHS=18, GUEST_RETENTION_DAYS=45, APPLICATION_EXPIRY_DAYS=21)
    with app.app_context():
        text = notice_text(app.test_client())
    assert "18 mois" in text and "45 jours après l'événement" in text and "21 jours" in text
    for promise in ("anonymisées", "participants extérieurs", "notes",
                    "Mes données", "/connexion", "Quitter le réseau",
                    "un lien pour quitter le réseau figure dans chaque e-mail",
                    "ni adresse e-mail", "restent, sans votre nom"):
        assert promise in text, promise
