"""The Rendez-vous annuel du réseau is held during the Semaine QVT: the national week for the
quality of working life and working conditions (Anact), each June. The seed: « un Rendez-vous
annuel » at each Semaine QVT, for « le bilan de l'année » and « la lettre d'info annuelle ».

A rule on the event's date rather than a field: an annual meeting dated in June is the one of
that year's Semaine QVT, and its pages say so; one dated another month (postponed, say) is only
the year's annual meeting, and the back-office warns when it is saved.
"""

from datetime import datetime

from network.events.models import EventKind
from network.templating import PARIS

SEMAINE_QVT_MONTH = 6


def is_annual_meeting(event) -> bool:
    return event.kind == EventKind.ANNUAL_MEETING


def during_semaine_qvt(event) -> bool:
    """An annual meeting that starts in June, Paris time."""
    return (is_annual_meeting(event)
            and event.starts_at.astimezone(PARIS).month == SEMAINE_QVT_MONTH)


def semaine_qvt_line(event) -> str | None:
    """« Rendez-vous annuel du réseau, pendant la Semaine QVT 2027 » on its pages and lists."""
    if not during_semaine_qvt(event):
        return None
    return (f"Rendez-vous annuel du réseau, pendant la Semaine QVT "
            f"{event.starts_at.astimezone(PARIS).year}")


def date_warning(kind: str, starts_at: datetime | None) -> str | None:
    """What the event form says of an annual meeting not dated in June (saved all the same)."""
    if kind != EventKind.ANNUAL_MEETING or starts_at is None:
        return None
    if starts_at.astimezone(PARIS).month == SEMAINE_QVT_MONTH:
        return None
    return ("Le Rendez-vous annuel du réseau a lieu pendant la Semaine QVT, en juin : cet "
            "événement est daté d'un autre mois, ses pages ne le rattachent donc pas à la "
            "Semaine QVT. Vérifiez la date.")
