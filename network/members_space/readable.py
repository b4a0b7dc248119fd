"""« Mes données » for a person to read: the export's dict (export.personal_data), every part of
it, with French headings and values (dates in French, oui/non, labels of statuses and codes).

Built from the dict itself, never from a query of its own: the page and the JSON file cannot
say different things. A key without a heading here still shows, under its own name
(tests/members_space/test_my_data_page.py asks for a heading for each).
"""

from dataclasses import dataclass, field
from datetime import datetime

from network.admin.campaign import REQUEST_LABELS
from network.admin.journal import ACTION_LABELS
from network.admin.outbox import STATUS_LABELS as EMAIL_STATUS_LABELS
from network.attestations.models import ATTESTATION_KIND_LABELS
from network.events.models import REGISTRATION_STATUS_LABELS
from network.membership.models import (
    ACCEPTANCE_METHOD_LABELS,
    EXIT_REASON_LABELS,
    STATUS_LABELS,
)
from network.reference import PROFILES
from network.templating import french_date

# The export's parts that are lists or records, in the order of the export.
SECTIONS = {
    "coordonnees": "Mes coordonnées",
    "adresse_en_echec": "Adresse e-mail qui ne reçoit plus nos messages",
    "demande_d_adhesion_en_attente": "Demande d'adhésion en attente",
    "historique": "Historique de mon statut",
    "acceptations_de_la_charte": "Mes acceptations de la charte",
    "import_depuis_les_fichiers_du_reseau": "Import depuis les fichiers du réseau",
    "invitation_au_lancement_du_site": "Invitation à découvrir le site",
    "renouvellements": "Mes renouvellements",
    "inscriptions_aux_evenements": "Mes inscriptions aux événements",
    "attestations": "Mes attestations",
    "propositions_de_themes": "Mes propositions de thèmes d'ateliers",
    "votes_pour_des_themes": "Mes votes pour des thèmes d'ateliers",
    "questionnaires": "Questionnaires reçus (vos réponses, anonymes, n'y figurent pas)",
    "notes_des_administrateurs": "Notes des administrateurs",
    "modifications": "Journal des modifications de ma fiche",
    "emails_envoyes": "E-mails que le réseau m'a envoyés",
    "notifications_aux_administrateurs": "Notifications envoyées aux administrateurs à mon sujet",
}
# The export's single values (status, dates) go together, under this heading.
MEMBERSHIP = "Mon adhésion"
# What a section says when the export has nothing there.
NOTHING = {
    "adresse_en_echec": "Aucun échec : votre adresse reçoit nos messages.",
    "demande_d_adhesion_en_attente": "Aucune demande en attente.",
    "import_depuis_les_fichiers_du_reseau": "Vous n'avez pas été inscrit·e par un import.",
    "invitation_au_lancement_du_site": "Aucune invitation.",
}

LABELS = {
    # Mon adhésion
    "statut": "Statut", "motif_de_sortie": "Motif de sortie", "fiche_creee_le": "Fiche créée le",
    "candidature_le": "Candidature le",
    "consentement_confidentialite_le": "Consentement à la notice de confidentialité le",
    "membre_depuis": "Membre depuis le", "sorti_le": "Sorti·e du réseau le",
    # Mes coordonnées
    "prenom": "Prénom", "nom": "Nom", "email": "Adresse e-mail",
    "email_en_attente_de_confirmation": "Nouvelle adresse e-mail en attente de confirmation",
    "telephone": "Téléphone", "structure": "Structure", "fonction": "Fonction",
    "site_internet": "Site internet", "profil": "Profil",
    "departements": "Départements d'intervention", "champs_qvt": "Champs de la QVT",
    "reference_reflex_qvt": "Référencé·e sur Reflex QVT",
    "annuaire": "Dans l'annuaire des membres",
    "recevoir_les_envois_du_reseau": "Reçoit les envois du réseau",
    # The pending sign-up, stored as the form gave it.
    "first_name": "Prénom", "last_name": "Nom", "organisation": "Structure",
    "profile": "Profil", "department_codes": "Départements d'intervention",
    "qvt_field_codes": "Champs de la QVT", "phone": "Téléphone", "job_title": "Fonction",
    "website": "Site internet", "listed_on_reflex_qvt": "Référencé·e sur Reflex QVT",
    "directory_opt_in": "Dans l'annuaire des membres", "applied_at": "Demande faite le",
    # Parts of the lists
    "le": "Date", "de": "Ancien statut", "vers": "Nouveau statut", "motif": "Motif",
    "par": "Par", "version": "Version de la charte", "maniere": "Manière",
    "enregistree_par": "Enregistrée par", "note": "Note", "numero": "Import n°",
    "fichier": "Fichier", "envoyee_le": "Envoyée le", "relancee_le": "Relancée le",
    "repondu_le": "Réponse le", "campagne": "Campagne", "etat": "État",
    "formulaire_envoye_le": "Formulaire envoyé le", "formulaire_ouvert_le": "Formulaire ouvert le",
    "repondu_par": "Réponse donnée par", "derniere_relance_le": "Dernière relance le",
    "derniere_relance_jours_avant": "Dernière relance (jours avant l'échéance)",
    "echeance_personnelle": "Échéance", "evenement": "Événement", "debut": "Début",
    "demande_le": "Demande le", "place_le": "Place attribuée le", "inscrit_le": "Inscrit·e le",
    "sorti_de_la_liste_d_attente_le": "Sorti·e de la liste d'attente le",
    "annule_le": "Annulée le", "present": "Présent·e",
    "venu_sans_inscription": "Venu·e sans inscription (ajouté·e sur place)", "texte": "Texte",
    "action": "Action",
    "detail": "Détail", "envoye_le": "Envoyé le", "a": "Destinataire", "objet": "Objet",
    "erreur_de_remise": "Erreur de remise",
    "type": "Attestation", "code": "Code de vérification", "annee": "Année",
    "delivree_le": "Délivrée le", "badge_publie": "Badge publié",
    "appel": "Appel à thèmes", "titre": "Thème", "description": "Description",
    "proposee_le": "Proposé le", "masquee_le": "Masqué par le GT QVT le", "theme": "Thème",
    "questionnaire": "Questionnaire", "invite_le": "Reçu le",
    "reponse_donnee_le": "Réponse donnée le",
}
# Keys whose value is an instant (ISO 8601); a day stored as an instant shows without its hour.
DAYS = {"membre_depuis", "reponse_donnee_le"}
INSTANTS = {key for key in LABELS if key.endswith("_le") or key == "le"} | {
    "debut", "echeance_personnelle", "applied_at"} | DAYS
