"""Which automatic e-mails the GT QVT may reword, and with which placeholders.

The e-mails to members, applicants and participants that the site sends by itself. Not here:
the mailings (written in the back-office already), the notices to the GT QVT team (admin_*:
written for the team, about a member), and the two security messages, the sign-in link and the
confirmation of a new address (sign_in_link, confirm_email_change), whose wording is what tells
someone who did not ask for them what to do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from network.emailtexts.placeholders import (
    ANNEE,
    BLOCK,
    CARTE,
    CHARTE,
    CONTACT,
    DATE,
    DATE_FIN,
    DATE_LIMITE,
    DATE_LIMITE_COURTE,
    EMAIL,
    EVENEMENT,
    LIEN_ADHESION,
    LIEN_CONFIDENTIALITE,
    LIEN_DESINSCRIPTION,
    LIEN_ESPACE,
    LIEN_EVENEMENT,
    LIEN_QUESTIONNAIRE,
    LIEN_RENOUVELLEMENT,
    LIEU,
    LINK,
    MEMBRE_DEPUIS,
    NOM,
    NOM_COMPLET,
    PRENOM,
    PRENOM_INSCRIT,
    PRINCIPES,
    RESUME,
    SUPPORTS,
    VERSION_CHARTE,
    Placeholder,
    optional,
    required,
)

STARTERS = Path(__file__).parent / "starters"


@dataclass(frozen=True)
class EditableEmail:
    name: str  # its templates: templates/email/<name>.txt and .html
    family: str
    label: str
    when: str
    # The subject the code gives it, with placeholders: the editor's starting subject.
    subject: str
    placeholders: tuple[tuple[Placeholder, bool], ...]
    # The status of the person the preview writes to (the footer's link depends on it).
    recipient_status: str = "member"
    # Whether an edited text replaces the files for this context (None: always).
    applies: Callable[[dict], bool] | None = None

    @cached_property
    def by_name(self) -> dict[str, Placeholder]:
        return {placeholder.name: placeholder for placeholder, _ in self.placeholders}

    @cached_property
    def required_names(self) -> list[str]:
        return [placeholder.name for placeholder, needed in self.placeholders if needed]

    def starter(self) -> str:
        """The editor's starting body when no edited text exists: the default, in Markdown."""
        return (STARTERS / f"{self.name}.md").read_text(encoding="utf-8")


ADHESION, RENOUVELLEMENT, EVENEMENTS, QUESTIONNAIRES, LANCEMENT = (
    "Adhésion et sortie", "Renouvellement annuel", "Événements", "Questionnaires",
    "Lancement du site")


def _link(name, description, sample, key) -> Placeholder:
    return Placeholder(name, description, sample, lambda c: c[key], kind=LINK)


def _text(name, description, sample, value) -> Placeholder:
    return Placeholder(name, description, sample, value)


PERSON = (optional(PRENOM), optional(NOM))
REGISTERED = (optional(PRENOM_INSCRIT), optional(NOM_COMPLET), optional(EVENEMENT),
              optional(DATE), optional(LIEU), optional(LIEN_EVENEMENT))

# The invitation of the imported members and its reminder say the same things.
GOLIVE = (*PERSON, optional(MEMBRE_DEPUIS),
          required(_link("lien", "Le lien personnel pour vérifier ses informations.",
                         "/bienvenue/lien-personnel", "link")),
          optional(Placeholder("etapes", "La liste des démarches (avec l'acceptation de la "
                               "charte quand la personne ne l'a pas encore acceptée).",
                               lambda: {"charter_to_confirm": True}, kind=BLOCK,
                               partial="golive_step_list")),
          optional(LIEN_ESPACE))

