"""The annual report as a PDF (reportlab): the page's sections, tables and bar charts, on A4.

Helvetica, one of the PDF's standard fonts, is written in WinAnsi: it has é, œ, « », ’ and the
no-break space, but not the narrow one French typography puts before « ; ! ? » and inside « »:
that one becomes a no-break space. Nothing to embed, nothing to download.
"""

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from network.admin.charts import SHORT_MONTHS, nice_ticks
from network.report.sections import (
    Chart,
    MonthSeries,
    Section,
    Table,
    end_label,
    format_cell,
    sections,
)
from network.report.services import AnnualReport
from network.templating import french_date
from network.typography import french_typography

NETWORK = "Réseau des intervenants QVT en Occitanie"
TEAL = colors.HexColor("#1d5856")
TEAL_LIGHT = colors.HexColor("#bcd0cf")
TEAL_DARK = colors.HexColor("#143f3e")
OCHRE = colors.HexColor("#e0a43a")
TERRACOTTA = colors.HexColor("#b4472f")
GREY = colors.HexColor("#4c5757")
RULE = colors.HexColor("#d9d4ca")
TONES = {"teal": TEAL, "ochre": OCHRE, "terracotta": TERRACOTTA}
WIDTH = A4[0] - 36 * mm  # the text's width between the margins

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11)
CELL_RIGHT = ParagraphStyle("cell-right", parent=CELL, alignment=TA_RIGHT)
NOTE = ParagraphStyle("note", parent=BODY, fontSize=8.5, leading=11, textColor=GREY,
                      spaceBefore=4)
KICKER = ParagraphStyle("kicker", parent=BODY, fontSize=9, textColor=GREY, spaceAfter=4)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=22,
                       leading=27, textColor=TEAL_DARK, spaceAfter=8)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=15,
                         leading=19, textColor=TEAL_DARK, spaceAfter=8)
CAPTION = ParagraphStyle("caption", parent=BODY, fontName="Helvetica-Bold", fontSize=10,
                         spaceBefore=6, spaceAfter=3)


def pdf_text(text: str) -> str:
    """French typography in the characters Helvetica has (WinAnsi)."""
    return french_typography(text).replace("\u202f", "\u00a0")


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(pdf_text(text)), style)


def report_pdf(report: AnnualReport) -> bytes:
    """The report's PDF: a title, then one section a page."""
    buffer = io.BytesIO()
    title = f"Bilan de l'année {report.year}"
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
        bottomMargin=18 * mm, title=pdf_text(f"{title} – {NETWORK}"),
        author=pdf_text(NETWORK), subject=pdf_text(title), lang="fr-FR")
    period = report.period
    story = [_paragraph(NETWORK, KICKER), _paragraph(title, TITLE),
             _paragraph(f"Du 1er janvier au {end_label(report)}"
                        f"{'' if period.complete else ' (année en cours)'}. Chiffres établis le "
                        f"{french_date(period.now, with_time=True)}, à partir des données "
                        "telles qu'elles étaient cette année-là.", BODY),
             Spacer(0, 8 * mm)]
    for number, section in enumerate(sections(report)):
        if number > 0:
            story.append(PageBreak())
        story += _section(section)

    def page_frame(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY)
        canvas.drawString(18 * mm, 10 * mm, pdf_text(f"{NETWORK} · {title}"))
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=page_frame, onLaterPages=page_frame)
    return buffer.getvalue()


def _section(section: Section) -> list:
    flowables = [_paragraph(section.title, HEADING)]
    if section.empty:
        return flowables + [_paragraph(section.empty, BODY)]
    for block in section.blocks:
        # A chart under its table, as the page shows them side by side.
        table = block if isinstance(block, Table) else block.table
        if table is not None:
            flowables += [_table(table), Spacer(0, 3 * mm)]
        if isinstance(block, Chart) and block.shares:
            title, drawing = block.title, hbar_drawing(block)
        elif isinstance(block, MonthSeries) and block.months:
            # The page's chart draws the members at the end of each month too; this one the
            # moves only (the table above has the rest).
            title, drawing = "Adhésions et sorties, mois par mois", month_drawing(block)
        else:
            continue
        flowables += [KeepTogether([_paragraph(title, CAPTION), drawing]), Spacer(0, 3 * mm)]
    return flowables + [_paragraph(note, NOTE) for note in section.notes]