# Codes shown by their label: by key, or by key within a section (an "etat" is not the same
# thing in a renewal, a registration and an e-mail).
CODES = {
    "statut": STATUS_LABELS, "de": STATUS_LABELS, "vers": STATUS_LABELS,
    "motif_de_sortie": EXIT_REASON_LABELS, "profil": dict(PROFILES),
    "profile": dict(PROFILES), "maniere": ACCEPTANCE_METHOD_LABELS, "action": ACTION_LABELS,
    ("renouvellements", "etat"): REQUEST_LABELS,
    ("inscriptions_aux_evenements", "etat"): REGISTRATION_STATUS_LABELS,
    ("emails_envoyes", "etat"): EMAIL_STATUS_LABELS,
    ("attestations", "type"): ATTESTATION_KIND_LABELS,
    ("notifications_aux_administrateurs", "etat"): EMAIL_STATUS_LABELS,
}
# What an empty value means where "non renseigné" would not say it.
EMPTY = {("historique", "de"): "aucun (nouvelle fiche)",
         ("inscriptions_aux_evenements", "annule_le"): "pas d'annulation",
         ("attestations", "evenement"): "—", ("attestations", "annee"): "—",
         ("propositions_de_themes", "masquee_le"): "non (visible des membres)",
         ("questionnaires", "reponse_donnee_le"): "pas de réponse"}
# Long texts (an e-mail, a note): shown folded, line by line.
LONG = {"texte"}
UNKNOWN = "non renseigné"


@dataclass
class Field:
    label: str
    # A line of text, several lines (a list shown as a list), or a long text folded.
    value: str | list[str]
    long: bool = False


@dataclass
class Section:
    key: str
    title: str
    fields: list[Field] = field(default_factory=list)
    # For the lists of the export: one group of fields per item.
    items: list[list[Field]] = field(default_factory=list)
    is_list: bool = False
    nothing: str = ""


def readable(data: dict, departments: dict[str, str] | None = None,
             qvt_fields: dict[str, str] | None = None) -> list[Section]:
    """The export as sections to show; `departments` and `qvt_fields` name the codes of a
    pending sign-up (reference data, not the person's)."""
    names = {"department_codes": departments or {}, "qvt_field_codes": qvt_fields or {}}
    sections, membership = [], Section("adhesion", MEMBERSHIP)
    for key, value in data.items():
        if key not in SECTIONS and not isinstance(value, dict | list):
            if not membership.fields:
                sections.append(membership)
            membership.fields.append(_field(key, value, key, names))
            continue
        section = Section(key, SECTIONS.get(key, _humane(key)), is_list=isinstance(value, list),
                          nothing=NOTHING.get(key, "Rien à ce jour."))
        if isinstance(value, list):
            section.items = [_fields(item, key, names) for item in value]
        elif value is not None:
            section.fields = _fields(value, key, names)
        sections.append(section)
    return sections


def _fields(record: dict, section: str, names: dict) -> list[Field]:
    return [_field(key, value, section, names) for key, value in record.items()]


def _field(key: str, value, section: str, names: dict) -> Field:
    return Field(LABELS.get(key, _humane(key)), _value(key, value, section, names),
                 long=key in LONG and bool(value))


def _value(key: str, value, section: str, names: dict) -> str | list[str]:
    if value is None or value == "" or value == []:
        return EMPTY.get((section, key), UNKNOWN)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return [_item(key, item, names) for item in value]
    if key in INSTANTS and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return french_date(moment, with_time=key not in DAYS)
    labels = CODES.get((section, key)) or CODES.get(key)
    if labels is not None:
        return labels.get(value, str(value))
    return str(value)


def _item(key: str, item, names: dict) -> str:
    """An element of a list: a department (code and name), a QVT field (its label), a code."""
    if isinstance(item, dict):
        if "nom" in item:
            return f"{item['code']} – {item['nom']}"
        if "libelle" in item:
            return item["libelle"]
        return ", ".join(f"{LABELS.get(k, _humane(k))} : {v}" for k, v in item.items())
    text = str(item)
    named = names.get(key, {}).get(text)
    return f"{text} – {named}" if named and key == "department_codes" else named or text


def _humane(key: str) -> str:
    return key.replace("_", " ").capitalize()
