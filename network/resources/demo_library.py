"""The network's own library for `flask demo`: the useful links of its newsletter, with their
real addresses, and a few documents drawn from it (the newsletter, the syntheses of the 2021
workshops, the welcome module's slides) as real PDFs that download.

Created through the library's own `save_resource`, as an admin would; a re-run adds only what is
missing (links are known by their address, documents by their title) and writes back a file
missing from the storage folder."""

from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import select

from network.events.demo_history import WELCOME_TITLE, WORKSHOP_THEMES_2021
from network.events.models import Event, EventKind, EventStatus, EventTheme
from network.extensions import db
from network.resources.demo_files import store_pdf
from network.resources.models import Resource, ResourceKind, ResourceStatus, Visibility
from network.resources.services import save_resource
from network.templating import PARIS

NETWORK = "Réseau des intervenants QVT"
APPROACH = "Démarche QVT"
# The newsletter that describes the network came out after the webinar of 18 June 2021.
NEWSLETTER_DAY = date(2021, 7, 1)

# (title, address, kind, day, themes, summary): the "ressources accessibles sur la QVT" and the
# other addresses of the newsletter.
LINKS = [
    ("Travaux du GT QVT PRST Occitanie",
     "http://www.prst-occitanie.fr/fr/21/objectif-4-ameliorer-la-qualite-de-vie-au-travail/",
     ResourceKind.OTHER, NEWSLETTER_DAY, (NETWORK,),
     "Les travaux du groupe QVT du Plan régional santé travail Occitanie : objectif 4, "
     "améliorer la qualité de vie au travail."),
    ("Productions du groupe QVT : lettres d'information, replays, supports",
     "http://www.prst-occitanie.fr/r/21/objectif-4-ameliorer-la-qualite-de-vie-au-travail/",
     ResourceKind.NEWSLETTER, NEWSLETTER_DAY, (NETWORK,),
     "Toutes les productions du groupe QVT sur le site du PRST Occitanie."),
    ("Bilan des outils produits par le PRST Occitanie",
     "http://www.prst-occitanie.fr/a/384/la-sante-au-travail-en-mouvement-des-outils-a-votre-"
     "disposition-support-et-replay-du-webinaire-du-18-05-2021/",
     ResourceKind.TOOL, date(2021, 5, 18), (APPROACH,),
     "« La santé au travail en mouvement : des outils à votre disposition » : le support et le "
     "replay du webinaire du 18 mai 2021."),
    ("Acteurs et ressources QVT en Occitanie",
     "https://occitanie.aract.fr/acteurs-et-ressources-qvt-en-occitanie",
     ResourceKind.REFERENTIAL, NEWSLETTER_DAY, (APPROACH,),
     "Les acteurs et les ressources de la qualité de vie au travail en Occitanie, présentés par "
     "l'Aract Occitanie."),
    ("Outil d'auto-positionnement sur la QVT pour les TPE-PME",
     "https://occitanie.aract.fr/outil-dauto-positionnement-qvt-pour-les-tpe-pme",
     ResourceKind.TOOL, NEWSLETTER_DAY, (APPROACH,),
     "Un outil de l'Aract Occitanie pour qu'une TPE ou une PME situe ses pratiques en matière "
     "de qualité de vie au travail."),
    ("Reflex QVT", "https://reflexqvt.anact.fr/fr/", ResourceKind.OTHER, NEWSLETTER_DAY,
     (NETWORK,),
     "La plateforme nationale portée par le Plan santé travail : elle met en relation des "
     "entreprises et des consultants en capacité de les accompagner sur leurs projets QVT."),
    ("Semaine pour la qualité de vie au travail (SQVT 2021)", "https://semaineqvt.anact.fr/",
     ResourceKind.OTHER, date(2021, 6, 14), (APPROACH,),
     "Le site de la Semaine pour la qualité de vie au travail du réseau Anact-Aract."),
]

