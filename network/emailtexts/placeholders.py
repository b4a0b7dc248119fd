"""The placeholders an edited e-mail may hold, each computed from the context its e-mail is
queued with (the same one its Jinja files get), with a sample for the preview."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from flask import current_app

from network.reference import PARTICIPATION_PRINCIPLES
from network.templating import PARIS, event_dates, french_date
from network.urls import external_url

# A value written in the text (escaped in the HTML part).
TEXT = "text"
# An address: a link in the HTML part, usable alone or as the target of `[texte]({lien})`.
LINK = "link"
# A part drawn by the e-mail's own partial templates (the event's card, the charter): alone on
# its line, it becomes that partial's text and HTML.
BLOCK = "block"


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    # TEXT and LINK: the value the preview shows (a LINK's path is put after BASE_URL). BLOCK:
    # what the partial needs beyond the e-mail's context, as a function (read at preview time).
    sample: object
    # From the e-mail's context (a dict: person, event…) to the value, as text. None for a BLOCK.
    value: Callable[[dict], str] | None = None
    kind: str = TEXT
    # A BLOCK: its partials, email/_<partial>.txt and .html.
    partial: str = ""
    # A LINK to an e-mail address: its link is mailto:.
    mailto: bool = False

    def href(self, value: str) -> str:
        return f"mailto:{value}" if self.mailto else value

    def sample_value(self) -> str:
        if self.kind == LINK and str(self.sample).startswith("/"):
            return current_app.config["BASE_URL"].rstrip("/") + self.sample
        return str(self.sample)


def required(placeholder: Placeholder) -> tuple[Placeholder, bool]:
    """A placeholder the body of its e-mail must hold (the link the e-mail exists to carry)."""
    return placeholder, True


def optional(placeholder: Placeholder) -> tuple[Placeholder, bool]:
    return placeholder, False


# Who the preview writes to.
SAMPLE = SimpleNamespace(first_name="Marie-Christine", last_name="Fontaine-Dumas",
                         email="marie-christine.fontaine-dumas@exemple.fr",
                         member_since=datetime(2021, 3, 12, 11, 0, tzinfo=UTC))


def _date(moment) -> str:
    return french_date(moment) if moment else ""


def _day_month(moment) -> str:
    local = moment.astimezone(PARIS)
    return f"{local.day}/{local.month:02d}"


# --- The person the e-mail is about ----------------------------------------------------------

PRENOM = Placeholder("prenom", "Le prénom de la personne.", SAMPLE.first_name,
                     lambda c: c["person"].first_name or "")
NOM = Placeholder("nom", "Son nom de famille.", SAMPLE.last_name,
                  lambda c: c["person"].last_name or "")
EMAIL = Placeholder("email", "Son adresse e-mail (celle à laquelle le message part).",
                    SAMPLE.email, lambda c: c["person"].email or "", kind=LINK, mailto=True)
MEMBRE_DEPUIS = Placeholder("membre_depuis", "La date de son entrée dans le réseau.",
                            "12 mars 2021", lambda c: _date(c["person"].member_since))
CONTACT = Placeholder("contact", "L'adresse e-mail de contact du GT QVT.",
                      "intervenants-qvt-occitanie@anact.fr",
                      lambda c: current_app.config["CONTACT_EMAIL"], kind=LINK, mailto=True)
LIEN_ESPACE = Placeholder("lien_espace", "La page de connexion à l'espace membre.",
                          "/connexion", lambda c: external_url(
                              "members_space.sign_in"), kind=LINK)
LIEN_ADHESION = Placeholder("lien_adhesion", "Le formulaire d'adhésion du site (pour revenir).",
                            "/rejoindre", lambda c: external_url("membership.join"),
                            kind=LINK)
LIEN_CONFIDENTIALITE = Placeholder("lien_confidentialite", "La notice de confidentialité.",
                                   "/confidentialite",
                                   lambda c: external_url("membership.privacy"), kind=LINK)
VERSION_CHARTE = Placeholder("version_charte", "Le numéro de la version de la charte acceptée.",
                             "3", lambda c: str(c["charter"].number))


def _sample_charter() -> dict:
    from network.membership.services import current_charter

    return {"charter": current_charter()}


CHARTE = Placeholder("charte", "Le texte de la charte en vigueur, encadré.", _sample_charter,
                     kind=BLOCK, partial="charter_text")
PRINCIPES = Placeholder("principes", "Les trois principes de participation, en liste.",
                        lambda: {"principles": PARTICIPATION_PRINCIPLES}, kind=BLOCK,
                        partial="principles")

# --- Renewal -----------------------------------------------------------------------------------

DATE_LIMITE = Placeholder("date_limite", "La date limite de réponse au renouvellement.",
                          "22 décembre 2026 à 9 h",
                          lambda c: french_date(c["campaign"].deadline, with_time=True))
DATE_LIMITE_COURTE = Placeholder("date_limite_courte", "La date limite en chiffres (jour/mois).",
                                 "22/12", lambda c: _day_month(c["campaign"].deadline))
ANNEE = Placeholder("annee", "L'année du renouvellement.", "2026",
                    lambda c: str(c["campaign"].year))
LIEN_RENOUVELLEMENT = Placeholder("lien", "Le lien personnel vers le formulaire de "
                                  "renouvellement.", "/renouvellement/lien-personnel",
                                  lambda c: c["link"], kind=LINK)

# --- Events -----------------------------------------------------------------------------------

SAMPLE_EVENT = SimpleNamespace(
    id=12, title="Atelier thématique « Télétravail et qualité de vie au travail »",
    starts_at=datetime(2026, 5, 12, 12, 0, tzinfo=UTC),
    ends_at=datetime(2026, 5, 12, 14, 30, tzinfo=UTC), mode="hybride",
    address="Maison de la Recherche, 118 route de Narbonne, 31062 Toulouse",
    online_url="https://visio.exemple.fr/atelier-teletravail",
    summary="Deux heures pour partager nos pratiques d'accompagnement du travail hybride.",
    materials=[SimpleNamespace(title="Diaporama de l'atelier",
                               url="https://exemple.fr/atelier-teletravail.pdf")])

PRENOM_INSCRIT = Placeholder(
    "prenom", "Le prénom de la personne inscrite (le nom complet d'une personne hors réseau).",
    SAMPLE.first_name, lambda c: c["registration"].first_name or "")
NOM_COMPLET = Placeholder("nom_complet", "Le prénom et le nom de la personne inscrite.",
                          f"{SAMPLE.first_name} {SAMPLE.last_name}",
                          lambda c: c["registration"].name)
EVENEMENT = Placeholder("evenement", "Le titre de l'événement.", SAMPLE_EVENT.title,
                        lambda c: c["event"].title)
DATE = Placeholder("date", "Le jour et les heures de l'événement (heure de Paris).",
                   "mardi 12 mai 2026, 14 h – 16 h 30", lambda c: event_dates(c["event"]))
LIEU = Placeholder("lieu", "Le lieu de l'événement (rien pour un événement à distance).",
                   SAMPLE_EVENT.address, lambda c: c["event"].address or "")
RESUME = Placeholder("resume", "Le résumé de l'événement.", SAMPLE_EVENT.summary,
                     lambda c: c["event"].summary or "")
LIEN_EVENEMENT = Placeholder("lien_evenement", "La page de l'événement sur le site.",
                             "/evenements/12", lambda c: c["event_link"], kind=LINK)
LIEN_DESINSCRIPTION = Placeholder("lien_desinscription", "Le lien personnel pour libérer sa "
                                  "place (ou quitter la liste d'attente).",
                                  "/evenements/inscription/lien-personnel/annuler",
                                  lambda c: c["cancel_link"], kind=LINK)
CARTE = Placeholder(
    "carte_evenement", "Le cadre de l'événement : titre, date, lieu, lien de connexion (aux "
    "seules personnes qui ont une place), lien vers sa page.",
    lambda: {"event": SAMPLE_EVENT, "show_online_link": True,
             "event_link": current_app.config["BASE_URL"] + "/evenements/12"},
    kind=BLOCK, partial="event_card")
SUPPORTS = Placeholder(
    "supports", "La liste des supports de l'événement (documents de la bibliothèque, replays, "
    "diaporamas), chacun avec son lien.",
    lambda: {"event": SAMPLE_EVENT, "resources": [
        SimpleNamespace(id=1, title="Synthèse de l'atelier « Télétravail et QVT »")]},
    kind=BLOCK, partial="materials")

# --- Questionnaires -----------------------------------------------------------------------------

LIEN_QUESTIONNAIRE = Placeholder("lien", "Le lien personnel vers le questionnaire (une seule "
                                 "réponse).", "/evaluation/lien-personnel",
                                 lambda c: c["answer_link"], kind=LINK)
DATE_FIN = Placeholder("date_fin", "La date jusqu'à laquelle le lien accepte une réponse.",
                       "26 mai 2026", lambda c: _date(c["expires_at"]))
