"""The questionnaires the network starts with: one per kind of event, and the needs survey.

Written by migration 0021 (its own frozen copy) and, on a database without them (a fresh test
database, a questionnaire somehow missing), by `network.evaluations.questionnaires`. The admins
edit them afterwards in the back-office.
"""

from network.evaluations.models import Purpose, QuestionKind
from network.events.models import EventKind

SATISFIED = ("Pas du tout satisfait·e", "Tout à fait satisfait·e")
AT_ALL = ("Pas du tout", "Tout à fait")

# What each kind of event is called in its questions.
EVENT_NOUNS = {
    EventKind.WEBINAR: "ce webinaire",
    EventKind.WORKSHOP: "cet atelier",
    EventKind.ANNUAL_MEETING: "ce Rendez-vous annuel",
    EventKind.WELCOME_MODULE: "ce module d'accueil",
    EventKind.REINFORCEMENT_MODULE: "ce module de renforcement",
    EventKind.WORKING_GROUP: "cette séance du groupe de travail",
    EventKind.OTHER: "cet événement",
}

# One question of its own per kind, after the common ones.
OWN_QUESTION = {
    EventKind.WEBINAR: (QuestionKind.CHOICE, "La durée du webinaire vous a-t-elle convenu ?",
                        "Trop courte\nAdaptée\nTrop longue"),
    EventKind.WORKSHOP: (QuestionKind.SCALE, "Les échanges entre participants vous ont-ils été "
                                             "utiles ?", ""),
    EventKind.ANNUAL_MEETING: (QuestionKind.CHOICE, "Recommanderiez-vous le Rendez-vous annuel "
                                                    "à un ou une collègue ?",
                               "Oui\nPeut-être\nNon"),
    EventKind.WELCOME_MODULE: (QuestionKind.CHOICE, "Savez-vous maintenant comment participer "
                                                    "à la vie du réseau ?",
                               "Oui\nEn partie\nNon"),
    EventKind.REINFORCEMENT_MODULE: (QuestionKind.SCALE, "Vous sentez-vous mieux outillé·e "
                                                         "pour accompagner une démarche QVT ?",
                                     ""),
    EventKind.WORKING_GROUP: (QuestionKind.CHOICE, "Les travaux du groupe avancent-ils à votre "
                                                   "goût ?", "Oui\nEn partie\nNon"),
    EventKind.OTHER: (QuestionKind.CHOICE, "Le format vous a-t-il convenu ?",
                      "Oui\nEn partie\nNon"),
}


def question(kind, text, required=False, options="", ends=("", ""), overall=False) -> dict:
    return {"kind": kind.value, "text": text, "required": required, "options": options,
            "low_label": ends[0], "high_label": ends[1], "overall": overall}


def evaluation_questions(event_kind: EventKind) -> list[dict]:
    noun = EVENT_NOUNS[event_kind]
    own_kind, own_text, own_options = OWN_QUESTION[event_kind]
    return [
        question(QuestionKind.SCALE, f"Globalement, êtes-vous satisfait·e de {noun} ?",
                 required=True, ends=SATISFIED, overall=True),
        question(QuestionKind.SCALE, "Le contenu répond-il à vos besoins ?", required=True,
                 ends=AT_ALL),
        question(own_kind, own_text, options=own_options,
                 ends=AT_ALL if own_kind == QuestionKind.SCALE else ("", "")),
        question(QuestionKind.TEXT, "Qu'en retenez-vous ?"),
        question(QuestionKind.TEXT, "Quels thèmes aimeriez-vous voir traités par le réseau ?"),
    ]


NEEDS_QUESTIONS = [
    question(QuestionKind.SCALE, "Où en êtes-vous dans l'accompagnement des démarches QVT ?",
             required=True, ends=("Je débute", "Je suis très à l'aise")),
    question(QuestionKind.CHOICE, "Sur quel champ de la QVT souhaitez-vous d'abord vous "
                                  "renforcer ?", required=True,
             options="Relations sociales et professionnelles\nContenu et organisation du travail"
                     "\nSanté au travail\nCompétences et parcours professionnels\nÉgalité "
                     "professionnelle\nManagement participatif et engagement\nConciliation des "
                     "temps de vie"),
    question(QuestionKind.CHOICE, "Quel format vous convient le mieux ?",
             options="Webinaire d'une heure\nAtelier en présentiel\nJournée de module\n"
                     "Échanges entre pairs"),
    question(QuestionKind.TEXT, "Quels outils ou méthodes aimeriez-vous approfondir ?"),
    question(QuestionKind.TEXT, "Une situation ou une question à partager avec le réseau ?"),
]


def default_questionnaires() -> list[dict]:
    """Every questionnaire the network needs, with its questions in order."""
    evaluations = [
        {"key": f"evaluation:{kind.value}", "purpose": Purpose.EVALUATION.value,
         "event_kind": kind.value, "title": f"Votre avis sur {EVENT_NOUNS[kind]}",
         "intro": "Quelques questions, deux minutes : vos réponses sont anonymes et aident le "
                  "GT QVT à préparer les prochains rendez-vous du réseau.",
         "questions": evaluation_questions(kind)}
        for kind in EventKind]
    needs = {"key": Purpose.NEEDS.value, "purpose": Purpose.NEEDS.value, "event_kind": None,
             "title": "Vos besoins de renforcement",
             "intro": "Ce questionnaire prépare le module de renforcement : il nous aide à "
                      "connaître votre niveau d'appropriation de la démarche QVT et vos besoins. "
                      "Vos réponses sont anonymes.",
             "questions": NEEDS_QUESTIONS}
    return [*evaluations, needs]
