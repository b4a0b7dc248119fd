"""The network's own calendar for `flask demo`, as its newsletter tells it.

The dated history: the launch at Lézignan-Corbières on 22 November 2019, the two webinars of the
Semaine QVT on 19 June 2020, the web conference of 2 September 2020, the thirteen workshops of
January to March 2021 on the three themes the members asked for, the webinar of 18 June 2021.
Then what the newsletter plans for the years after (PRST 4): the Rendez-vous annuel at each
Semaine QVT, the welcome and reinforcement modules, the « ateliers QVT », the working group on
communication. Every event is on a weekday, within working hours in Paris."""

from datetime import date, datetime, timedelta

from network.events.models import Audience, EventKind, EventMode
from network.templating import PARIS

# The three themes of the 2021 workshops, the ones the members voted for most.
WORKSHOP_THEMES_2021 = ["Convaincre de s'engager dans une démarche QVT",
                        "La mobilisation et la place des acteurs",
                        "S'outiller sur le démarrage : l'état des lieux"]
WELCOME_TITLE = "Intégrer le réseau des intervenants QVT en Occitanie"
REINFORCEMENT_TITLE = "Partager des fondamentaux sur la QVT"
ONLINE_URL = "https://visio.exemple.fr/reseau-qvt"
LAUNCH_PLACE = "Lézignan-Corbières (Aude)"
# The thirteen workshops, "en présentiel de janvier à mars 2021": Tuesdays and Thursdays.
WORKSHOP_DAYS_2021 = [date(2021, 1, 12), date(2021, 1, 19), date(2021, 1, 21),
                      date(2021, 1, 28), date(2021, 2, 2), date(2021, 2, 9), date(2021, 2, 11),
                      date(2021, 2, 18), date(2021, 2, 23), date(2021, 3, 4), date(2021, 3, 11),
                      date(2021, 3, 16), date(2021, 3, 25)]
WORKSHOP_CITIES = ["Toulouse", "Montpellier"]

# What each kind of event is for, in the newsletter's words.
PURPOSES = {
    EventKind.WELCOME_MODULE:
        "Préciser les modalités de fonctionnement du réseau et son articulation avec Reflex QVT ; "
        "partager les principes, méthodes et valeurs d'accompagnement QVT du réseau Anact-Aract "
        "(la charte et ses implications pour Reflex QVT).",
    EventKind.REINFORCEMENT_MODULE:
        "Partager la même vision de la QVT, connaître le niveau d'appropriation et les besoins "
        "des membres du réseau.",
    EventKind.WORKSHOP:
        "Échanger sur les pratiques de chacun sur la QVT, en sous-groupe, sur un thème choisi "
        "selon les besoins des membres.",
    EventKind.WEBINAR:
        "Aborder à distance des points de méthode de la démarche QVT et des thématiques définies "
        "au préalable par les intervenants.",
    EventKind.ANNUAL_MEETING:
        "Le temps institutionnalisé du réseau à chaque Semaine pour la qualité de vie au "
        "travail : bilan de l'année, partage de ressources, évolution du fonctionnement du réseau.",
    EventKind.WORKING_GROUP:
        "Des membres volontaires du réseau et des membres du GT QVT PRST produisent ensemble "
        "des repères et des outils pour le réseau.",
    EventKind.OTHER:
        "Favoriser la coopération au sein du réseau : développer les rencontres et les échanges "
        "entre membres, et identifier des partenariats possibles entre eux.",
}
WORKSHOP_SUMMARIES = {
    WORKSHOP_THEMES_2021[0]: "Comment amener une direction et les acteurs de l'entreprise à "
                             "s'engager dans une démarche QVT : échanges de pratiques entre "
                             "intervenants.",
    WORKSHOP_THEMES_2021[1]: "Direction, managers, salariés et leurs représentants : la place de "
                             "chacun dans une démarche QVT, et comment les mobiliser.",
    WORKSHOP_THEMES_2021[2]: "Démarrer une démarche QVT par un état des lieux partagé et "
                             "participatif : cadrage, périmètre, outils.",
}
WORKSHOP_OBJECTIVES = (
    "Un des 13 ateliers d'échanges et de partage proposés en présentiel de janvier à mars 2021, "
    "après les webinaires de juin et de septembre 2020, sur l'un des trois thèmes les plus "
    "plébiscités par les membres.\n\nObjectifs :\n\n"
    "- fédérer les membres en expérimentant un espace dédié au partage d'expériences ;\n"
    "- apprendre des pratiques de chacun ;\n"
    "- partager les mêmes repères et la même vision de la QVT (solidifier un socle commun) ;\n"
    "- produire collectivement des fondamentaux sur les trois thèmes.")
