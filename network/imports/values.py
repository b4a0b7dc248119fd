"""Reading the cells of a members' spreadsheet the way people type them: departments by code
or name, profiles and QVT fields by their label or close to it, dates in the French way."""

import difflib
import re
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from network.extensions import db
from network.imports.columns import normalise_header
from network.inputs import has_control_characters
from network.membership.models import Department, QvtField
from network.reference import PROFILES


class BadValue(ValueError):
    """A cell that cannot be read; its message says why, in French."""


def text(value, limit: int) -> str:
    # A line break typed inside a cell (Alt+Entrée) is a space in a one-line field.
    value = re.sub(r"[\t\r\n]+", " ", str(value)).strip()
    if has_control_characters(value):
        raise BadValue("caractères de contrôle (invisibles) dans la cellule")
    if len(value) > limit:
        raise BadValue(f"{limit} caractères au maximum")
    return value


def email(value) -> str:
    address = text(value, 254)
    if not address:
        raise BadValue("adresse manquante")
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise BadValue("adresse e-mail non valide") from None


def phone(value) -> str | None:
    number = text(value, 30)
    if not number:
        return None
    if not re.fullmatch(r"\+?[0-9 .()-]{6,}", number):
        raise BadValue("numéro de téléphone non valide")
    digits = re.sub(r"\D", "", number)
    if len(digits) == 9 and not number.startswith(("+", "0")):
        # A spreadsheet read « 05 61 … » as a number and dropped the 0.
        digits = "0" + digits
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return number


def website(value) -> str | None:
    address = text(value, 300)
    if not address:
        return None
    if not re.match(r"https?://", address, re.IGNORECASE):
        address = "https://" + address
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*\.[^\s]+", address, re.IGNORECASE):
        raise BadValue("adresse de site non valide")
    return address


YES = {"oui", "o", "x", "1", "vrai", "yes", "y", "true"}
NO = {"", "non", "n", "0", "faux", "no", "false"}


def yes_no(value) -> bool:
    answer = normalise_header(value)
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise BadValue("répondez par oui ou non")


def day(value) -> date | None:
    """dd/mm/yyyy (or dd-mm-yyyy, dd.mm.yy), ISO yyyy-mm-dd, or a date cell of the sheet."""
    if isinstance(value, date):
        return value
    value = str(value).strip()
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value.split(" ")[0].split("T")[0], pattern).date()
        except ValueError:
            continue
    raise BadValue("date non reconnue : écrivez-la jj/mm/aaaa, par exemple 22/11/2019")


def _split(value) -> list[str]:
    return [part for part in re.split(r"[;,/\n|+]|\bet\b", str(value)) if part.strip()]


class Vocabulary:
    """The departments, QVT fields and profiles, each under every name people give them; read
    once per import."""

    def __init__(self):
        departments = db.session.execute(select(Department.code, Department.name)).all()
        self.departments = {}
        for code, name in departments:
            self.departments[code] = code
            self.departments[code.lstrip("0")] = code
            self.departments[normalise_header(name)] = code
        fields = db.session.execute(select(QvtField.code, QvtField.label)).all()
        self.qvt_fields = {normalise_header(label): code for code, label in fields}
        self.qvt_fields.update({code: code for code, _ in fields})
        self.qvt_labels = dict(fields)
        self.profiles = {normalise_header(label): code for code, label in PROFILES}
        self.profiles.update({code.replace("_", " "): code for code, _ in PROFILES})
        self.profiles.update({"consultant": "consultant", "consultante": "consultant",
                              "acteur interne": "acteur_interne",
                              "acteur relais": "acteur_relais", "relais": "acteur_relais",
                              "interne": "acteur_interne"})

    def department_codes(self, value) -> list[str]:
        codes = []
        for part in _split(value):
            key = normalise_header(part)
            # « 31 - Haute-Garonne » or « Haute-Garonne (31) »: the code is enough.
            number = re.match(r"^(\d{1,3})\b", key) or re.search(r"\b(\d{2,3})$", key)
            code = self.departments.get(number.group(1) if number else key)
            if code is None:
                code = self._closest(key, self.departments)
            if code is None:
                raise BadValue(f"« {part.strip()} » n'est pas un département d'Occitanie")
            if code not in codes:
                codes.append(code)
        return codes

    def qvt_field_codes(self, value) -> list[str]:
        codes = []
        for part in _split(value):
            key = normalise_header(part)
            code = self.qvt_fields.get(key) or self._closest(key, self.qvt_fields)
            if code is None:
                raise BadValue(f"« {part.strip()} » n'est pas un champ de la QVT connu")
            if code not in codes:
                codes.append(code)
        return codes

    def profile(self, value) -> str:
        key = normalise_header(value)
        if not key:
            raise BadValue("profil manquant : consultant, acteur interne ou acteur-relais")
        code = self.profiles.get(key) or self._closest(key, self.profiles)
        if code is None:
            for prefix, candidate in (("consult", "consultant"), ("acteur int", "acteur_interne"),
                                      ("acteur rel", "acteur_relais")):
                if key.startswith(prefix):
                    return candidate
            raise BadValue("profil inconnu : consultant, acteur interne ou acteur-relais")
        return code

    @staticmethod
    def _closest(key: str, names: dict[str, str]) -> str | None:
        """A slip of the keyboard, or the start of one name only (« Relations sociales »)."""
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
        if close:
            return names[close[0]]
        starting = {code for name, code in names.items() if name.startswith(key)}
        return starting.pop() if len(key) >= 6 and len(starting) == 1 else None
