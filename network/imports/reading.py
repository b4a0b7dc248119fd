"""A spreadsheet of members as the GT QVT saved it: CSV from a French spreadsheet (UTF-8 or
Windows-1252, semicolons or commas), XLSX or ODS, read into a header and rows of cells."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from python_calamine import CalamineError, CalamineWorkbook

FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "ods": "OpenDocument (ODS)"}
FORMATS_LABEL = "CSV, XLSX ou ODS"
# XLSX and ODS are ZIP archives; anything else with their name is not what it says.
ZIP_MAGIC = b"PK\x03\x04"

Cell = str | date


@dataclass
class Sheet:
    headers: list[str]
    # Each row as long as the header, with its line number in the file (the header is line 1).
    rows: list[tuple[int, list[Cell]]]


class UnreadableFile(Exception):
    """The file cannot be read as a table of members; the message says why, in French."""


def file_format(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMATS:
        raise UnreadableFile(f"Ce type de fichier n'est pas accepté : choisissez un fichier "
                             f"{FORMATS_LABEL}.")
    return extension


def read_sheet(file_name: str, content: bytes) -> Sheet:
    """The first sheet of the file, empty lines left out; UnreadableFile if it is not one."""
    extension = file_format(file_name)
    if not content.strip():
        raise UnreadableFile("Le fichier est vide.")
    if extension == "csv":
        if content.startswith(ZIP_MAGIC) or b"\x00" in content:
            raise UnreadableFile("Ce fichier n'est pas un CSV : enregistrez le tableau au format "
                                 "CSV, ou envoyez-le en XLSX ou ODS.")
        table = _csv_table(content)
    else:
        if not content.startswith(ZIP_MAGIC):
            raise UnreadableFile(f"Ce fichier n'est pas un vrai fichier {FORMATS[extension]} : "
                                 "ouvrez-le dans votre tableur et enregistrez-le à nouveau.")
        table = _workbook_table(content)
    lines = [(number, [_cell(value) for value in row])
             for number, row in enumerate(table, 1)]
    lines = [(number, row) for number, row in lines if any(cell != "" for cell in row)]
    if not lines:
        raise UnreadableFile("Le fichier ne contient aucune ligne.")
    (_, headers), rows = lines[0], lines[1:]
    width = len(headers)
    while width and headers[width - 1] == "":
        width -= 1
    headers = [str(header) for header in headers[:width]]
    if not any(headers):
        raise UnreadableFile("La première ligne doit donner le nom des colonnes.")
    return Sheet(headers, [(number, (row + [""] * width)[:width]) for number, row in rows])


def _csv_table(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # What Excel saves as « CSV (séparateur : point-virgule) » on a French Windows.
        text = content.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _workbook_table(content: bytes) -> list[list]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, IndexError, OSError) as error:
        raise UnreadableFile("Le fichier n'a pas pu être lu : il est peut-être abîmé ou protégé "
                             "par un mot de passe. Enregistrez-le à nouveau depuis votre "
                             "tableur.") from error


def _cell(value) -> Cell:
    """A cell as text, or a date when the spreadsheet typed it as one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float):
        # Spreadsheets store « 31 » or a phone number as a float.
        return str(int(value)) if value.is_integer() else str(value)
    if value is None or isinstance(value, bool) and not value:
        return "" if value is None else "non"
    if value is True:
        return "oui"
    return str(value).strip()