# The themes of the « ateliers QVT » that follow, "selon les besoins des membres".
LATER_WORKSHOP_TOPICS = ["Animer des espaces de discussion sur le travail",
                         "Évaluer les résultats d'une démarche QVT",
                         "Télétravail et organisation du travail",
                         "La QVT dans les TPE et PME",
                         "Prévenir l'usure professionnelle",
                         "Le dialogue social au service de la QVT"]


def _event(title: str, kind: str, day: date, start: tuple[int, int], end: tuple[int, int],
           mode: str, summary: str, description: str, audience: str = Audience.MEMBERS,
           capacity: int | None = None, address: str | None = None,
           themes: tuple[str, ...] = ()) -> dict:
    """An Event row (its themes apart), from a day and its hours in Paris."""
    def at(hour_minute):
        return datetime(day.year, day.month, day.day, *hour_minute, tzinfo=PARIS)

    return {"title": title, "kind": kind, "starts_at": at(start), "ends_at": at(end),
            "mode": mode, "audience": audience, "capacity": capacity, "address": address,
            "online_url": ONLINE_URL if mode != EventMode.IN_PERSON else None,
            "summary": summary, "description_markdown": description, "themes": list(themes)}


def history() -> list[dict]:
    """The dated events of the network from its launch to June 2021."""
    launch = _event(
        "Lancement du réseau régional des intervenants QVT en Occitanie",
        EventKind.ANNUAL_MEETING, date(2019, 11, 22), (9, 30), (16, 30), EventMode.IN_PERSON,
        "La journée de lancement du réseau des intervenants qualité de vie au travail, impulsé "
        "et animé par le Plan régional santé travail (PRST) Occitanie.",
        "Le groupe QVT du PRST, piloté par l'Aract et composé des acteurs institutionnels de la "
        "prévention (organisations professionnelles et syndicales, services de l'État, Carsat, "
        "MSA, services de santé au travail interentreprises), lance le réseau régional des "
        "intervenants QVT.\n\nDeux ambitions : promouvoir la démarche QVT telle que définie "
        "par les partenaires sociaux dans l'ANI QVT de juin 2013, et identifier les intervenants "
        "en capacité d'accompagner les entreprises, privées comme publiques.",
        audience=Audience.PUBLIC, capacity=120, address=LAUNCH_PLACE)
    # Anonymous guests (network.events.retention): nobody was a member before the launch.
    launch["guests"] = 86
    events = [launch, _event(
        "Semaine de la QVT 2020 – webinaire : points de méthode de la démarche QVT",
        EventKind.WEBINAR, date(2020, 6, 19), (10, 0), (11, 30), EventMode.REMOTE,
        "Le premier des deux webinaires du réseau pendant la Semaine de la QVT 2020 : des "
        "points de méthode de la démarche QVT.",
        "Une rencontre à distance, pour tenir compte de la crise sanitaire : les étapes d'une "
        "démarche QVT et les questions de méthode que se posent les intervenants.")]
    events.append(_event(
        "Semaine de la QVT 2020 – webinaire : les thématiques choisies par les intervenants",
        EventKind.WEBINAR, date(2020, 6, 19), (14, 0), (15, 30), EventMode.REMOTE,
        "Le second webinaire de la Semaine de la QVT 2020, sur des thématiques définies au "
        "préalable par les intervenants du réseau.",
        "Les thématiques ont été choisies par les membres avant la rencontre ; chacune est "
        "introduite puis discutée à partir des pratiques des participants."))
    events.append(_event(
        "Webconférence : le fonctionnement du réseau et la reprise d'activité",
        EventKind.WEBINAR, date(2020, 9, 2), (10, 0), (12, 0), EventMode.REMOTE,
        "Préciser les modalités de fonctionnement du réseau, présenter les dispositifs "
        "d'accompagnement à la reprise d'activité après la crise sanitaire et l'avancement de la "
        "plateforme Reflex QVT.",
        "Reflex QVT, la plateforme nationale portée par le Plan santé travail, met en relation "
        "des entreprises et des consultants en capacité de les accompagner sur leurs projets "
        "QVT.\n\nÀ partir de cette webconférence, trois thématiques seront approfondies lors "
        "d'ateliers d'échanges et de partage en 2021."))
    for number, day in enumerate(WORKSHOP_DAYS_2021):
        theme = WORKSHOP_THEMES_2021[number % 3]
        city = WORKSHOP_CITIES[number % 2]
        events.append(_event(
            f"Atelier thématique « {theme} » – {city}", EventKind.WORKSHOP, day, (9, 30),
            (12, 30), EventMode.IN_PERSON, WORKSHOP_SUMMARIES[theme], WORKSHOP_OBJECTIVES,
            capacity=15, address=f"Aract Occitanie, {city}", themes=(theme,)))
    events.append(_event(
        "Webinaire : le réseau depuis son lancement et les actions à venir",
        EventKind.WEBINAR, date(2021, 6, 18), (10, 0), (12, 0), EventMode.REMOTE,
        "Partager et échanger sur l'évolution du réseau depuis son lancement, sur les travaux "
        "produits par les partenaires du groupe QVT PRST 3 Occitanie et sur les prochaines "
        "actions à venir.",
        "Au programme : le cadre d'entrée dans le réseau et ses trois principes de "
        "participation, les enseignements des ateliers thématiques de 2021, et les actions "
        "envisagées pour le PRST 4 (rendez-vous annuel, module d'accueil, module de "
        "renforcement, ateliers QVT, travaux sur la communication au sein du réseau)."))
    return events


