"""The attestations' pages: the downloads from the member space, « Mon attestation » and its
badge, and /verifier, which shows what a code attests and nothing once it no longer does."""

import html
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from network.attestations.models import Attestation
from network.attestations.services import grouped
from network.extensions import db
from network.members_space.services import anonymise_departed
from network.membership.services import leave_network
from tests.attestations.helpers import attended, member
from tests.conftest import FROZEN_NOW
from tests.factories import member_session

# What these pages show comes from the templates and the services, whose own tests run on both
# databases: the pages are read once, on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def helene(app):
    return member()


@pytest.fixture
def client_of(app):
    def signed_in(person):
        client = app.test_client()
        with client.session_transaction() as session:
            member_session(session, person)
        return client
    return signed_in


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attestation))


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.replace("\u2019", "'").split())


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def download(client, response):
    """Follow the POST's redirection to the PDF, as the browser does."""
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/espace/attestations/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\.pdf",
                        location)
    return client.get(location)


# --- Attestation of presence -----------------------------------------------------------------

def test_my_events_offer_the_attestation_of_an_event_attended_only(helene, client_of):
    present = attended(helene, title="Atelier « Santé et organisation »")
    attended(helene, present=False, title="Webinaire « Déconnexion »")
    attended(helene, present=None, title="Groupe de travail « Outils »")
    attended(helene, starts=FROZEN_NOW + timedelta(days=10), title="Rendez-vous annuel")
    page = client_of(helene).get("/espace/evenements")
    forms = re.findall(r'action="/espace/evenements/(\d+)/attestation"', page.text)
    assert forms == [str(present.id)]
    assert page.text.count(">Télécharger l'attestation de présence (PDF)</button>") == 1
    # Looking at the page delivers nothing.
    assert count() == 0


def test_the_download_gives_the_same_attestation_each_time(helene, client_of):
    registration = attended(helene)
    client = client_of(helene)
    first = client.post(f"/espace/evenements/{registration.id}/attestation")
    response = download(client, first)
    code = db.session.scalar(select(Attestation.code))
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="attestation-presence-{grouped(code)}.pdf"')
    assert response.headers["Cache-Control"].startswith("no-store")
    text = pdf_text(response)
    assert "Hélène Lefèvre-Bœuf" in text and "Atelier « Télétravail et QVT »" in text
    assert grouped(code) in text and "2 h" in text
    again = client.post(f"/espace/evenements/{registration.id}/attestation")
    assert again.headers["Location"] == first.headers["Location"]
    assert download(client, again).data == response.data
    assert count() == 1


@pytest.mark.parametrize("present, starts, status, message", [
    (False, None, 403, "Votre présence à cet événement n'a pas été relevée"),
    (None, None, 403, "Votre présence à cet événement n'a pas été relevée"),
    (True, FROZEN_NOW + timedelta(days=3), 403, "Cet événement n'a pas encore eu lieu"),
])
def test_no_attestation_for_an_absence_or_an_event_to_come(helene, client_of, present, starts,
                                                           status, message):
    registration = attended(helene, present=present, **({"starts": starts} if starts else {}))
    response = client_of(helene).post(f"/espace/evenements/{registration.id}/attestation")
    assert response.status_code == status
    assert "Attestation indisponible" in response.text and message in response.text
    assert count() == 0


def test_nobody_downloads_another_member_s_attestation(helene, client_of):
    registration = attended(helene)
    paul = member(email="paul.durand@exemple.fr", first_name="Paul", last_name="Durand")
    paul_client = client_of(paul)
    for target in (registration.id, 2**31, 0):
        response = paul_client.post(f"/espace/evenements/{target}/attestation")
        assert response.status_code == 404
    location = client_of(helene).post(
        f"/espace/evenements/{registration.id}/attestation").headers["Location"]
    assert paul_client.get(location).status_code == 404
    assert paul_client.get("/espace/attestations/x.pdf").status_code == 404


