"""The roles of the back-office, and the role each of its routes needs.

The GT QVT is a group of partners: not everyone who runs an event should export every member's
details. Each role can do what the one below it can: lecture ⊂ animation ⊂ administrateur.
"""

from flask import current_app, g
from werkzeug.exceptions import Forbidden

LECTURE = "lecture"
ANIMATION = "animation"
ADMINISTRATEUR = "administrateur"

# Lowest first: a role reaches every route of the roles before it.
ROLES = (LECTURE, ANIMATION, ADMINISTRATEUR)
LABELS = {
    LECTURE: "Lecture",
    ANIMATION: "Animation",
    ADMINISTRATEUR: "Administrateur",
}
DESCRIPTIONS = {
    LECTURE: "tableau de bord et bilan annuel",
    ANIMATION: "événements, inscriptions, présences, bibliothèque, actualités, envois et "
               "invitations, en plus de la lecture",
    ADMINISTRATEUR: "tout, dont les membres, leurs exports, la charte, le renouvellement et "
                    "les comptes de l'équipe",
}


def requires(role: str):
    """States the role a back-office view needs; the blueprint's guard enforces it."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def mark(view):
        view.required_role = role
        return view
    return mark


def reaches(role: str | None, required: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(required)


def required_role(endpoint: str | None) -> str | None:
    """The role the view of this endpoint states, None if it states none."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "required_role", None)


def can(endpoint: str) -> bool:
    """Whether the signed-in admin may open this endpoint (menus and links ask it)."""
    admin = g.get("admin")
    needed = required_role(endpoint)
    return admin is not None and needed is not None and reaches(admin.role, needed)


class RoleRefused(Forbidden):
    """A page above the signed-in admin's role: the 403 page says which role it needs."""

    def __init__(self, role: str, needed: str | None):
        if needed is None:
            message = "Cette page du back-office n'est ouverte à aucun rôle."
        else:
            message = (f"Votre rôle, « {LABELS.get(role, role)} », ne donne pas accès à cette "
                       f"page : elle demande le rôle « {LABELS[needed]} ». Si vous en avez besoin, "
                       "demandez-le à un administrateur du GT QVT.")
        super().__init__(message)


def check_role(endpoint: str | None) -> None:
    """403 unless the signed-in admin's role reaches the one the route states. A route that
    states none is refused to everyone: forgetting is never an opening."""
    needed = required_role(endpoint)
    if needed is None or not reaches(g.admin.role, needed):
        raise RoleRefused(g.admin.role, needed)
