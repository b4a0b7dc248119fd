"""What an attestation says of an event, the same on the PDF and on its public page."""

from datetime import datetime

from network.attestations.models import Attestation
from network.events.models import EVENT_KIND_LABELS, EVENT_MODE_LABELS, EventMode
from network.templating import PARIS, WEEKDAYS, french_date, french_time

# The network as its attestations and its badge name it.
NETWORK = "Réseau des intervenants QVT Occitanie"


def badge_text(year: int) -> str:
    return f"Membre du réseau des intervenants QVT Occitanie {year}"


def duration(starts_at: datetime, ends_at: datetime) -> str:
    """« 2 h », « 1 h 30 », « 45 min »; an event over several days, in days (« 2 jours »)."""
    start, end = starts_at.astimezone(PARIS), ends_at.astimezone(PARIS)
    if start.date() != end.date():
        return f"{(end.date() - start.date()).days + 1} jours"
    hours, minutes = divmod(round((end - start).total_seconds() / 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"


def event_day_and_hours(event) -> tuple[str, str]:
    """(« mardi 12 mai 2026 », « de 14 h à 16 h 30 »), or both ends in full over several days."""
    start, end = event.starts_at.astimezone(PARIS), event.ends_at.astimezone(PARIS)
    if start.date() == end.date():
        return (f"{WEEKDAYS[start.weekday()]} {french_date(start)}",
                f"de {french_time(start)} à {french_time(end)}")
    return (f"du {french_date(start)} au {french_date(end)}",
            f"du {WEEKDAYS[start.weekday()]} {french_date(start, with_time=True)} "
            f"au {WEEKDAYS[end.weekday()]} {french_date(end, with_time=True)}")


def mode_and_place(event) -> str:
    mode = EVENT_MODE_LABELS.get(event.mode, event.mode)
    if event.mode != EventMode.REMOTE and (event.address or "").strip():
        return f"{mode} : {' '.join(event.address.split())}"
    return mode


def presence_facts(attestation: Attestation) -> list[tuple[str, str]]:
    """The event's facts as the attestation and its public page give them."""
    event = attestation.registration.event
    day, hours = event_day_and_hours(event)
    return [("Événement", event.title), ("Type", EVENT_KIND_LABELS.get(event.kind, event.kind)),
            ("Date", day), ("Horaires", hours),
            ("Durée", duration(event.starts_at, event.ends_at)),
            ("Modalité", mode_and_place(event))]
