"""What an import would do, before anything is written: each line read, checked and sorted
into new people, people already known, duplicates within the file, and errors."""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from network.extensions import db
from network.imports import values
from network.imports.columns import FIELDS, REQUIRED_FIELDS, recognise
from network.imports.reading import Sheet
from network.membership.models import Person

EARLIEST_ACCEPTANCE = date(2019, 1, 1)


@dataclass
class RowError:
    line: int
    column: str
    value: str
    why: str


@dataclass
class ImportRow:
    line: int
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    # The person who already has this address, or the line of the file that gave it first.
    known_person_id: int | None = None
    same_as_line: int | None = None

    @property
    def kind(self) -> str:
        if self.errors:
            return "error"
        if self.known_person_id is not None:
            return "known"
        return "duplicate" if self.same_as_line is not None else "new"


@dataclass
class ImportPlan:
    file_name: str
    headers: list[str]
    columns: dict[int, str]
    rows: list[ImportRow]
    # The first value of each column, to show the admin what it holds.
    examples: list[str] = field(default_factory=list)

    @property
    def missing_fields(self) -> list[str]:
        """Required fields that no column gives: nothing can be imported until one does."""
        return [FIELDS[name][0] for name in REQUIRED_FIELDS if name not in self.columns.values()]

    @property
    def unmapped_headers(self) -> list[str]:
        return [header for index, header in enumerate(self.headers)
                if index not in self.columns and header]

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]


def launch_date() -> date:
    return date.fromisoformat(current_app.config["NETWORK_LAUNCH_DATE"])


READERS = {
    "first_name": lambda vocabulary, cell: _required(values.text(cell, 100), "prénom manquant"),
    "last_name": lambda vocabulary, cell: _required(values.text(cell, 100), "nom manquant"),
    "email": lambda vocabulary, cell: values.email(cell),
    "organisation": lambda vocabulary, cell: values.text(cell, 200) or None,
    "profile": lambda vocabulary, cell: vocabulary.profile(cell),
    "departments": lambda vocabulary, cell: vocabulary.department_codes(cell),
    "qvt_fields": lambda vocabulary, cell: vocabulary.qvt_field_codes(cell),
    "member_since": lambda vocabulary, cell: values.day(cell),
    "rules_accepted_on": lambda vocabulary, cell: values.day(cell),
    "phone": lambda vocabulary, cell: values.phone(cell),
    "job_title": lambda vocabulary, cell: values.text(cell, 200) or None,
    "website": lambda vocabulary, cell: values.website(cell),
    "directory_opt_in": lambda vocabulary, cell: values.yes_no(cell),
    "listed_on_reflex_qvt": lambda vocabulary, cell: values.yes_no(cell),
}


def _required(value: str, message: str) -> str:
    if not value:
        raise values.BadValue(message)
    return value


def plan_import(sheet: Sheet, file_name: str, today: date,
                chosen: dict[str, str] | None = None) -> ImportPlan:
    """Read every line of the sheet; nothing is written."""
    columns = recognise(sheet.headers, chosen)
    vocabulary = values.Vocabulary()
    launch = launch_date()
    rows = [_read_row(line, cells, sheet.headers, columns, vocabulary, launch, today)
            for line, cells in sheet.rows]
    _find_duplicates(rows)
    examples = [next((_shown(cells[index]) for _, cells in sheet.rows if cells[index] != ""), "")
                for index in range(len(sheet.headers))]
    return ImportPlan(file_name, sheet.headers, columns, rows, examples)


def _read_row(line: int, cells: list, headers: list[str], columns: dict[int, str],
              vocabulary: values.Vocabulary, launch: date, today: date) -> ImportRow:
    row = ImportRow(line)
    for index, name in columns.items():
        cell = cells[index]
        try:
            row.values[name] = READERS[name](vocabulary, cell)
            _check_dates(name, row.values[name], launch, today)
        except values.BadValue as problem:
            row.errors.append(RowError(line, headers[index], _shown(cell), str(problem)))
    row.values.setdefault("departments", [])
    row.values.setdefault("qvt_fields", [])
    if row.values.get("member_since") is None:
        # A blank « Membre depuis »: a member since the network's launch.
        row.values["member_since"] = launch
    return row


def _check_dates(name: str, value, launch: date, today: date) -> None:
    if name not in ("member_since", "rules_accepted_on") or value is None:
        return
    if value > today:
        raise values.BadValue("cette date n'est pas encore arrivée")
    earliest = launch if name == "member_since" else EARLIEST_ACCEPTANCE
    if value < earliest:
        raise values.BadValue(f"date antérieure au {earliest:%d/%m/%Y}"
                              + (", lancement du réseau" if name == "member_since" else ""))


def _shown(cell) -> str:
    return cell.strftime("%d/%m/%Y") if isinstance(cell, date) else str(cell)[:200]


def _find_duplicates(rows: list[ImportRow]) -> None:
    """The same address twice in the file, or already known to the network."""
    first_line: dict[str, int] = {}
    for row in rows:
        address = row.values.get("email")
        if not address or row.errors:
            continue
        if address in first_line:
            row.same_as_line = first_line[address]
        else:
            first_line[address] = row.line
    addresses = list(first_line)
    known: dict[str, int] = {}
    for start in range(0, len(addresses), 900):
        known.update({email: person_id for person_id, email in db.session.execute(
            select(Person.id, Person.email).where(Person.email.in_(
                addresses[start:start + 900])))})
    for row in rows:
        address = row.values.get("email")
        if address in known and not row.errors:
            row.known_person_id = known[address]

