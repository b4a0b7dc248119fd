"""The annual report in the back-office: the years, the page, its PDF and its workbook, read
back as a reader gets them; years without data are not found; the queries do not grow."""

import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from network.extensions import db
from network.membership.services import leave_network
from network.report.pdf import pdf_text as pdf_typeset
from network.resources import services as resources
from network.resources.models import Resource
from tests.conftest import FROZEN_NOW
from tests.factories import make_member
from tests.report.history import YEAR, build_year, paris
from tests.support.queries import count_queries
from tests.support.typography import as_typed

# What these pages show comes from the templates and the services, whose own tests run on both
# databases: the pages are read once, on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def year(app):
    return build_year()


def text_of(response) -> str:
    """The page's visible text, whitespace folded, as typed (French typography undone)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(as_typed(re.sub(r"<[^>]+>", " ", body)).split())


def page_texts(content: bytes) -> list[str]:
    """Each page's text as pypdf reads it back, lines and spaces folded (no-break ones kept)."""
    return [re.sub(r"[ \t\r\n]+", " ", page.extract_text()).strip()
            for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return " ".join(page_texts(content))


def as_typed_pdf(text: str) -> str:
    """The PDF's text with its typography undone (curly apostrophes, no-break spaces)."""
    return text.replace("’", "'").replace(" ", " ")


def test_the_years_list_goes_from_the_earliest_data_to_this_year(admin_client, year):
    page = admin_client.get("/admin/bilan")
    assert page.status_code == 200
    text = text_of(page)
    assert "Bilan 2026" in text and "Bilan 2023" in text and "Bilan 2022" not in text
    assert "année en cours" in text
    for link in ("/admin/bilan/2025", "/admin/bilan/2025.pdf", "/admin/bilan/2025.xlsx"):
        assert f'href="{link}"' in page.text


def test_the_dashboard_and_the_menu_lead_to_the_report(admin_client):
    dashboard = admin_client.get("/admin/").text
    assert 'href="/admin/bilan/2026"' in dashboard and 'href="/admin/bilan"' in dashboard
    # The reports belong to the dashboard's area of the menu (eleven areas do not fit on one line).
    for path in ("/admin/bilan", "/admin/bilan/2026"):
        assert re.search(r'href="/admin/"\s+aria-current="true">Tableau de bord</a>',
                         admin_client.get(path).text)


def test_the_page_shows_the_year_s_figures(admin_client, year):
    page = admin_client.get(f"/admin/bilan/{YEAR}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Bilan de l'année 2025" in text
    assert "Du 1er janvier au 31 décembre 2025." in text
    for expected in ("Membres au 1er janvier 2025 7", "Adhésions 5", "Sorties 5",
                     "Membres au 31 décembre 2025 7", "Événements tenus 4",
                     "Présences aux événements 7", "Ressources publiées 2",
                     "Téléchargements de ressources 6",
                     "Taux de réponse au renouvellement 2025 40 %",
                     "À sa demande 2", "Renouvellement refusé 1",
                     "Sans réponse au renouvellement 1", "Retiré par le GT QVT 1",
                     "Formulaires envoyés 5", "Renouvelés 1", "Toujours sans réponse 2",
                     "Module d'accueil 2 5 3 60 %", "Atelier thématique 1 5 4 80 %",
                     "Webinaire 1 3 0 —", "Rendez-vous annuel du réseau 0 0 0 —",
                     "Total 4 13 7 70 %",
                     "Nouveaux membres de 2025 5", "dont présents à un module d'accueil 1",
                     "Part des nouveaux membres accueillis 20 %",
                     "Part des membres accueillis 57 %",
                     "Guide de la démarche QVT 01/03/2025 3",
                     "Conseil 3 43 %", "31 – Haute-Garonne 3",
                     "Aucune évaluation pour 2025.",
                     "l'historique de ces informations n'est pas conservé"):
        assert expected in text, expected


def test_every_chart_is_an_image_with_its_title_next_to_its_table(admin_client, year):
    page = admin_client.get(f"/admin/bilan/{YEAR}").text
    titles = re.findall(r'<svg class="chart[^"]*"[^>]*role="img" aria-labelledby="([^"]+)">\s*'
                        r'<title id="\1">([^<]+)</title>', page)
    names = {title for _, title in titles}
    assert {"Sorties par motif", "Membres par profil", "Membres par champ de la QVT",
            "Personnes présentes parmi les inscrites dont la présence a été relevée, par type",
            "Membres en fin de mois, adhésions et sorties, 2025"} <= names
    assert page.count("<table") >= 12 and page.count("<caption>") == page.count("<table")
    # One page, one h1, a section per part, each named by its heading.
    assert page.count("<h1") == 1
    assert len(re.findall(r'<section id="[\w-]+" class="report-section"', page)) == 8


def test_the_year_under_way_says_so(admin_client, year):
    text = text_of(admin_client.get("/admin/bilan/2026"))
    assert "Du 1er janvier au 23 novembre 2026 (année en cours)." in text
    assert "Membres au 23 novembre 2026 5" in text
    assert "Aucune campagne de renouvellement n'a été ouverte en 2026" in text


@pytest.mark.parametrize("path", ["/admin/bilan/2022", "/admin/bilan/2027",
                                  "/admin/bilan/0", "/admin/bilan/2022.pdf",
                                  "/admin/bilan/2027.xlsx", "/admin/bilan/2147483648",
                                  "/admin/bilan/99999999999999999999.pdf",
                                  "/admin/bilan/-1", "/admin/bilan/2025.odt"])
def test_years_without_data_are_not_found(admin_client, year, path):
    page = admin_client.get(path)
    assert page.status_code == 404
    assert "Page introuvable" in page.text


def test_the_report_is_for_admins_only(client):
    for path in ("/admin/bilan", "/admin/bilan/2026", "/admin/bilan/2026.pdf",
                 "/admin/bilan/2026.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/connexion" in response.location


def test_the_pdf_holds_the_figures_in_french(admin_client, year):
    response = admin_client.get(f"/admin/bilan/{YEAR}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="bilan-reseau-qvt-2025.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert as_typed_pdf(reader.metadata.title) == ("Bilan de l'année 2025 – Réseau des "
                                                   "intervenants QVT en Occitanie")
    # Each section starts a page, after the page's running title.
    pages = [as_typed_pdf(page) for page in page_texts(response.data)]
    running = "Réseau des intervenants QVT en Occitanie · Bilan de l'année 2025 page"
    starts = [re.sub(r"^" + re.escape(running) + r" \d+ ", "", page) for page in pages]
    for title in ("Adhésions et sorties", "Renouvellement 2025", "Événements",
                  "Satisfaction des participants", "Module d'accueil « Intégrer le réseau »",
                  "Ressources", "Les membres au 31 décembre 2025"):
        assert any(start.startswith(title) for start in starts), title
    text = as_typed_pdf(pdf_text(response.data))
    for expected in ("Bilan de l'année 2025", "Réseau des intervenants QVT en Occitanie",
                     "Membres au 1er janvier 2025 7", "Membres au 31 décembre 2025 7",
                     "Adhésions et sorties", "Renouvellement refusé 1",
                     "Taux de réponse 40 %", "Atelier thématique 1 5 4 80 %",
                     "Webinaire 1 3 0 —", "Module d'accueil « Intégrer le réseau »",
                     "Part des nouveaux membres accueillis 20 %",
                     "Guide de la démarche QVT", "Aucune évaluation pour 2025.",
                     "Haute-Garonne", "champs de la QVT"):
        assert expected in text, expected


def downloaded_resource(title: str) -> Resource:
    """A resource published in February 2026 and downloaded in March."""
    item = Resource(title=title, kind="outil", dated=paris(2026, 1, 1).date(),
                    external_url="https://exemple.fr/document")
    db.session.add(item)
    resources.publish(item, paris(2026, 2, 1))
    db.session.flush()
    resources.count_download(item, paris(2026, 3, 1))
    db.session.commit()
    return item


def test_the_pdf_writes_ligatures_and_quotes(admin_client):
    # A title with « œ » and quotes, among the year's most downloaded resources.
    downloaded_resource("Le cœur du « travail »")
    text = pdf_text(admin_client.get("/admin/bilan/2026.pdf").data)
    assert "Le cœur du « travail »" in text
    # Written in Helvetica's WinAnsi: French typography's narrow no-break spaces (which
    # reportlab would take for places to break a line) become no-break spaces.
    assert pdf_typeset("Le cœur du « travail » : oui ?") == (
        "Le cœur du «\u00a0travail\u00a0»\u00a0: oui\u00a0?")
    assert "\u202f" not in text


def test_the_workbook_holds_the_figures_as_numbers(admin_client, year):
    response = admin_client.get(f"/admin/bilan/{YEAR}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["En bref", "Adhésions et sorties", "Renouvellement",
                                   "Événements", "Satisfaction", "Module d'accueil",
                                   "Ressources", "Membres en fin d'année"]

    def rows(sheet: str) -> dict:
        return {row[0]: row[1:] for row in workbook[sheet].iter_rows(values_only=True)
                if row[0] is not None}

    summary = rows("En bref")
    assert summary["Membres au 1er janvier 2025"][0] == 7
    assert summary["Membres au 31 décembre 2025"][0] == 7
    assert summary["Taux de réponse au renouvellement 2025"][0] == pytest.approx(0.4)
    assert rows("En bref")["Indicateur"][0] == "Valeur"
    events = rows("Événements")
    assert events["Type"][:4] == ("Événements", "Inscrits", "Présents", "Taux de présence")
    assert events["Atelier thématique"][:4] == (1, 5, 4, 0.8)
    assert events["Webinaire"][:4] == (1, 3, 0, "—")
    assert events["Total"][:4] == (4, 13, 7, 0.7)
    sheet = workbook["Événements"]
    rate = next(row[4] for row in sheet.iter_rows() if row[0].value == "Atelier thématique")
    assert rate.number_format == "0 %"
    exits = rows("Adhésions et sorties")
    assert exits["À sa demande"][0] == 2 and exits["décembre 2025"][:3] == (1, 2, 7)
    assert rows("Ressources")["Guide de la démarche QVT"][:2] == (datetime(2025, 3, 1), 3)
    assert rows("Satisfaction")["Aucune évaluation pour 2025."] is not None


def test_a_title_is_never_a_formula_in_the_workbook(admin_client):
    downloaded_resource("=HYPERLINK(\"http://x\")")
    workbook = load_workbook(io.BytesIO(admin_client.get("/admin/bilan/2026.xlsx").data))
    cells = [cell for row in workbook["Ressources"].iter_rows() for cell in row
             if cell.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(cell.data_type == "s" for cell in cells)


def make_members(numbers, year_start):
    for n in numbers:
        person = make_member(year_start + timedelta(days=3 * n), email=f"m{n}@exemple.fr",
                             profile=["consultant", "acteur_relais"][n % 2],
                             department_codes=["31", "09", "48"][: 1 + n % 3])
        if n % 4 == 3:
            leave_network(person, year_start + timedelta(days=3 * n + 20))
    db.session.commit()


@pytest.mark.parametrize("suffix", ["", ".pdf", ".xlsx"])
def test_the_query_count_does_not_grow_with_members(admin_client, suffix):
    start = FROZEN_NOW.replace(month=1, day=5)
    url = f"/admin/bilan/{start.year}{suffix}"
    make_members(range(2), start)
    few = count_queries(admin_client, url)
    make_members(range(2, 40), start)
    assert count_queries(admin_client, url) == few
    assert few <= 25