NEWSLETTER = [
    "Un réseau impulsé et animé par le Plan régional santé travail (PRST) Occitanie. Le PRST met "
    "en application la politique « santé-travail » définie par l'État, les partenaires sociaux "
    "et les acteurs de la prévention. En Occitanie, un groupe piloté par l'Aract et composé de "
    "l'ensemble des acteurs institutionnels (organisations professionnelles et syndicales, "
    "Dreets, Carsat, MSA, services de santé au travail interentreprises) conduit les actions "
    "qualité de vie au travail (QVT) du PRST.",
    "Les dates clés du réseau. 22 novembre 2019 : lancement du réseau à Lézignan-Corbières. "
    "19 juin 2020 : deux webinaires pendant la Semaine de la QVT, sur des points de méthode de la "
    "démarche QVT et sur des thématiques définies par les intervenants. 2 septembre 2020 : "
    "webconférence sur les modalités de fonctionnement du réseau, les dispositifs "
    "d'accompagnement à la reprise d'activité et l'avancement de Reflex QVT. Janvier à mars "
    "2021 : 13 ateliers thématiques en présentiel. 18 juin 2021 : webinaire sur l'évolution du "
    "réseau depuis son lancement et les actions à venir.",
    "Le cadre d'entrée dans le réseau. Ouvert aux intervenants de la région Occitanie "
    "(consultants, acteurs internes, acteurs-relais), avec trois principes de participation : "
    "partager les mêmes repères sur la QVT (ANI 2013 et 2020, repères clés du PRST) ; intervenir "
    "sur un ou plusieurs champs de la QVT en centrant ses actions sur l'organisation du "
    "travail ; intégrer un espace dédié pour monter en compétences, partager des pratiques "
    "professionnelles et échanger avec de multiples acteurs autour de la QVT.",
    "Participer au réseau. J'entre dans le réseau : je formule ma demande, je reçois les "
    "modalités de fonctionnement et les conditions d'entrée, j'accepte le cadre (obligatoire) "
    "et je reçois la confirmation de mon inscription sur la liste de diffusion. Je participe à "
    "la vie du réseau et je renouvelle ma participation une fois par an, à la date anniversaire "
    "du lancement du réseau, en novembre. Je sors du réseau à ma demande, ou à l'initiative du "
    "GT QVT PRST en l'absence de réponse au formulaire de renouvellement.",
    "À quoi sert le réseau ? Favoriser la coopération au sein du réseau et avec les "
    "partenaires ; faire monter en compétences ses membres ; partager des ressources sur la "
    "QVT ; rayonner à l'échelle des entreprises et des acteurs de la région.",
    "Les perspectives dans le cadre du PRST 4 : le Rendez-vous annuel du réseau à chaque Semaine "
    "QVT ; le module d'accueil « Intégrer le réseau des intervenants QVT en Occitanie » ; le "
    "module de renforcement « Partager des fondamentaux sur la QVT » ; des ateliers thématiques "
    "d'approfondissement et de partage ; des travaux sur les bonnes pratiques de communication "
    "au sein du réseau.",
]
# What each theme of the 2021 workshops taught, in the newsletter's words.
SYNTHESES = {
    WORKSHOP_THEMES_2021[0]: [
        "Convaincre de s'engager dans une démarche QVT favorise le déploiement de l'intelligence "
        "collective.",
        "L'engagement, la volonté et le portage de la démarche par la direction et la "
        "gouvernance sont une condition sine qua non : la QVT est un axe stratégique de "
        "l'entreprise. S'appuyer sur les acteurs ressources en interne et sur les partenaires "
        "institutionnels aide à faire passer des messages.",
        "Passer d'une vision descendante de l'organisation et de la décision à une logique de "
        "subsidiarité, qui développe l'autonomie, la responsabilité et la créativité, au plus "
        "proche du terrain.",
        "L'art et la manière de conduire le changement ne s'improvisent pas : une démarche "
        "formelle et opérationnelle, contextualisée, en mode projet ; une approche transverse "
        "qui associe tous les acteurs de façon paritaire et pluridisciplinaire ; une progression "
        "pas à pas qui intègre le droit à l'erreur ; un cadre d'intervention validé avec les "
        "acteurs.",
        "Trois idées clés : les liens entre conditions de travail, santé et performance ; "
        "l'implication et la force du collectif ; des résultats tangibles, pérennes, de qualité, "
        "dont sont fiers les salariés."],
    WORKSHOP_THEMES_2021[1]: [
        "Jamais sans la direction : une démarche QVT est un projet stratégique, porté au plus "
        "haut niveau de la structure ; elle implique les responsables de la production, les "
        "gestionnaires et les responsables des ressources humaines.",
        "Avec les experts du travail : les salariés contribuent à identifier les points à "
        "travailler pour faire un travail de qualité ; les espaces de discussion sur le travail "
        "sont un moyen particulièrement pertinent pour organiser ce travail participatif.",
        "La ligne managériale rend possibles les temps d'échange et la mise en œuvre des "
        "actions ; les managers ont eux aussi besoin d'espaces de discussion sur leur travail.",
        "Les représentants du personnel sont respectés dans leurs rôles et prérogatives : on "
        "distingue le dispositif de pilotage paritaire de la démarche, les instances "
        "représentatives du personnel et les espaces de discussion sur le travail.",
        "Trois idées clés : quatre familles d'acteurs incontournables (direction, représentants "
        "des salariés, managers, salariés) ; la QVT comme projet stratégique, avec un engagement "
        "de la direction au plus haut niveau et dans la durée ; chacun à sa place et dans son "
        "rôle."],
    WORKSHOP_THEMES_2021[2]: [
        "Un préambule : la volonté de la direction. Un prérequis : qualifier la demande avec "
        "les parties prenantes pour préciser la méthode et les principes de l'état des lieux ; "
        "la phase de cadrage est primordiale.",
        "L'état des lieux est participatif et parle du travail objectivement : une analyse "
        "critique, partagée et collective, co-construite par les acteurs (« on parle d'état des "
        "lieux partagé et non de diagnostic »), avec au cœur les espaces de discussion sur le "
        "travail.",
        "Partir de l'existant, identifier un périmètre, se fixer des objectifs et adapter les "
        "outils aux besoins (baromètre, questionnaire, frise chronologique, observations de "
        "l'activité de travail, groupes de travail, analyse de données), en restant vigilant sur "
        "les usages et la diffusion des résultats.",
        "Trois idées clés : engagement ; périmètre et cadre ; méthode participative."],
}
SYNTHESIS_FILES = ["synthese-ateliers-2021-convaincre-de-s-engager.pdf",
                   "synthese-ateliers-2021-mobilisation-et-place-des-acteurs.pdf",
                   "synthese-ateliers-2021-etat-des-lieux.pdf"]
