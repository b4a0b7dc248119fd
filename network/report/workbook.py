"""The annual report's figures as an XLSX workbook (openpyxl): one sheet per section, the
page's tables one under the other, numbers as numbers (rates as percentages) so that they add up,
headers in French."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from network.report.sections import Rate, Section, Table, sections
from network.report.services import AnnualReport

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, color="4C5757")
NOT_MEASURED = "—"


def report_workbook(report: AnnualReport) -> bytes:
    """The report's workbook: a sheet per section of the page."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"Bilan de l'année {report.year}"
    workbook.properties.creator = "Réseau des intervenants QVT en Occitanie"
    workbook.properties.language = "fr-FR"
    for section in sections(report):
        _sheet(workbook, section, report.year)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, section: Section, year: int) -> None:
    sheet = workbook.create_sheet(section.sheet)
    _write(sheet.cell(1, 1), f"{section.title} – bilan {year}").font = TITLE
    row = 3
    if section.empty:
        _write(sheet.cell(row, 1), section.empty)
        row += 2
    for table in section.tables if not section.empty else []:
        row = _table(sheet, table, row) + 1
    for note in section.notes if not section.empty else []:
        _write(sheet.cell(row, 1), note).font = NOTE
        row += 1
    widths = {1: 48}
    for column in range(2, sheet.max_column + 1):
        widths[column] = 18
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def _table(sheet, table: Table, row: int) -> int:
    """Writes the table from `row` on (its caption, headers, rows, total); the next free row."""
    _write(sheet.cell(row, 1), table.caption).font = BOLD
    row += 1
    for column, header in enumerate(table.headers, start=1):
        cell = _write(sheet.cell(row, column), header)
        cell.font = BOLD
        if column > 1:
            cell.alignment = Alignment(horizontal="right", wrap_text=True)
    for cells in table.rows + ([table.total] if table.total else []):
        row += 1
        for column, value in enumerate(cells, start=1):
            cell = _write(sheet.cell(row, column), value)
            if cells is table.total:
                cell.font = BOLD
    return row + 1


def _write(cell: Cell, value) -> Cell:
    """A value as a spreadsheet wants it: a rate as a percentage, « — » where nothing was
    measured, and text always as text (a title starting with « = » is not a formula)."""
    if isinstance(value, Rate):
        value = value.value
        if value is not None:
            cell.number_format = "0 %"
    if value is None:
        value = NOT_MEASURED
    if isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, float) and cell.number_format == "General":
        cell.number_format = "0.0"
    return cell