EMAILS: dict[str, EditableEmail] = {email.name: email for email in [
    EditableEmail(
        "charter_link", ADHESION, "Demande d'adhésion : la charte à accepter",
        "Après une demande d'adhésion sur le site (ou saisie par le GT QVT) : les modalités du "
        "réseau, ses principes, la charte et le lien pour l'accepter.",
        "Votre demande d'adhésion au réseau des intervenants QVT en Occitanie",
        (*PERSON, optional(EMAIL),
         required(_link("lien", "Le lien personnel pour accepter la charte.",
                        "/charte/lien-personnel", "charter_url")),
         optional(_text("duree_lien", "La durée de validité du lien, en jours.", "30",
                        lambda c: str(c["link_days"]))),
         optional(VERSION_CHARTE), optional(CHARTE), optional(PRINCIPES)),
        recipient_status="applicant"),
    EditableEmail(
        "member_confirmed", ADHESION, "Bienvenue dans le réseau",
        "Quand la personne devient membre : à l'acceptation de la charte, à la validation de "
        "sa candidature par le GT QVT, ou à sa saisie d'après un accord donné par e-mail.",
        "Bienvenue dans le réseau des intervenants QVT en Occitanie",
        (*PERSON, optional(EMAIL), optional(VERSION_CHARTE), optional(LIEN_ESPACE),
         optional(LIEN_CONFIDENTIALITE))),
    EditableEmail(
        "admission_pending", ADHESION, "Candidature en attente de validation",
        "Avec la validation des candidatures : quand la personne a accepté la charte. (Si elle "
        "refait une demande pendant l'attente, le message par défaut part.)",
        "Votre candidature est en attente de validation",
        (*PERSON, optional(EMAIL), optional(VERSION_CHARTE), optional(CONTACT)),
        recipient_status="awaiting_review",
        applies=lambda c: not c.get("signed_up_again")),
    EditableEmail(
        "admission_refused", ADHESION, "Candidature refusée",
        "Quand le GT QVT refuse une candidature, avec le motif qu'il a écrit.",
        "Votre candidature au réseau des intervenants QVT en Occitanie",
        (*PERSON, required(_text("motif", "Le motif du refus, tel que le GT QVT l'a écrit.",
                                 "Votre activité relève de la formation commerciale.",
                                 lambda c: c["reason"])),
         optional(CONTACT)),
        recipient_status="exited"),
    EditableEmail(
        "already_member", ADHESION, "Demande d'adhésion d'une personne déjà membre",
        "Quand une demande d'adhésion arrive avec l'adresse d'un membre.",
        "Vous êtes déjà membre du réseau",
        (*PERSON, optional(MEMBRE_DEPUIS), optional(LIEN_ESPACE))),
    EditableEmail(
        "rejoin_refused", ADHESION, "Nouvelle adhésion impossible en ligne",
        "Quand une demande d'adhésion arrive avec l'adresse d'une personne sortie à "
        "l'initiative du GT QVT (ou dont la candidature a été refusée).",
        "Votre demande d'adhésion au réseau",
        (*PERSON, optional(CONTACT)), recipient_status="exited"),
    EditableEmail(
        "left_network", ADHESION, "Sortie du réseau confirmée",
        "Quand une personne quitte le réseau à sa demande (lien, espace membre, ou saisie par "
        "le GT QVT).",
        "Vous avez quitté le réseau des intervenants QVT en Occitanie",
        (*PERSON, optional(LIEN_ADHESION)), recipient_status="exited"),
    EditableEmail(
        "renewal_form", RENOUVELLEMENT, "Formulaire de renouvellement",
        "À l'ouverture du renouvellement annuel (et quand le GT QVT le renvoie).",
        "Renouvellement {annee} : restez-vous dans le réseau ?",
        (*PERSON, required(LIEN_RENOUVELLEMENT), optional(DATE_LIMITE), optional(ANNEE))),
    EditableEmail(
        "renewal_reminder", RENOUVELLEMENT, "Rappel du renouvellement",
        "Avant la date limite, aux membres qui n'ont pas répondu (et quand le GT QVT relance).",
        "Rappel : renouvelez votre participation au réseau avant le {date_limite_courte}",
        (*PERSON, required(LIEN_RENOUVELLEMENT), optional(DATE_LIMITE),
         optional(DATE_LIMITE_COURTE), optional(ANNEE))),
    EditableEmail(
        "renewal_confirmed", RENOUVELLEMENT, "Renouvellement enregistré",
        "Quand un membre confirme sa participation (ou que le GT QVT l'enregistre).",
        "Votre participation au réseau est renouvelée pour {annee}",
        (*PERSON, optional(LIEN_RENOUVELLEMENT), optional(DATE_LIMITE), optional(ANNEE))),
    EditableEmail(
        "renewal_declined", RENOUVELLEMENT, "Départ au renouvellement enregistré",
        "Quand un membre répond au renouvellement qu'il quitte le réseau.",
        "Vous quittez le réseau des intervenants QVT en Occitanie",
        (*PERSON, optional(LIEN_RENOUVELLEMENT), optional(DATE_LIMITE), optional(ANNEE),
         optional(LIEN_ADHESION)),
        recipient_status="exited"),
    EditableEmail(
        "renewal_dropped", RENOUVELLEMENT, "Sortie faute de réponse au renouvellement",
        "À la date limite, aux membres qui ont reçu le formulaire et n'ont pas répondu.",
        "Votre participation au réseau a pris fin",
        (*PERSON, optional(DATE_LIMITE), optional(ANNEE), optional(LIEN_ADHESION)),
        recipient_status="exited"),
    EditableEmail(
        "event_registered", EVENEMENTS, "Inscription confirmée",
        "Quand une personne obtient une place (avec le fichier d'agenda joint).",
        "Inscription confirmée : {evenement}",
        (*REGISTERED, required(CARTE), required(LIEN_DESINSCRIPTION))),
    EditableEmail(
        "event_waiting", EVENEMENTS, "Liste d'attente",
        "Quand l'événement est complet : la personne est sur la liste d'attente.",
        "Liste d'attente : {evenement}",
        (*REGISTERED, optional(_text("position", "Son rang sur la liste d'attente.", "2",
                                     lambda c: str(c["position"]))),
         optional(CARTE), required(LIEN_DESINSCRIPTION))),
    EditableEmail(
        "event_promoted", EVENEMENTS, "Place libérée : inscription confirmée",
        "Quand une place se libère pour une personne de la liste d'attente (avec le fichier "
        "d'agenda joint).",
        "Une place s'est libérée : {evenement}",
        (*REGISTERED, required(CARTE), required(LIEN_DESINSCRIPTION))),
    EditableEmail(
        "event_reminder", EVENEMENTS, "Rappel de l'événement",
        "La veille de l'événement, aux personnes inscrites.",
        "Rappel : {evenement}",
        (*REGISTERED, required(CARTE), required(LIEN_DESINSCRIPTION))),
    EditableEmail(
        "event_changed", EVENEMENTS, "Événement modifié",
        "Quand le GT QVT prévient les inscrits d'un changement (date, lieu, lien).",
        "Modification : {evenement}",
        (*REGISTERED, required(_text("modification", "Le changement, tel que le GT QVT l'a "
                                     "écrit.", "l'atelier a lieu en salle 204.",
                                     lambda c: c["what"])),
         required(CARTE), optional(LIEN_DESINSCRIPTION))),
    EditableEmail(
        "event_cancelled", EVENEMENTS, "Événement annulé",
        "Quand le GT QVT annule un événement, aux inscrits et à la liste d'attente.",
        "Annulé : {evenement}",
        (*REGISTERED, optional(CARTE))),
    EditableEmail(
        "event_cancellation", EVENEMENTS, "Désinscription enregistrée",
        "Quand une personne libère sa place ou quitte la liste d'attente.",
        "Désinscription enregistrée : {evenement}",
        (*REGISTERED, optional(CARTE))),
    EditableEmail(
        "event_confirm_address", EVENEMENTS, "Inscription hors réseau : adresse à confirmer",
        "Quand une personne qui n'est pas membre demande une place à un événement public.",
        "Confirmez votre inscription : {evenement}",
        (*REGISTERED, required(_link("lien", "Le lien qui confirme l'inscription (et "
                                     "l'adresse).", "/evenements/inscription/lien/confirmer",
                                     "confirm_link")),
         optional(CARTE))),
    EditableEmail(
        "event_already_registered", EVENEMENTS, "Déjà inscrit·e",
        "Quand une demande d'inscription arrive pour une personne déjà inscrite (ou en "
        "attente).",
        "Votre inscription : {evenement}",
        (*REGISTERED, optional(_text(
            "situation", "« inscrit·e » ou « sur la liste d'attente ».", "inscrit·e",
            lambda c: ("sur la liste d'attente" if c["registration"].status == "waiting"
                       else "inscrit·e"))),
         optional(CARTE), required(LIEN_DESINSCRIPTION))),
    EditableEmail(
        "event_invitation", EVENEMENTS, "Invitation à un événement",
        "Quand le GT QVT invite un groupe de membres à un événement.",
        "Invitation : {evenement}",
        (*PERSON, optional(EVENEMENT), optional(DATE), optional(LIEU), optional(RESUME),
         optional(CARTE),
         required(_link("lien_inscription", "Le lien personnel qui inscrit en un clic.",
                        "/evenements/invitation/lien-personnel", "register_link")))),
    EditableEmail(
        "event_materials", EVENEMENTS, "Supports de l'événement",
        "Quand le GT QVT ajoute un support et choisit de prévenir les participants.",
        "Supports disponibles : {evenement}",
        (*REGISTERED, required(SUPPORTS))),
    EditableEmail(
        "event_evaluation", QUESTIONNAIRES, "Questionnaire d'évaluation",
        "Après un événement, aux personnes marquées présentes.",
        "Votre avis : {evenement}",
        (optional(_text("prenom", "Le prénom de la personne (le nom complet d'une personne "
                        "hors réseau).", "Marie-Christine", lambda c: c["name"] or "")),
         optional(EVENEMENT), optional(DATE), required(LIEN_QUESTIONNAIRE), optional(DATE_FIN))),
    EditableEmail(
        "survey_invitation", QUESTIONNAIRES, "Recueil des besoins",
        "Quand le GT QVT envoie le questionnaire des besoins (aux inscrits d'un module, ou aux "
        "membres).",
        "Questionnaire : {questionnaire}",
        (*PERSON, optional(_text("questionnaire", "Le titre du questionnaire.",
                                 "Vos besoins de renforcement", lambda c: c["survey"].title)),
         optional(_text("evenement", "Ce que le questionnaire prépare : l'événement, entre "
                        "guillemets, ou « le module de renforcement du réseau ».",
                        "« Module de renforcement : conduire une démarche QVT »",
                        lambda c: f"« {c['survey'].event.title} »" if c["survey"].event
                        else "le module de renforcement du réseau")),
         required(LIEN_QUESTIONNAIRE), optional(DATE_FIN))),
    EditableEmail(
        "golive_invitation", LANCEMENT, "Invitation des membres importés",
        "Quand le GT QVT invite les membres importés à vérifier leurs informations.",
        "Le réseau des intervenants QVT en Occitanie a son espace en ligne",
        GOLIVE),
    EditableEmail(
        "golive_reminder", LANCEMENT, "Relance des membres importés",
        "Quelques jours après l'invitation, aux membres importés qui n'y ont pas répondu.",
        "Rappel : le réseau des intervenants QVT en Occitanie a son espace en ligne",
        GOLIVE),
]}
