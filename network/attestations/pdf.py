"""The attestations as PDF, drawn with reportlab on an A4 page in the network's sober identity.

The standard Helvetica and Courier need no font file: their WinAnsi encoding holds French (é, à,
ç, œ, « », ’, the no-break space). The narrow no-break space the French typography puts before
« ; ! ? » and inside guillemets is not in it: it becomes a no-break space. A letter outside it
(a name in another alphabet) is written without its accent, or as its nearest Latin letter.
"""

import io
import unicodedata

from flask import current_app
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from network.attestations.facts import NETWORK, presence_facts
from network.attestations.models import Attestation, AttestationKind
from network.attestations.services import grouped, latest_charter_acceptance
from network.templating import french_date
from network.typography import french_typography
from network.urls import external_url

TEAL = HexColor("#143f3e")
TEAL_LIGHT = HexColor("#e7efee")
AMBER = HexColor("#e0a43a")
TERRACOTTA = HexColor("#c4553a")
GREY = HexColor("#4a5554")
WIDTH, HEIGHT = A4
MARGIN = 62
# Letters without a decomposition into a Latin letter and an accent.
NEAREST = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
                         "ı": "i", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T",
                         "\u202f": "\u00a0", "\u2009": " ", "\u200b": ""})


def pdf_text(text: str) -> str:
    """French typography, in characters Helvetica's WinAnsi encoding holds."""
    text = french_typography(text).translate(NEAREST)
    return "".join(_winansi(char) for char in text)


def _winansi(char: str) -> str:
    try:
        char.encode("cp1252")
        return char
    except UnicodeEncodeError:
        base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
        return base or "?"


class Page:
    """One A4 page being drawn, from the top down."""

    def __init__(self, title: str):
        self.buffer = io.BytesIO()
        # invariant: no creation date nor random id, the same bytes at each download.
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.canvas.setTitle(pdf_text(title))
        self.canvas.setAuthor(pdf_text(NETWORK))
        self.canvas.setSubject(pdf_text(title))
        self.y = HEIGHT

    def header(self, title: str) -> None:
        c = self.canvas
        c.setFillColor(TEAL)
        c.rect(0, HEIGHT - 118, WIDTH, 118, stroke=0, fill=1)
        for x, y, colour in ((MARGIN + 14, HEIGHT - 52, white), (MARGIN + 32, HEIGHT - 52, AMBER),
                             (MARGIN + 23, HEIGHT - 68, TERRACOTTA)):
            c.setStrokeColor(colour)
            c.setLineWidth(3)
            c.circle(x, y, 11, stroke=1, fill=0)
        c.setFillColor(white)
        c.setFont("Helvetica-Bold", 19)
        c.drawString(MARGIN + 62, HEIGHT - 56, pdf_text(NETWORK))
        c.setFont("Helvetica", 10)
        publisher = current_app.config["PUBLISHER_NAME"]
        c.drawString(MARGIN + 62, HEIGHT - 74, pdf_text(
            f"Groupe de travail QVT du Plan régional santé travail Occitanie, piloté par "
            f"l'{publisher}" if publisher.startswith("Aract") else
            f"Groupe de travail QVT du Plan régional santé travail Occitanie ({publisher})"))
        c.setFillColor(TEAL)
        c.setFont("Helvetica-Bold", 26)
        c.drawString(MARGIN, HEIGHT - 178, pdf_text(title))
        c.setStrokeColor(AMBER)
        c.setLineWidth(2.5)
        c.line(MARGIN, HEIGHT - 192, MARGIN + 72, HEIGHT - 192)
        self.y = HEIGHT - 236

    def paragraph(self, text: str, font: str = "Helvetica", size: float = 12.5,
                  colour=GREY, after: float = 10, width: float = WIDTH - 2 * MARGIN,
                  x: float = MARGIN) -> None:
        c = self.canvas
        c.setFillColor(colour)
        c.setFont(font, size)
        for line in wrap(pdf_text(text), font, size, width):
            c.drawString(x, self.y, line)
            self.y -= size * 1.4
        self.y -= after

    def facts(self, rows: list[tuple[str, str]]) -> None:
        c = self.canvas
        label_width = 100
        top = self.y + 16
        for label, value in rows:
            c.setFillColor(GREY)
            c.setFont("Helvetica", 10.5)
            c.drawString(MARGIN + 14, self.y, pdf_text(label))
            lines = wrap(pdf_text(value), "Helvetica-Bold", 12,
                         WIDTH - 2 * MARGIN - label_width - 14)
            c.setFillColor(TEAL)
            c.setFont("Helvetica-Bold", 12)
            for line in lines:
                c.drawString(MARGIN + 14 + label_width, self.y, line)
                self.y -= 17
            self.y -= 7
        c.setStrokeColor(AMBER)
        c.setLineWidth(2)
        c.line(MARGIN, top, MARGIN, self.y + 12)
        self.y -= 14

    def verification(self, attestation: Attestation, explanation: str) -> None:
        c = self.canvas
        code = grouped(attestation.code)
        link = external_url("attestations.verify", code=code)
        height = 118
        bottom = 92
        c.setFillColor(TEAL_LIGHT)
        c.setStrokeColor(TEAL)
        c.setLineWidth(1)
        c.roundRect(MARGIN, bottom, WIDTH - 2 * MARGIN, height, 6, stroke=1, fill=1)
        c.setFillColor(TEAL)
        c.setFont("Helvetica-Bold", 12)
        c.drawString(MARGIN + 16, bottom + height - 24, pdf_text("Vérifier cette attestation"))
        c.setFont("Helvetica", 10.5)
        c.setFillColor(GREY)
        c.drawString(MARGIN + 16, bottom + height - 46, pdf_text("Code de vérification :"))
        c.setFont("Courier-Bold", 15)
        c.setFillColor(TEAL)
        c.drawString(MARGIN + 140, bottom + height - 47, code)
        c.setFont("Helvetica", 10.5)
        c.setFillColor(GREY)
        c.drawString(MARGIN + 16, bottom + height - 66, pdf_text("Page de vérification :"))
        c.setFillColor(TEAL)
        c.drawString(MARGIN + 140, bottom + height - 66, link)
        c.linkURL(link, (MARGIN + 140, bottom + height - 70,
                         MARGIN + 140 + stringWidth(link, "Helvetica", 10.5), bottom + height - 56),
                  relative=0, thickness=0)
        self.y = bottom + height - 86
        self.paragraph(explanation, size=9.5, after=0, width=WIDTH - 2 * MARGIN - 32,
                       x=MARGIN + 16)

    def footer(self) -> None:
        c = self.canvas
        c.setFillColor(GREY)
        c.setFont("Helvetica", 8.5)
        c.drawString(MARGIN, 52, pdf_text(
            f"{NETWORK} · animé par le GT QVT du PRST Occitanie · "
            f"{current_app.config['BASE_URL'].split('://')[-1]}"))

    def finish(self) -> bytes:
        self.footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most `width`, broken at ordinary spaces only (never at a no-break one)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def presence_pdf(attestation: Attestation) -> bytes:
    """The attestation of presence of a member at an event."""
    assert attestation.kind == AttestationKind.PRESENCE
    page = Page("Attestation de présence")
    page.header("Attestation de présence")
    page.paragraph(f"Le {NETWORK[0].lower()}{NETWORK[1:]} atteste que", after=6)
    page.paragraph(attestation.person.full_name, font="Helvetica-Bold", size=20, colour=TEAL,
                   after=4)
    page.paragraph("a participé à l'événement suivant :", after=14)
    page.facts(presence_facts(attestation))
    page.paragraph(f"Attestation délivrée le {french_date(attestation.issued_at)}.", after=4)
    page.verification(attestation, "La page de vérification confirme le nom, l'événement, sa "
                      "date et sa durée tant que la présence est enregistrée par le réseau.")
    return page.finish()