def _on_or_after(day: date, weekday: int) -> date:
    """The first Monday (0), Tuesday (1)… from `day` on."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    return _on_or_after(date(year, month, 1), weekday) + timedelta(weeks=nth - 1)


def semaine_qvt_friday(year: int) -> date:
    """The Friday of the Semaine QVT, held in the second half of June (19 June 2020,
    18 June 2021): the first Friday from 18 June on."""
    return _on_or_after(date(year, 6, 18), 4)


def planned(year: int) -> list[dict]:
    """The year's events as the newsletter plans them from 2022 on."""
    city, other_city = (("Toulouse", "Montpellier") if year % 2 == 0
                        else ("Montpellier", "Toulouse"))
    events = [_event(
        f"Rendez-vous annuel du réseau {year}", EventKind.ANNUAL_MEETING,
        semaine_qvt_friday(year), (9, 30), (16, 30), EventMode.HYBRID,
        PURPOSES[EventKind.ANNUAL_MEETING],
        "Une journée sur place ou à distance, pendant la Semaine pour la qualité de vie au "
        "travail : le bilan de l'année, les ressources produites par les membres et les "
        "partenaires, l'évolution du fonctionnement du réseau et la lettre d'information "
        "annuelle.", capacity=120, address=f"Hôtel de Région, {city}")]
    for month in (2, 6, 10):
        events.append(_event(
            f"Module d'accueil : {WELCOME_TITLE}", EventKind.WELCOME_MODULE,
            _nth_weekday(year, month, 1, 2), (14, 0), (16, 30), EventMode.REMOTE,
            PURPOSES[EventKind.WELCOME_MODULE],
            "Le module socle du parcours des nouveaux membres du réseau, à distance ; un replay "
            "est proposé à ceux qui ne peuvent pas y assister.", capacity=25))
    events.append(_event(
        f"Module de renforcement : {REINFORCEMENT_TITLE}", EventKind.REINFORCEMENT_MODULE,
        # The first Thursday after All Saints' Day (1 November, a public holiday).
        _on_or_after(date(year, 11, 2), 3), (9, 30), (16, 30), EventMode.IN_PERSON,
        PURPOSES[EventKind.REINFORCEMENT_MODULE],
        "Un module proposé à tous les membres du réseau, pour consolider un socle commun : les "
        "repères de l'ANI QVT de 2013 et de l'ANI santé au travail de 2020, et les repères clés "
        "du PRST.", capacity=30, address=f"Aract Occitanie, {other_city}"))
    for half, (month, mode) in enumerate(((3, EventMode.IN_PERSON), (10, EventMode.REMOTE))):
        topic = LATER_WORKSHOP_TOPICS[(2 * (year - 2022) + half) % len(LATER_WORKSHOP_TOPICS)]
        address = f"Aract Occitanie, {city}" if mode == EventMode.IN_PERSON else None
        events.append(_event(
            f"Atelier QVT « {topic} »" + (f" – {city}" if address else ""),
            EventKind.WORKSHOP, _nth_weekday(year, month, 3, 3), (9, 30), (12, 30), mode,
            PURPOSES[EventKind.WORKSHOP],
            f"## {topic}\n\nChacun apporte une situation d'intervention ; les échanges nourrissent "
            "les productions du réseau, capitalisées et diffusées dans sa bibliothèque.",
            capacity=15, address=address, themes=(topic,)))
    for month in (3, 9):
        events.append(_event(
            "Groupe de travail : bonnes pratiques de communication au sein du réseau",
            EventKind.WORKING_GROUP, _nth_weekday(year, month, 2, 3), (10, 0), (12, 0),
            EventMode.REMOTE,
            "Travaux sur les bonnes pratiques de communication au sein du réseau, avec des "
            "membres volontaires et des membres du GT QVT PRST.",
            "Identifier les besoins (espace ressources, espace d'échanges, affichage en tant que "
            "membre du réseau…) et construire une charte.", capacity=15))
    return events


def calendar(now: datetime) -> list[dict]:
    """The network's events from the launch to about four months ahead, in order."""
    events = history()
    for year in range(2022, now.year + 2):
        events += planned(year)
    # Up to about four months ahead: what the members can register for now.
    return sorted((e for e in events if e["starts_at"] < now + timedelta(days=120)),
                  key=lambda e: e["starts_at"])