WELCOME_SLIDES = [
    "Le module socle du parcours des nouveaux membres du réseau.",
    "Les modalités de fonctionnement du réseau et son articulation avec Reflex QVT, la "
    "plateforme nationale qui met en relation des entreprises et des consultants.",
    "Les principes, méthodes et valeurs d'accompagnement QVT du réseau Anact-Aract : la charte "
    "et ses implications pour Reflex QVT.",
    "Les trois principes de participation, le renouvellement annuel en novembre, et les "
    "rendez-vous du réseau : rendez-vous annuel, module de renforcement, ateliers QVT.",
]


class Document(NamedTuple):
    title: str
    file_name: str
    kind: str
    visibility: str
    event: Event | None
    day: date
    themes: tuple[str, ...]
    summary: str
    paragraphs: list[str]


def _last_workshop(theme: str) -> Event | None:
    return db.session.scalar(select(Event).where(
        Event.kind == EventKind.WORKSHOP, Event.themes.any(EventTheme.name == theme),
        Event.status == EventStatus.PUBLISHED).order_by(Event.starts_at.desc()).limit(1))


def _first_welcome_module(now: datetime) -> Event | None:
    return db.session.scalar(select(Event).where(
        Event.kind == EventKind.WELCOME_MODULE, Event.status == EventStatus.PUBLISHED,
        Event.ends_at <= now).order_by(Event.starts_at).limit(1))


def _day(event: Event | None, otherwise: date) -> date:
    return event.starts_at.astimezone(PARIS).date() if event else otherwise


def _documents(now: datetime) -> list[Document]:
    """The newsletter, the syntheses of its workshops, and once a welcome module was held, its
    slides (reserved to the members)."""
    documents = [Document(
        "Lettre d'information du réseau des intervenants QVT en Occitanie – 2021",
        "lettre-information-reseau-intervenants-qvt-occitanie-2021.pdf",
        ResourceKind.NEWSLETTER, Visibility.PUBLIC, None, NEWSLETTER_DAY, (NETWORK,),
        "Le fonctionnement du réseau, ses dates clés, les enseignements des premiers ateliers "
        "thématiques et ses perspectives.", NEWSLETTER)]
    for (theme, paragraphs), name in zip(SYNTHESES.items(), SYNTHESIS_FILES, strict=True):
        event = _last_workshop(theme)
        documents.append(Document(
            f"Synthèse des ateliers 2021 : {theme}", name, ResourceKind.WORKSHOP_SYNTHESIS,
            Visibility.PUBLIC, event, _day(event, date(2021, 3, 31)), (theme, APPROACH),
            "Ce que les ateliers thématiques de janvier à mars 2021 ont partagé sur ce thème, "
            "et ce que l'on en retient en trois idées clés.", paragraphs))
    welcome = _first_welcome_module(now)
    if welcome is not None:
        documents.append(Document(
            f"Support du module d'accueil : {WELCOME_TITLE}", "module-accueil-support.pdf",
            ResourceKind.SLIDES, Visibility.MEMBERS, welcome, _day(welcome, NEWSLETTER_DAY),
            (NETWORK,), "Le support présenté aux nouveaux membres lors du module d'accueil.",
            WELCOME_SLIDES))
    return documents


def _published(day: date) -> datetime:
    return datetime.combine(day, time(9), PARIS)


def generate_seed_library(now: datetime) -> int:
    """Add the newsletter's links and documents missing from the library; returns how many
    resources were added."""
    urls = set(db.session.scalars(select(Resource.external_url).where(
        Resource.external_url.is_not(None))))
    titles = set(db.session.scalars(select(Resource.title).where(
        Resource.file_hash.is_not(None))))
    added = 0
    for title, url, kind, day, themes, summary in LINKS:
        if url in urls:
            continue
        resource = Resource(title=title, kind=kind, summary=summary, dated=day,
                            visibility=Visibility.PUBLIC, status=ResourceStatus.PUBLISHED,
                            published_at=_published(day), created_at=_published(day))
        db.session.add(resource)
        save_resource(resource, ", ".join(themes), None, url)
        added += 1
    for document in _documents(now):
        # The file is written again if it went missing from the storage folder.
        stored = store_pdf(document.title, document.paragraphs, document.file_name,
                           extract_text=document.title not in titles)
        if document.title in titles:
            continue
        resource = Resource(
            title=document.title, kind=document.kind, summary=document.summary,
            dated=document.day, event_id=document.event.id if document.event else None,
            visibility=document.visibility, status=ResourceStatus.PUBLISHED,
            published_at=_published(document.day), created_at=_published(document.day))
        db.session.add(resource)
        save_resource(resource, ", ".join(document.themes), stored, None)
        added += 1
    db.session.commit()
    return added