def test_signed_out_visitors_are_sent_to_the_sign_in(app, helene):
    registration = attended(helene)
    client = app.test_client()
    for method, path in (("post", f"/espace/evenements/{registration.id}/attestation"),
                         ("get", "/espace/attestation"), ("post", "/espace/attestation"),
                         ("post", "/espace/attestation/badge/publier"),
                         ("get", "/espace/attestations/ABCD-EFGH-JKMN.pdf")):
        response = getattr(client, method)(path)
        assert (response.status_code, response.headers["Location"]) == (302, "/connexion")
    assert count() == 0


def test_a_presence_withdrawn_after_the_download_is_no_longer_served(helene, client_of):
    registration = attended(helene)
    client = client_of(helene)
    location = client.post(f"/espace/evenements/{registration.id}/attestation").headers[
        "Location"]
    registration.attended = False
    db.session.commit()
    response = client.get(location)
    assert response.status_code == 403 and "n'a pas été relevée" in response.text


# --- /verifier: the presence -----------------------------------------------------------------

def test_the_public_page_of_a_presence_confirms_its_facts(app, helene, client_of):
    registration = attended(helene, hours=1.5)
    client_of(helene).post(f"/espace/evenements/{registration.id}/attestation")
    code = grouped(db.session.scalar(select(Attestation.code)))
    page = app.test_client().get(f"/verifier/{code}")
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    text = text_of(page)
    for expected in ("Attestation de présence vérifiée", "Hélène Lefèvre-Bœuf",
                     "Atelier « Télétravail et QVT » : cœur du métier", "Atelier thématique",
                     "mercredi 18 novembre 2026", "de 14 h à 15 h 30", "1 h 30",
                     "23 novembre 2026", code):
        assert expected in text, expected
    # Nothing else about her, nor the event's place or link.
    for absent in (helene.email, helene.organisation, "Toulouse", "visio.exemple.fr"):
        assert absent not in page.text
    # As typed from the paper: small letters, spaces, O for 0.
    typed = code.lower().replace("-", " ").replace("0", "o")
    assert app.test_client().get(f"/verifier/{typed}").status_code == 200
    registration.attended = False
    db.session.commit()
    withdrawn = app.test_client().get(f"/verifier/{code}")
    assert withdrawn.status_code == 410 and "n'est plus valable" in withdrawn.text
    assert "Hélène" not in withdrawn.text and "Télétravail" not in withdrawn.text


@pytest.mark.parametrize("code", ["x", "ABCD-EFGH-JKMN", "0000-0000-0000", "%00",
                                  "A" * 300, "ABCD-EFGH-JKMU"])
def test_a_code_nobody_was_given_is_a_french_404(app, client, code):
    member()
    response = client.get(f"/verifier/{code}")
    assert response.status_code == 404
    assert "Attestation introuvable" in response.text and "Aucune attestation" in response.text
    assert client.get(f"/verifier/{code}/badge.svg").status_code == 404


def test_the_form_sends_a_typed_code_to_its_page(app, client):
    assert "Code de vérification" in client.get("/verifier").text
    response = client.get("/verifier?code=abcd efgh jkmn")
    assert (response.status_code, response.headers["Location"]) == (
        302, "/verifier/ABCD-EFGH-JKMN")
    for bad, message in (("ABC", "Un code de vérification a 12 lettres et chiffres"),
                         ("", "Saisissez le code imprimé sur l'attestation")):
        refused = client.get(f"/verifier?code={bad}")
        assert refused.status_code == 400 and message in refused.text


# --- « Mon attestation » and the badge ----------------------------------------------------------

