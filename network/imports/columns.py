"""Which column holds what: recognised from the usual French or English headers, or as an admin
mapped it once (remembered for the next file)."""

import re
import unicodedata

from sqlalchemy import select

from network.extensions import db
from network.imports.models import ImportHeaderMapping

# field: (label shown to the admin, headers that name it, normalised)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_name": ("Prénom", ("prenom", "first name", "firstname", "given name")),
    "last_name": ("Nom", ("nom", "nom de famille", "last name", "lastname", "surname",
                          "family name", "name")),
    "email": ("E-mail", ("e mail", "email", "mail", "courriel", "adresse e mail",
                         "adresse email", "adresse mail", "adresse courriel", "email address",
                         "e mail address")),
    "organisation": ("Structure", ("organisation", "organization", "structure", "organisme",
                                   "entreprise", "employeur", "company", "cabinet")),
    "profile": ("Profil", ("profil", "profile", "type d intervenant", "type")),
    "departments": ("Départements", ("departement", "departements", "departement s",
                                     "department", "departments", "dept", "dep")),
    "qvt_fields": ("Champs de la QVT", ("champ qvt", "champs qvt", "champ s qvt",
                                        "champ de la qvt", "champs de la qvt",
                                        "champ s de la qvt", "champs d intervention",
                                        "qvt fields", "qvt field")),
    "member_since": ("Membre depuis", ("membre depuis", "membre depuis le", "date d entree",
                                       "date entree", "entree", "date d adhesion", "adhesion",
                                       "member since", "joined", "date joined")),
    "rules_accepted_on": ("Cadre accepté le", ("cadre accepte le", "cadre accepte",
                                               "charte acceptee le", "charte acceptee",
                                               "acceptation du cadre", "acceptation charte",
                                               "date d acceptation", "charter accepted")),
    "phone": ("Téléphone", ("telephone", "tel", "phone", "portable", "mobile",
                            "numero de telephone")),
    "job_title": ("Fonction", ("fonction", "poste", "metier", "job title", "title", "role")),
    "website": ("Site web", ("site web", "site internet", "site", "website", "web", "url")),
    "directory_opt_in": ("Annuaire", ("annuaire", "dans l annuaire", "visible dans l annuaire",
                                      "directory")),
    "listed_on_reflex_qvt": ("Référencé Reflex QVT", ("reflex qvt", "reference reflex qvt",
                                                      "referencement reflex qvt")),
}
REQUIRED_FIELDS = ("first_name", "last_name", "email", "profile")
# The mapping screen's choice for a column to leave out.
IGNORED = ""


def normalise_header(header: str) -> str:
    """« Adresse e-mail », « ADRESSE E-MAIL » and « adresse_email » read the same."""
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    return text[:200]


_ALIASES = {alias: field for field, (_, aliases) in FIELDS.items() for alias in aliases}


def remembered_mappings() -> dict[str, str]:
    return dict(db.session.execute(select(ImportHeaderMapping.header,
                                          ImportHeaderMapping.field)).all())


def recognise(headers: list[str], chosen: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field. The admin's choice of this time first, then what was remembered,
    then the usual names; a field is read from its first column only."""
    chosen = chosen or {}
    remembered = remembered_mappings()
    columns: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = normalise_header(header)
        field = chosen.get(key, remembered.get(key, _ALIASES.get(key)))
        if field and field in FIELDS and field not in columns.values():
            columns[index] = field
    return columns


def remember(choices: dict[str, str]) -> None:
    """Keep the admin's mapping of headers (normalised header → field or IGNORED)."""
    for header, field in choices.items():
        if field != IGNORED and field not in FIELDS:
            continue
        mapping = db.session.get(ImportHeaderMapping, header)
        if mapping is None:
            db.session.add(ImportHeaderMapping(header=header, field=field))
        else:
            mapping.field = field
