"""The annual report in the back-office: the years, each year's page, its PDF and workbook."""

from flask import Response, abort, render_template

from network.admin.roles import LECTURE, requires
from network.admin.views import bp
from network.extensions import utcnow
from network.report.pdf import report_pdf
from network.report.period import years_covered
from network.report.sections import end_label, format_cell, sections
from network.report.services import AnnualReport, YearNotCovered, annual_report
from network.report.workbook import report_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_or_404(year: int) -> AnnualReport:
    try:
        return annual_report(year, utcnow())
    except YearNotCovered:
        abort(404)


def _download(content: bytes, mimetype: str, name: str) -> Response:
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/bilan")
@requires(LECTURE)
def report_years():
    now = utcnow()
    return render_template("admin/report/years.html", years=years_covered(now), now=now)


@bp.get("/bilan/<int:year>")
@requires(LECTURE)
def report(year):
    report = _report_or_404(year)
    return render_template("admin/report/report.html", report=report,
                           sections=sections(report), end=end_label(report), cell=format_cell,
                           years=years_covered(report.period.now))


@bp.get("/bilan/<int:year>.pdf")
@requires(LECTURE)
def report_pdf_file(year):
    report = _report_or_404(year)
    return _download(report_pdf(report), "application/pdf", f"bilan-reseau-qvt-{year}.pdf")


@bp.get("/bilan/<int:year>.xlsx")
@requires(LECTURE)
def report_xlsx_file(year):
    report = _report_or_404(year)
    return _download(report_workbook(report), XLSX, f"bilan-reseau-qvt-{year}.xlsx")