def _table(table: Table) -> KeepTogether:
    def row(cells: list, bold: bool = False) -> list:
        styles = (CELL, CELL_RIGHT)
        wrap = "<b>{}</b>" if bold else "{}"
        return [Paragraph(wrap.format(escape(pdf_text(format_cell(value)))),
                          styles[index > 0]) for index, value in enumerate(cells)]

    rows = [row(table.headers, bold=True)] + [row(cells) for cells in table.rows]
    if table.total:
        rows.append(row(table.total, bold=True))
    # The figures' columns as wide as their header or their widest value, the label takes the
    # rest.
    widths = [max(stringWidth(pdf_text(format_cell(cells[index])), "Helvetica-Bold", 9)
                  for cells in [table.headers] + table.rows + [table.total or []]
                  if index < len(cells)) + 16 for index in range(1, len(table.headers))]
    widths = [WIDTH - sum(widths)] + widths
    style = [("LINEBELOW", (0, 0), (-1, 0), 0.8, TEAL),
             ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if table.total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, GREY))
    grid = PdfTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    grid.setStyle(TableStyle(style))
    return KeepTogether([_paragraph(table.caption, CAPTION), grid])


def _shorten(text: str, width: float, size: float) -> str:
    if stringWidth(text, "Helvetica", size) <= width:
        return text
    while text and stringWidth(text + "…", "Helvetica", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def hbar_drawing(chart: Chart) -> Drawing:
    """Horizontal bars as on the page: labels on the left, each bar valued at its end, over a
    light track of its total when there is one."""
    size, bar, gap = 8.5, 11, 6
    label_width = min(WIDTH * 0.45, max(stringWidth(pdf_text(share.label), "Helvetica", size)
                                        for share in chart.shares) + 8)
    value_room = 60
    room = WIDTH - label_width - value_room
    totals = chart.totals or [None] * len(chart.shares)
    top = max([share.count for share in chart.shares] + [t or 0 for t in totals]) or 1
    height = len(chart.shares) * (bar + gap) + gap
    drawing = Drawing(WIDTH, height)
    for index, (share, total) in enumerate(zip(chart.shares, totals, strict=True)):
        y = height - gap - (index + 1) * (bar + gap) + gap
        label = _shorten(pdf_text(share.label), label_width - 5, size)
        drawing.add(String(label_width - 6, y + 3, label, fontName="Helvetica",
                           fontSize=size, textAnchor="end"))
        end = 0.0
        if total:
            end = total / top * room
            drawing.add(Rect(label_width, y, end, bar, fillColor=TEAL_LIGHT, strokeColor=None))
        if share.count:
            length = share.count / top * room
            end = max(end, length)
            drawing.add(Rect(label_width, y, length, bar, fillColor=TONES[chart.tone],
                             strokeColor=None))
        value = format_cell(share.count) + (f" / {format_cell(total)}" if total is not None
                                            else "")
        drawing.add(String(label_width + end + 4, y + 3, pdf_text(value),
                           fontName="Helvetica-Bold", fontSize=size))
    drawing.add(Line(label_width, 0, label_width, height, strokeColor=GREY, strokeWidth=0.5))
    return drawing


def month_drawing(series: MonthSeries) -> Drawing:
    """Joins and exits of each month, side by side."""
    drawing = Drawing(WIDTH, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, WIDTH - 16 * mm, 42 * mm
    chart.data = [[month.joins for month in series.months],
                  [month.exits for month in series.months]]
    chart.categoryAxis.categoryNames = [SHORT_MONTHS[month.month - 1]
                                        for month in series.months]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 8
    # The page's round steps (1, 2 or 5 × 10ⁿ), whole numbers of people.
    ticks = nice_ticks(max(max(series) for series in chart.data), count=4)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, ticks[-1]
    chart.valueAxis.valueStep = ticks[1]
    chart.bars[0].fillColor, chart.bars[1].fillColor = OCHRE, TERRACOTTA
    chart.bars.strokeColor = None
    chart.barLabelFormat = lambda value: str(int(value)) if value else ""
    chart.barLabels.fontName, chart.barLabels.fontSize = "Helvetica", 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 12 * mm, 5 * mm
    legend.alignment, legend.columnMaximum = "right", 1
    legend.fontName, legend.fontSize = "Helvetica", 8
    legend.colorNamePairs = [(OCHRE, "Adhésions"), (TERRACOTTA, "Sorties")]
    drawing.add(legend)
    return drawing
