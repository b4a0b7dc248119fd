"""CSV files that open cleanly in a French spreadsheet and cannot smuggle formulas."""

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 with a byte-order mark and semicolons: what French Excel and LibreOffice expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    """Stream the file: a 10,000-member export never sits whole in memory."""
    return Response(stream_with_context(csv_lines(header, rows)),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