def test_my_attestation_page_delivers_nothing_until_asked(helene, client_of):
    client = client_of(helene)
    page = client.get("/espace/attestation")
    assert page.status_code == 200
    text = text_of(page)
    assert "Attestation d'appartenance 2026" in text and "25 novembre 2024" in text
    assert 'href="/espace/attestation">Mon attestation</a>' in client.get("/espace").text
    assert "Publier mon badge" in text and "badge-html" not in page.text
    assert count() == 0
    response = download(client, client.post("/espace/attestation"))
    text = pdf_text(response)
    assert "pour l'année 2026" in text and "Hélène Lefèvre-Bœuf" in text
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="attestation-appartenance-')
    code = grouped(db.session.scalar(select(Attestation.code)))
    assert code in text and code in client.get("/espace/attestation").text
    # Its page says nothing until the badge is published.
    unpublished = client.get(f"/verifier/{code}")
    assert unpublished.status_code == 404 and "Badge non publié" in unpublished.text
    assert "Hélène" not in unpublished.text.split("<main")[1]


def test_a_published_badge_shows_the_name_and_the_year_only(app, helene, client_of):
    client = client_of(helene)
    published = client.post("/espace/attestation/badge/publier")
    assert (published.status_code, published.headers["Location"]) == (
        303, "/espace/attestation")
    page = client.get("/espace/attestation")
    assert "Votre badge est publié" in page.text
    code = grouped(db.session.scalar(select(Attestation.code)))
    snippet = html.unescape(re.search(r'<textarea id="badge-html"[^>]*>(.*?)</textarea>',
                                      page.text, re.S).group(1))
    assert snippet == (
        f'<a href="http://reseau.test/verifier/{code}"><img src="http://reseau.test/verifier/'
        f'{code}/badge.svg" alt="Membre du réseau des intervenants QVT Occitanie 2026" '
        f'width="280" height="96"></a>')

    visitor = app.test_client()
    verified = visitor.get(f"/verifier/{code}")
    assert verified.status_code == 200
    main = text_of(verified).split("Badge de membre vérifié", 1)[1]
    assert "Hélène Lefèvre-Bœuf est membre du réseau des intervenants QVT Occitanie en 2026" \
        in main
    for absent in ("2024", helene.email, helene.organisation, "Consultant", "31"):
        assert absent not in main, absent
    image = visitor.get(f"/verifier/{code}/badge.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    svg = image.get_data(as_text=True)
    assert '<title id="badge-titre">Membre du réseau des intervenants QVT Occitanie 2026</title>' \
        in svg and 'role="img"' in svg and "Hélène" not in svg and "<script" not in svg
    assert image.headers["Cross-Origin-Resource-Policy"] == "cross-origin"

    withdrawn = client.post("/espace/attestation/badge/retirer")
    assert withdrawn.status_code == 303
    assert "Publier mon badge" in client.get("/espace/attestation").text
    gone = visitor.get(f"/verifier/{code}")
    assert gone.status_code == 404 and "Badge non publié" in gone.text
    assert "Hélène" not in gone.text.split("<main")[1]
    assert visitor.get(f"/verifier/{code}/badge.svg").status_code == 404


def test_a_badge_goes_when_its_member_leaves_and_with_the_anonymisation(app, helene, client_of):
    client_of(helene).post("/espace/attestation/badge/publier")
    code = grouped(db.session.scalar(select(Attestation.code)))
    leave_network(helene, FROZEN_NOW)
    db.session.commit()
    visitor = app.test_client()
    left = visitor.get(f"/verifier/{code}")
    assert left.status_code == 404 and "Hélène" not in left.text.split("<main")[1]
    assert visitor.get(f"/verifier/{code}/badge.svg").status_code == 404
    anonymise_departed(FROZEN_NOW + timedelta(days=30 * app.config["RETENTION_MONTHS"] + 1))
    assert count() == 0
    assert "Attestation introuvable" in visitor.get(f"/verifier/{code}").text


def test_no_state_changes_on_get(app, helene, client_of):
    client = client_of(helene)
    registration = attended(helene)
    for path in ("/espace/attestation", "/espace/evenements", "/espace/attestation/badge/publier",
                 f"/espace/evenements/{registration.id}/attestation", "/verifier"):
        client.get(path)
    assert count() == 0
