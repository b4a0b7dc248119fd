"""The library for `flask demo --resources N`: published resources of every kind since 2020.

Public or reserved to the members, on the network's themes, some of them the replays, slides
and syntheses of past events. A third are PDFs a few pages long, so that the search has real
bodies to go through: real files, stored under their hash as an upload is, that download. The
others are links. Each resource is indexed for the search by the application's own
`index_resource`. (The network's own links and documents: network.resources.demo_library.)
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from network.events.demo import TOPICS
from network.events.models import Event, EventKind, EventStatus
from network.extensions import db
from network.resources.demo_files import store_pdf
from network.resources.models import (
    Resource,
    ResourceKind,
    ResourceStatus,
    ResourceTheme,
    Visibility,
)
from network.resources.search import index_resource

BATCH_SIZE = 500
FIRST_DAY = date(2020, 3, 1)
# A document of the library is most often a tool, slides, a synthesis or a replay.
KIND_WEIGHT = {ResourceKind.TOOL: 20, ResourceKind.SLIDES: 18, ResourceKind.WORKSHOP_SYNTHESIS: 14,
               ResourceKind.REPLAY: 14, ResourceKind.NEWSLETTER: 10,
               ResourceKind.REFERENTIAL: 9, ResourceKind.CALL_FOR_PROJECTS: 6,
               ResourceKind.OTHER: 9}
# What each kind is about, when it is not about one event.
TITLES = {
    ResourceKind.TOOL: ["Grille d'analyse : {topic}", "Guide pratique : {topic}",
                        "Fiche repère : {topic}", "Boîte à outils : {topic}"],
    ResourceKind.SLIDES: ["Support d'intervention : {topic}", "Présentation : {topic}"],
    ResourceKind.WORKSHOP_SYNTHESIS: ["Synthèse des échanges : {topic}",
                                      "Retour d'expérience en {department} : {topic}"],
    ResourceKind.REPLAY: ["Replay : {topic}", "Vidéo : des intervenants témoignent – {topic}"],
    ResourceKind.NEWSLETTER: ["Lettre d'information du réseau – {month}"],
    ResourceKind.REFERENTIAL: ["Référentiel : {topic}", "Cadre de référence : {topic}"],
    ResourceKind.CALL_FOR_PROJECTS: ["Appel à projets {year} : {topic}",
                                     "Fonds pour l'amélioration des conditions de travail – "
                                     "{topic}"],
    ResourceKind.OTHER: ["Bibliographie : {topic}", "Étude régionale : {topic}"],
}
# Past events whose materials go to the library, by kind of resource.
EVENT_KINDS = {ResourceKind.REPLAY: {EventKind.WEBINAR},
               ResourceKind.SLIDES: set(EventKind),
               ResourceKind.WORKSHOP_SYNTHESIS: {EventKind.WORKSHOP, EventKind.WORKING_GROUP,
                                                 EventKind.ANNUAL_MEETING}}
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
DEPARTMENTS = ["Haute-Garonne", "Hérault", "Gard", "Pyrénées-Orientales", "Tarn", "Aveyron",
               "Hautes-Pyrénées", "Aude", "Gers", "Lot", "Lozère", "Tarn-et-Garonne", "Ariège"]
SECTORS = ["l'aide à domicile", "les établissements de santé", "l'industrie agroalimentaire",
           "le bâtiment", "les collectivités territoriales", "le commerce", "la logistique",
           "l'économie sociale et solidaire", "l'aéronautique", "la viticulture"]
# The sentences of each theme: its own words, found by a search on that theme only.
SENTENCES = {
    "Télétravail et organisation du travail": [
        "Le télétravail modifie les collectifs et la régulation du travail entre collègues.",
        "Une charte du télétravail négociée précise les plages de joignabilité et le droit à "
        "la déconnexion.",
        "Les managers de proximité doivent apprendre à animer des équipes hybrides."],
    "Dialogue social et QVT": [
        "L'accord d'entreprise sur la qualité de vie et des conditions de travail se négocie "
        "avec les représentants du personnel.",
        "Le comité social et économique est associé au diagnostic dès le départ.",
        "Un dialogue social de qualité repose sur des données partagées sur le travail réel."],
    "Prévenir les risques psychosociaux": [
        "Les risques psychosociaux se préviennent en agissant sur l'organisation du travail.",
        "L'évaluation des risques psychosociaux trouve sa place dans le document unique.",
        "La charge de travail, l'autonomie et le soutien social sont des facteurs clés."],
    "Management participatif": [
        "Le management participatif donne aux salariés des marges de manœuvre sur leur travail.",
        "Les encadrants ont besoin d'espaces pour partager leurs difficultés managériales.",
        "La reconnaissance du travail bien fait passe d'abord par le manager de proximité."],
    "Égalité professionnelle": [
        "L'égalité professionnelle entre les femmes et les hommes se mesure aussi dans les "
        "conditions de travail.",
        "Les parcours professionnels des femmes restent marqués par le temps partiel subi.",
        "L'index de l'égalité ne dit rien des expositions différenciées aux risques."],
    "Conciliation des temps de vie": [
        "La conciliation des temps de vie professionnelle et personnelle concerne aussi les "
        "aidants familiaux.",
        "Des horaires prévisibles facilitent l'articulation entre travail et vie familiale.",
        "Les plannings établis collectivement réduisent les tensions sur les congés."],
    "Prévention de l'usure professionnelle": [
        "L'usure professionnelle s'anticipe par des parcours et des mobilités préparés.",
        "Les métiers pénibles demandent une attention particulière aux fins de carrière.",
        "Le maintien en emploi se prépare avec le service de prévention et de santé au travail."],
    "Espaces de discussion sur le travail": [
        "Les espaces de discussion sur le travail permettent de débattre des critères du "
        "travail bien fait.",
        "Un animateur formé garantit que les échanges portent sur le travail et non sur les "
        "personnes.",
        "Les propositions issues des espaces de discussion doivent recevoir une réponse."],
    "Accompagner les transformations": [
        "Toute transformation organisationnelle gagne à associer les salariés en amont.",
        "La conduite du changement s'appuie sur une expérimentation suivie et évaluée.",
        "Les déménagements et les réorganisations sont des moments à risque pour les équipes."],
    "Numérique et conditions de travail": [
        "Les outils numériques intensifient parfois le travail et fragmentent l'attention.",
        "Le déploiement d'un logiciel se prépare avec ceux qui l'utiliseront au quotidien.",
        "La messagerie instantanée brouille la frontière entre urgence et interruption."],
    "QVT dans le secteur médico-social": [
        "Dans les établissements médico-sociaux, le sens du soin est au cœur de la QVT.",
        "Les équipes de nuit des EHPAD expriment un fort besoin de reconnaissance.",
        "L'absentéisme des soignants pèse sur les collectifs et sur la qualité de l'accueil."],
    "QVT dans les TPE et PME": [
        "Dans les TPE, le dirigeant porte seul la démarche et a besoin d'appuis extérieurs.",
        "Les petites entreprises agissent souvent sans le dire sur les conditions de travail.",
        "Une démarche QVT dans une PME commence par un diagnostic court et partagé."],
}
GENERIC = [
    "La démarche QVCT articule la performance de l'organisation et la santé des salariés.",
    "Le réseau régional rassemble consultants, acteurs internes et acteurs relais en Occitanie.",
    "Cette ressource s'appuie sur des interventions menées dans {sector}.",
    "Les exemples présentés viennent d'entreprises de {department}.",
    "Le diagnostic partagé précède toujours le choix des actions.",
    "L'expérimentation permet de tester une organisation nouvelle avant de la généraliser.",
    "Les indicateurs de suivi sont choisis avec les salariés et leurs représentants.",
    "Les participants ont échangé sur leurs pratiques d'intervention et leurs outils.",
    "L'Aract Occitanie accompagne les structures qui s'engagent dans une démarche.",
    "Le plan d'action distingue les mesures immédiates et les chantiers de long terme.",
]


def generate_demo_resources(count: int, now: datetime, rng: random.Random,
                            progress: Callable[[int, int], None] | None = None) -> int:
    """Create `count` published resources, indexed for the search; returns `count`."""
    events = db.session.execute(
        select(Event.id, Event.kind, Event.title, Event.starts_at, Event.ends_at)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now)).all()
    rows = [_fake_resource(rng, number, now, events) for number in range(count)]
    # Ids then grow with time, as they would in a real library.
    rows.sort(key=lambda row: row[0]["dated"])
    for start in range(0, count, BATCH_SIZE):
        _insert_batch(rows[start:start + BATCH_SIZE])
        db.session.commit()
        if progress:
            progress(min(start + BATCH_SIZE, count), count)
    return count


def _fake_resource(rng: random.Random, number: int, now: datetime,
                   events: list) -> tuple[dict, list[str]]:
    """One resource as a Resource row, with its themes."""
    pdf = number % 3 == 0
    # A replay is a video on another site, never a PDF.
    kinds = [kind for kind in KIND_WEIGHT if not (pdf and kind == ResourceKind.REPLAY)]
    kind = rng.choices(kinds, [KIND_WEIGHT[kind] for kind in kinds])[0]
    topic = rng.choice(TOPICS)
    themes = {topic}
    if rng.random() < 0.3:
        themes.add(rng.choice(TOPICS))
    today = now.date()
    dated = FIRST_DAY + timedelta(days=rng.randrange((today - FIRST_DAY).days))
    event = None
    candidates = [e for e in events if e.kind in EVENT_KINDS.get(kind, ())]
    if candidates and rng.random() < 0.6:
        event = rng.choice(candidates)
        dated = event.starts_at.date()
        title = f"{'Replay' if kind == ResourceKind.REPLAY else 'Support'} : {event.title}"
        if kind == ResourceKind.WORKSHOP_SYNTHESIS:
            title = f"Synthèse : {event.title}"
    else:
        title = rng.choice(TITLES[kind]).format(
            topic=topic, year=dated.year,
            month=f"{MONTHS[dated.month - 1]} {dated.year}", department=rng.choice(DEPARTMENTS))
    own = SENTENCES[topic]
    body = _text(rng, own, rng.randint(2, 5))
    sentences = _sentences(rng, own, rng.randint(40, 250)) if pdf else []
    extracted = " ".join(sentences)
    published = datetime.combine(dated, datetime.min.time(), UTC) + timedelta(hours=9)
    row = {"title": title[:200], "kind": kind, "summary": _text(rng, own, 1)[:500],
           "description_markdown": body, "dated": dated,
           "event_id": event.id if event else None,
           "visibility": Visibility.MEMBERS if rng.random() < 0.4 else Visibility.PUBLIC,
           "status": ResourceStatus.PUBLISHED, "extracted_text": extracted,
           "file_hash": None, "file_name": None, "file_type": None, "file_size": None,
           "external_url": None, "search_vector": None,
           "created_at": published - timedelta(days=rng.randint(0, 3)),
           "published_at": published}
    if pdf:
        # Paragraphs of five sentences; the text read back from the file is `extracted`.
        stored = store_pdf(title[:200], [" ".join(sentences[start:start + 5])
                                         for start in range(0, len(sentences), 5)])
        row.update(file_hash=stored.hash, file_name=stored.name, file_type=stored.type,
                   file_size=stored.size)
    elif kind == ResourceKind.REPLAY:
        row["external_url"] = f"https://video.exemple.fr/reseau-qvt/{number}"
    else:
        row["external_url"] = f"https://www.exemple.org/ressources-qvt/{number}"
    return row, sorted(themes)


def _text(rng: random.Random, own: list[str], sentences: int) -> str:
    return " ".join(_sentences(rng, own, sentences))


def _sentences(rng: random.Random, own: list[str], sentences: int) -> list[str]:
    """Sentences of the resource's theme and general ones, now and then another theme's."""
    chosen = []
    for _ in range(sentences):
        draw = rng.random()
        if draw < 0.5:
            sentence = rng.choice(own)
        elif draw < 0.97:
            sentence = rng.choice(GENERIC)
        else:
            sentence = rng.choice(SENTENCES[rng.choice(TOPICS)])
        chosen.append(sentence.format(sector=rng.choice(SECTORS),
                                      department=rng.choice(DEPARTMENTS)))
    return chosen


def _insert_batch(rows: list[tuple[dict, list[str]]]) -> None:
    """Insert resources in bulk and their themes, then index each one as the application does."""
    ids = db.session.scalars(
        insert(Resource).execution_options(render_nulls=True)
        .returning(Resource.id, sort_by_parameter_order=True), [row for row, _ in rows]).all()
    db.session.execute(insert(ResourceTheme), [
        {"resource_id": resource_id, "name": name}
        for resource_id, (_, names) in zip(ids, rows, strict=True) for name in names])
    for resource_id, (row, _) in zip(ids, rows, strict=True):
        # A detached copy: index_resource only reads its text, the session stays empty.
        index_resource(Resource(id=resource_id, title=row["title"], summary=row["summary"],
                                description_markdown=row["description_markdown"],
                                extracted_text=row["extracted_text"]))