def membership_pdf(attestation: Attestation) -> bytes:
    """The attestation of membership of a member for a year."""
    assert attestation.kind == AttestationKind.MEMBERSHIP
    person = attestation.person
    page = Page("Attestation d'appartenance")
    page.header("Attestation d'appartenance")
    page.paragraph(f"Le {NETWORK[0].lower()}{NETWORK[1:]} atteste que", after=6)
    page.paragraph(person.full_name, font="Helvetica-Bold", size=20, colour=TEAL, after=4)
    since = f", membre depuis le {french_date(person.member_since)}" if person.member_since else ""
    page.paragraph(f"est membre du {NETWORK[0].lower()}{NETWORK[1:]} pour l'année "
                   f"{attestation.year}{since}.", after=14)
    rows = [("Année", str(attestation.year))]
    if person.member_since:
        rows.append(("Membre depuis le", french_date(person.member_since)))
    if (acceptance := latest_charter_acceptance(person)) is not None:
        rows.append(("Charte du réseau", f"acceptée le {french_date(acceptance.accepted_at)} "
                                         f"(version {acceptance.charter_version.number})"))
    page.facts(rows)
    page.paragraph("Les membres du réseau partagent les repères, méthodes et valeurs "
                   "d'accompagnement de la qualité de vie et des conditions de travail, et "
                   "s'engagent à respecter la charte du réseau.", size=11, after=8)
    page.paragraph(f"Attestation délivrée le {french_date(attestation.issued_at)}.", after=4)
    page.verification(attestation, "La page de vérification confirme le nom et l'année tant que "
                      "le ou la titulaire publie son badge de membre depuis son espace.")
    return page.finish()
