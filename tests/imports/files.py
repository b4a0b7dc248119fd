"""Spreadsheets as the GT QVT saves them: CSV from French Excel (Windows-1252, semicolons),
XLSX from Excel, ODS from LibreOffice."""

import csv
import io
from datetime import date

import openpyxl
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

HEADERS = ["Prénom", "Nom", "Courriel", "Structure", "Profil", "Département(s)",
           "Champ(s) QVT", "Membre depuis", "Téléphone", "Fonction", "Site web", "Annuaire"]


def csv_file(rows: list[list], encoding: str = "cp1252", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell.strftime("%d/%m/%Y") if isinstance(cell, date) else cell
                         for cell in row])
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Membres"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_file(rows: list[list]) -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Membres")
    for row in rows:
        line = TableRow()
        for value in row:
            if isinstance(value, date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.strftime("%d/%m/%Y")))
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
