"""Error pages in French, for every failure a visitor can meet."""

from flask import render_template
from flask_wtf.csrf import CSRFError

from network.extensions import db
from network.membership.lifecycle import TransitionRefused

MESSAGES = {
    400: ("Demande incorrecte", "La demande envoyée n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse, "
          "ou repartez de la page d'accueil."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    413: ("Envoi trop volumineux", "Les données envoyées dépassent la taille autorisée."),
    429: ("Trop de demandes", "Vous avez envoyé beaucoup de demandes en peu de temps. "
          "Patientez quelques minutes avant de réessayer : rien n'a été perdu."),
    500: ("Erreur du site", "Une erreur inattendue s'est produite. Rien n'a été enregistré ; "
          "réessayez dans quelques instants ou écrivez-nous."),
}


def error_page(error):
    code = getattr(error, "code", 500) or 500
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", title=title, message=message, code=code), code


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
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, csrf_failure)
    app.register_error_handler(TransitionRefused, transition_refused)
