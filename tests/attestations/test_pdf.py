"""The attestations as PDF, read back: French text with its accents, œ and guillemets, the facts,
the code and the page that checks it, on one A4 page, the same bytes at each download."""

import io
import os
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from network.attestations import services
from network.attestations.facts import duration, presence_facts
from network.attestations.pdf import membership_pdf, pdf_text, presence_pdf
from network.extensions import db
from network.templating import PARIS
from tests.attestations.helpers import attended, member
from tests.conftest import FROZEN_NOW
from tests.membership.test_browser_journey import SCREENSHOTS

NOW = FROZEN_NOW


def read(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # The French typography's no-break spaces, as spaces; the curly apostrophe, straight; the
    # lines of a wrapped value, joined.
    return reader, " ".join(text.replace("\u2019", "'").split())


def screenshot(content: bytes, name: str, tmp_path) -> None:
    """The first page as a PNG in screenshots/, only when NETWORK_SCREENSHOTS=1 (and poppler's
    pdftoppm is there: apt-get install poppler-utils)."""
    if os.environ.get("NETWORK_SCREENSHOTS") == "1" and shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(exist_ok=True)
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(content)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path),
                        str(SCREENSHOTS / name)], check=True)


@pytest.mark.parametrize("hours, said", [(2, "2 h"), (1.5, "1 h 30"), (0.75, "45 min"),
                                         (3 + 1 / 12, "3 h 05"), (48, "3 jours")])
def test_durations_the_french_way(hours, said):
    starts = datetime(2026, 5, 12, 9, 0, tzinfo=PARIS)
    assert duration(starts, starts + timedelta(hours=hours)) == said


def test_text_outside_helvetica_s_encoding_is_written_with_its_nearest_letters():
    assert pdf_text("Łucja Đorđević, Ağaoğlu") == "Lucja Dordevic, Agaoglu"
    # The narrow no-break spaces of the typography become no-break spaces.
    assert pdf_text("« Télétravail » : œuvre !") == "«\u00a0Télétravail\u00a0»\u00a0: œuvre\u00a0!"


def test_the_attestation_of_presence_says_who_what_when_how_long(app, tmp_path):
    helene = member()
    registration = attended(helene, hours=1.5)
    attestation = services.presence_attestation(helene, registration.id, NOW)
    db.session.commit()
    content = presence_pdf(attestation)
    reader, text = read(content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    code = services.grouped(attestation.code)
    for expected in ("Réseau des intervenants QVT Occitanie", "Attestation de présence",
                     "Hélène Lefèvre-Bœuf", "Atelier « Télétravail et QVT » : cœur du métier",
                     "Atelier thématique", "mercredi 18 novembre 2026", "de 14 h à 15 h 30",
                     "1 h 30", "Hybride (sur place et à distance) : Aract Occitanie, 12 rue de "
                     "l'Œuvre, 31000 Toulouse", "Attestation délivrée le 23 novembre 2026",
                     code, f"http://reseau.test/verifier/{code}", "Aract Occitanie"):
        assert expected in text, expected
    # Nothing personal but the name: no address, no organisation.
    assert helene.email not in text and helene.organisation not in text
    assert reader.metadata.title == "Attestation de présence"
    # The same attestation at each download, to the byte.
    assert presence_pdf(attestation) == content
    screenshot(content, "attestation-presence", tmp_path)


def test_an_event_held_online_says_so_without_its_link(app):
    helene = member()
    registration = attended(helene, mode="distance", address=None)
    attestation = services.presence_attestation(helene, registration.id, NOW)
    assert dict(presence_facts(attestation))["Modalité"] == "À distance"
    _, text = read(presence_pdf(attestation))
    assert "À distance" in text and "visio.exemple.fr" not in text


def test_the_attestation_of_membership_says_the_year_and_since_when(app, tmp_path):
    helene = member()
    attestation = services.membership_attestation(helene, NOW)
    db.session.commit()
    content = membership_pdf(attestation)
    _, text = read(content)
    code = services.grouped(attestation.code)
    for expected in ("Attestation d'appartenance", "Hélène Lefèvre-Bœuf",
                     "est membre du réseau des intervenants QVT Occitanie pour l'année 2026, "
                     "membre depuis le 25 novembre 2024.", "acceptée le 25 novembre 2024 "
                     "(version 1)", code, f"http://reseau.test/verifier/{code}"):
        assert expected in text, expected
    assert helene.email not in text
    screenshot(content, "attestation-appartenance", tmp_path)
