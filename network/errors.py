"""Error pages in French, for every failure a visitor can meet."""

import math
import time

from flask import render_template
from flask_wtf.csrf import CSRFError

from network.admin.roles import RoleRefused
from network.extensions import db, limiter
from network.membership.lifecycle import TransitionRefused
from network.templating import plural

MESSAGES = {
    400: ("Demande incorrecte", "La demande envoyée n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse, "
          "ou repartez de la page d'accueil."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    413: ("Envoi trop volumineux", "Les données envoyées dépassent la taille autorisée."),
    429: ("Trop de demandes", "Vous avez envoyé beaucoup de demandes en peu de temps. "
          "Patientez {wait} avant de réessayer : rien n'a été perdu."),
    500: ("Erreur du site", "Une erreur inattendue s'est produite. Rien n'a été enregistré ; "
          "réessayez dans quelques instants ou écrivez-nous."),
}


def error_page(error):
    code = getattr(error, "code", 500) or 500
    title, message = MESSAGES.get(code, MESSAGES[500])
    if isinstance(error, RoleRefused):
        message = error.description
    return render_template("errors/error.html", title=title, message=message, code=code), code


def too_many_requests(error):
    """The limit's page says how long to wait, as its Retry-After header does."""
    title, message = MESSAGES[429]
    seconds = retry_after()
    wait = french_duration(seconds) if seconds else "quelques minutes"
    response = render_template("errors/error.html", title=title, code=429,
                               message=message.format(wait=wait))
    return response, 429, {"Retry-After": str(seconds)} if seconds else {}


def retry_after() -> int | None:
    """Seconds until the limit that was hit lets requests through again (Flask-Limiter)."""
    limit = limiter.current_limit
    if limit is None or not limit.reset_at:
        return None
    return max(1, math.ceil(limit.reset_at - time.time()))


def french_duration(seconds: int) -> str:
    """"45 secondes", "1 minute", "2 heures et 5 minutes": a wait, to the nearest minute beyond
    one (the header says it to the second)."""
    if seconds < 60:
        return plural(seconds, "seconde")
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [plural(hours, "heure")] if hours else []
    parts += [plural(minutes, "minute")] if minutes else []
    return " et ".join(parts)


def csrf_failure(error):
    return render_template(
        "errors/error.html", code=400, title="Formulaire expiré",
        message="Pour votre sécurité, ce formulaire n'est plus valable (il a été ouvert il y a "
                "trop longtemps ou dans un autre onglet). Rien n'a été enregistré : revenez à "
                "la page précédente, rechargez-la, puis envoyez à nouveau le formulaire."), 400


def transition_refused(refusal: TransitionRefused):
    """A move the lifecycle does not allow, from whatever path: nothing is saved."""
    db.session.rollback()
    return render_template("errors/error.html", code=409, title="Action impossible",
                           message=str(refusal)), 409


def register_error_handlers(app):
    for code in MESSAGES:
        app.register_error_handler(code, too_many_requests if code == 429 else error_page)
    app.register_error_handler(CSRFError, csrf_failure)
    app.register_error_handler(TransitionRefused, transition_refused)
