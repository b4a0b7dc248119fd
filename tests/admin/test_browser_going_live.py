"""Going live (issue 16) in Chromium, as the GT QVT and the people it brings in see it: the
import of the former file (upload, preview, import, the record and its cancellation), a request
received by e-mail typed in, the admission review, and the go-live invitation's personal link."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.imports.plan import plan_import
from network.imports.reading import read_sheet
from network.imports.services import run_import
from network.mail.models import OutboxMessage
from network.templating import PARIS
from tests.admin.test_browser_admin import sign_in
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_applicant, make_member
from tests.imports.files import HEADERS, ods_file, xlsx_file
from tests.imports.test_import_files import ROWS
from tests.membership.test_browser_journey import shoot

# The journeys on production's database; the pages' tests run on both (tests/imports,
# tests/golive, tests/admin/test_member_entry.py, tests/membership/test_admission_review.py).
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
FILE_NAME = "Membres réseau 2019-2026.ods"
# Line 5 of the file: an address without its domain, a department outside Occitanie.
BAD_ROW = ["Anne", "Durand", "anne@", "Cabinet Durand", "consultant", "75", "", "", "", "", "",
           ""]
PRIVACY = "J'ai lu la notice de confidentialité"
REASON = "Votre activité ne relève pas de la QVT : le réseau réunit des intervenants QVT."


def admin_site(live_server) -> str:
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
    return live_server.config["BASE_URL"]


def today(app) -> str:
    """The day as the pages see it (FROZEN_NOW), as they write it."""
    with app.app_context():
        return utcnow().astimezone(PARIS).strftime("%d/%m/%Y")


def fr(text: str, whole: bool = False) -> re.Pattern:
    """`text` as the pages write it, typed with straight apostrophes and plain spaces: French
    typography (network/typography.py) may curl the one and make the other no-break."""
    pattern = "".join(r"\s+" if part == " " else "['’]" if part == "'" else re.escape(part)
                      for part in re.split(r"( |')", text))
    return re.compile(f"^{pattern}$" if whole else pattern)


def plain(text: str) -> str:
    """An e-mail's text with straight apostrophes and plain spaces."""
    return text.replace("’", "'").replace("\u202f", " ").replace("\u00a0", " ")


def said(page, text: str) -> None:
    """A flashed message of the page says `text`."""
    expect(page.get_by_role("status").filter(has_text=fr(text))).to_be_visible()


def figure(page, label: str):
    """The value next to `label` in the preview's counts."""
    return page.locator(f"dt:text-is('{label}') + dd")


def error_next_to(page, field, text: str) -> None:
    """`text` is said in the field's own block, under it, and announced with it."""
    expect(page.locator(".mb-3", has=field).locator(".invalid-feedback")).to_contain_text(
        fr(text))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(fr(text))


def figure_card(page, label: str):
    """The value of a figure of the go-live page."""
    return page.locator(".figure-card", has=page.locator(".figure-label", has_text=fr(
        label, whole=True))).locator(".figure-value")


def cells(table, line: int):
    return table.get_by_role("row").nth(line).get_by_role("cell")


def at_both_widths(page, name: str) -> None:
    """The page fits a desktop and a phone (wide tables scroll in their own box, not the
    page); screenshots of both with NETWORK_SCREENSHOTS=1."""
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        shoot(page, name + suffix)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (
            f"{page.url} overflows at {size['width']} px: {page.evaluate(WIDER_THAN_THE_PAGE)}")
    page.set_viewport_size(DESKTOP)


# What sticks out of the page on the right, for the message of a failed assertion.
WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
    .slice(0, 10)"""


def link_in_outbox(live_server, recipient: str, path: str) -> str:
    """The link to `path` in the last e-mail queued for `recipient`, as its reader clicks it."""
    site = live_server.config["BASE_URL"]
    with live_server.app_context():
        body = db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())).first()
    assert body is not None, f"no e-mail queued for {recipient}"
    return re.search(rf"{re.escape(site)}/{path}/\S+", body).group(0)


def fill_contact_details(page, first_name: str, last_name: str, email: str) -> None:
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_role("textbox", name="Nom", exact=True).fill(last_name)  # "Nom" is in "Prénom"
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Structure").fill("Cabinet Travail & Santé")
    page.get_by_label("Consultant ou consultante").check()
    page.get_by_label("31 – Haute-Garonne").check()
    page.get_by_label("Santé au travail", exact=True).check()


# --- The import -----------------------------------------------------------------------------------

def test_an_ods_file_previewed_imported_then_its_import_cancelled(page, live_server, tmp_path):
    site = admin_site(live_server)
    sheet = tmp_path / FILE_NAME
    sheet.write_bytes(ods_file([HEADERS] + ROWS))
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)
    page.get_by_role("link", name="Importer des membres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer les membres existants")
    expect(page.get_by_text(fr("Aucun import pour l'instant."))).to_be_visible()
    shoot(page, "import-upload")

    # Nothing chosen: said next to the field.
    page.get_by_role("button", name="Lire le fichier").click()
    error_next_to(page, page.get_by_label("Fichier des membres"),
                  "Choisissez le fichier des membres.")
    page.get_by_label("Fichier des membres").set_input_files(sheet)
    page.get_by_role("button", name="Lire le fichier").click()

    # The preview: the counts, the columns as recognised, the first members as they will be.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr(f"Aperçu de l'import de « {FILE_NAME} »", whole=True))
    expect(page.get_by_text(fr("Rien n'a encore été enregistré."))).to_be_visible()
    for label, value in [("Lignes lues", "3"), ("Nouveaux membres", "3"), ("Déjà connus", "0"),
                         ("En double dans le fichier", "0"), ("Lignes en erreur", "0")]:
        expect(figure(page, label)).to_have_text(value)
    expect(page.get_by_label(fr("Colonne « Courriel »"))).to_have_value("email")
    expect(page.get_by_label(fr("Colonne « Membre depuis »"))).to_have_value("member_since")
    first_rows = page.get_by_role("table", name="Les 3 premiers nouveaux membres")
    expect(first_rows.get_by_role("row")).to_have_count(4)
    expect(cells(first_rows, 1)).to_have_text([
        "2", "Hélène Œuvray", "helene.oeuvray@exemple.fr", "Cabinet Équilibres", "Conseil",
        "31, 34", "Santé au travail ; Contenu et organisation du travail", "22/11/2019",
        "à confirmer"])
    expect(cells(first_rows, 3)).to_contain_text(["4", "Léa Garcia", "lea.garcia@exemple.fr"])
    # A clean file: no error table, no « valid lines only » box.
    expect(page.get_by_role("table", name="Les erreurs, ligne par ligne")).to_have_count(0)
    expect(page.get_by_label(re.compile("Importer seulement les lignes valides"))).to_have_count(0)
    at_both_widths(page, "import-preview")

    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr(f"Import de « {FILE_NAME} »", whole=True))
    said(page, "Import terminé : 3 membres créés, 0 complété, 0 ligne laissée.")
    expect(page.get_by_role("heading", name="Personnes créées par cet import (3)")).to_be_visible()
    expect(page.get_by_role("region", name="Annuler cet import")).to_be_visible()
    at_both_widths(page, "import-record")
    record = page.url

    page.get_by_role("link", name="Hélène Œuvray").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hélène Œuvray")
    expect(page.locator(".badge.status-member")).to_have_text("Membre")
    expect(page.locator("dt:text-is('Membre depuis') + dd")).to_have_text("22 novembre 2019")
    expect(page.get_by_role("region", name="Historique")).to_contain_text(fr(
        f"Importé le {today(live_server)} par {ADMIN_EMAIL} (fichier « {FILE_NAME} »)"))
    shoot(page, "import-member")

    # Taken back the same day: nobody imported had done anything yet.
    page.goto(record)
    cancel = page.get_by_role("button", name=fr("Annuler l'import"))
    cancel.click()
    said(page, "Cochez la case pour confirmer.")
    page.get_by_label(fr("Je confirme l'annulation de cet import")).check()
    cancel.click()
    said(page, "Import annulé : 3 personnes retirées.")
    expect(page.get_by_role("heading", name=fr("Personnes conservées après l'annulation (0)"))
           ).to_be_visible()
    page.get_by_role("link", name="← Les imports").click()
    expect(page.get_by_role("table", name="Les 20 derniers imports")).to_contain_text(
        f"Annulé le {today(live_server)}")


def test_a_file_with_an_error_imports_only_its_valid_lines_when_asked(page, live_server,
                                                                      tmp_path):
    site = admin_site(live_server)
    with live_server.app_context():
        make_member(utcnow(), email="jerome.ferrieres@exemple.fr", first_name="Jérôme",
                    last_name="Ferrières", phone="")
        db.session.commit()
    sheet = tmp_path / "membres.xlsx"
    sheet.write_bytes(xlsx_file([HEADERS] + ROWS + [BAD_ROW]))
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)
    page.get_by_role("link", name="Importer des membres").click()
    page.get_by_label("Fichier des membres").set_input_files(sheet)
    page.get_by_role("button", name="Lire le fichier").click()

    for label, value in [("Lignes lues", "4"), ("Nouveaux membres", "2"), ("Déjà connus", "1"),
                         ("Lignes en erreur", "1")]:
        expect(figure(page, label)).to_have_text(value)
    expect(page.get_by_role("region", name="Déjà connus du réseau (1)").get_by_role(
        "link", name="Jérôme Ferrières")).to_be_visible()
    errors = page.get_by_role("table", name="Les erreurs, ligne par ligne")
    expect(errors.get_by_role("row")).to_have_count(3)
    expect(cells(errors, 1)).to_have_text(["5", "Courriel", "anne@",
                                           "adresse e-mail non valide"])
    expect(cells(errors, 2)).to_have_text([
        "5", "Département(s)", "75",
        fr("« 75 » n'est pas un département d'Occitanie", whole=True)])
    valid_only = page.get_by_label(re.compile("Importer seulement les lignes valides"))
    expect(valid_only).to_be_visible()
    expect(valid_only).not_to_be_checked()
    at_both_widths(page, "import-preview-errors")

    with page.expect_download() as download:
        page.get_by_role("link", name=fr("Télécharger le rapport d'erreurs (CSV)")).click()
    report = list(csv.reader(io.StringIO(
        Path(download.value.path()).read_text("utf-8-sig")), delimiter=";"))
    assert report[0] == ["Ligne", "Colonne", "Valeur", "Problème"]
    assert ["5", "Courriel", "anne@", "adresse e-mail non valide"] in report

    # Without the box: refused in French next to it, the choice made kept, nothing written.
    page.get_by_label("Compléter seulement leurs champs vides").check()
    page.get_by_role("button", name="Importer").click()
    error_next_to(page, valid_only, "1 ligne contient des erreurs")
    # The page opens at its top, far above the button: the refusal is said there too.
    expect(page).to_have_title(re.compile("^Erreur – "))
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient 1 erreur")
    summary.get_by_role("link", name=re.compile("^Importer seulement les lignes valides")).click()
    expect(valid_only).to_be_focused()
    expect(page.get_by_label("Compléter seulement leurs champs vides")).to_be_checked()
    expect(figure(page, "Nouveaux membres")).to_have_text("2")
    at_both_widths(page, "import-preview-refused")

    valid_only.check()
    page.get_by_role("button", name="Importer").click()
    said(page, "Import terminé : 2 membres créés, 1 complété, 1 ligne laissée.")
    expect(page.get_by_role("heading", name="Personnes créées par cet import (2)")).to_be_visible()
    expect(page.get_by_role("link", name="Léa Garcia")).to_be_visible()
    expect(page.get_by_role("link", name="Anne Durand")).to_have_count(0)
    page.get_by_role("link", name="← Les imports").click()
    page.get_by_role("link", name="Membres").first.click()
    page.get_by_role("link", name="Ferrières Jérôme").click()
    expect(page.locator("dt:text-is('Téléphone') + dd")).to_have_text("06 12 34 56 78")


# --- A request received by e-mail ----------------------------------------------------------------

def test_requests_received_by_e_mail_typed_in_with_either_follow_up(page, live_server):
    site = admin_site(live_server)
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)

    # Anne asked to join: she gets the charter link, and becomes a member by accepting it.
    page.get_by_role("link", name="Saisir une demande reçue par e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Saisir une demande reçue par e-mail")
    fill_contact_details(page, "Anne", "Martin", "anne.martin@exemple.fr")
    expect(page.get_by_label(fr("Envoyer le lien d'acceptation de la charte"))).to_be_checked()
    shoot(page, "member-new")
    page.get_by_role("button", name="Enregistrer la personne").click()
    said(page, "La demande de Anne Martin est enregistrée : le lien d'acceptation de la charte "
               "lui est envoyé à anne.martin@exemple.fr.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anne Martin")
    expect(page.locator(".badge.status-applicant")).to_have_text(
        "Candidature en attente de la charte")
    anne = page.url
    page.goto(link_in_outbox(live_server, "anne.martin@exemple.fr", "charte"))
    # Typed in by an admin, she never saw the privacy notice: the charter's page asks her.
    page.get_by_label(fr(PRIVACY)).check()
    page.get_by_label(fr("J'ai lu la charte et je m'engage à la respecter")).check()
    page.get_by_role("button", name=fr("J'accepte la charte et je rejoins le réseau")).click()
    expect(page.get_by_role("heading", name=fr("Bienvenue dans le réseau !"))).to_be_visible()
    page.goto(anne)
    expect(page.locator(".badge.status-member")).to_have_text("Membre")

    # Paul accepted the network's rules by e-mail in 2021: where to find his mail is required.
    page.get_by_role("link", name="← Tous les membres").click()
    page.get_by_role("link", name="Saisir une demande reçue par e-mail").click()
    fill_contact_details(page, "Paul", "Durand", "paul.durand@exemple.fr")
    page.get_by_label(fr("La personne a déjà accepté le cadre du réseau par e-mail")).check()
    page.get_by_label(fr("Date de l'acceptation par e-mail")).fill("2021-03-12")
    page.get_by_role("button", name="Enregistrer la personne").click()

    expect(page).to_have_title(re.compile("^Erreur – "))
    note = page.get_by_label(fr("Trace de l'acceptation"))
    error_next_to(page, note, "Indiquez où retrouver l'e-mail d'acceptation.")
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient 1 erreur")
    expect(summary).to_be_visible()
    # Nothing typed is lost.
    expect(page.get_by_label("Prénom")).to_have_value("Paul")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("paul.durand@exemple.fr")
    expect(page.get_by_label(fr("La personne a déjà accepté le cadre du réseau par e-mail"))
           ).to_be_checked()
    expect(page.get_by_label(fr("Date de l'acceptation par e-mail"))).to_have_value("2021-03-12")
    expect(page.get_by_label("31 – Haute-Garonne")).to_be_checked()
    shoot(page, "member-new-error")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name=fr("Trace de l'acceptation")).click()
    expect(note).to_be_focused()
    page.keyboard.type("Mail du 12/03/2021 reçu sur la boîte du réseau")
    page.get_by_role("button", name="Enregistrer la personne").click()

    said(page, "Paul Durand est membre du réseau depuis le 12/03/2021 ; l'e-mail de bienvenue "
               "lui est envoyé à paul.durand@exemple.fr.")
    expect(page.locator(".badge.status-member")).to_have_text("Membre")
    expect(page.locator("dt:text-is('Membre depuis') + dd")).to_have_text("12 mars 2021")
    charter = page.get_by_role("region", name="Acceptations de la charte")
    expect(charter).to_contain_text(fr(
        f"Cadre accepté par e-mail le 12 mars 2021 (enregistré par {ADMIN_EMAIL})"))
    expect(charter).to_contain_text("Mail du 12/03/2021 reçu sur la boîte du réseau")


# --- The admission review ------------------------------------------------------------------------

def test_with_the_review_on_applicants_wait_then_one_is_admitted_one_refused(page, live_server):
    site = admin_site(live_server)
    live_server.config["ADMISSION_REVIEW"] = True
    with live_server.app_context():
        make_applicant(utcnow())
        make_applicant(utcnow(), email="basile.roux@exemple.fr", first_name="Basile",
                       last_name="Roux", organisation="Carsat Midi-Pyrénées")
    page.set_viewport_size(DESKTOP)

    for address in ("anne.martin@exemple.fr", "basile.roux@exemple.fr"):
        page.goto(link_in_outbox(live_server, address, "charte"))
        expect(page.get_by_text("votre candidature sera ensuite soumise à la validation du GT "
                                "QVT")).to_be_visible()
        page.get_by_label(fr("J'ai lu la charte et je m'engage à la respecter")).check()
        page.get_by_role("button",
                         name=fr("J'accepte la charte et j'envoie ma candidature")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Merci, votre candidature est enregistrée")
        expect(page.get_by_role("main")).to_contain_text(fr(
            "en attente de validation par le GT QVT du PRST Occitanie : vous n'êtes pas encore "
            "membre du réseau"))
    shoot(page, "admission-waiting")

    sign_in(page, site)
    page.get_by_role("link", name="Tableau de bord").click()
    waiting = page.get_by_role("region", name="Candidatures à valider")
    expect(waiting.get_by_role("row")).to_have_count(3)
    waiting.get_by_role("link", name="Anne Martin").click()
    expect(page.locator(".badge.status-awaiting_review")).to_have_text("En attente de validation")
    expect(page.get_by_role("region", name="Candidature en attente de validation")
           ).to_be_visible()
    shoot(page, "admission-review")
    page.get_by_role("button", name=fr("Valider l'adhésion")).click()
    said(page, "Adhésion validée : Anne Martin est membre du réseau et reçoit l'e-mail de "
               "bienvenue.")
    expect(page.locator(".badge.status-member")).to_have_text("Membre")
    expect(page.get_by_role("button", name=fr("Valider l'adhésion"))).to_have_count(0)
    expect(page.get_by_role("region", name="Historique")).to_contain_text("Adhésion validée")

    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("region", name="Candidatures à valider").get_by_role(
        "link", name="Basile Roux").click()
    page.get_by_role("link", name="Refuser la candidature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Refuser la candidature de Basile Roux")
    refuse = page.get_by_role("button", name="Refuser la candidature")
    refuse.click()
    error_next_to(page, page.get_by_label("Motif du refus"), "Indiquez le motif du refus")
    page.get_by_label("Motif du refus").fill(REASON)
    refuse.click()
    said(page, "La candidature est refusée : la personne en reçoit le motif par e-mail.")
    expect(page.locator(".badge.status-exited")).to_have_text("Sorti du réseau")
    expect(page.get_by_role("region", name="Historique")).to_contain_text(fr(
        f"Candidature non retenue : {REASON}"))
    with live_server.app_context():
        refusal = db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.recipient == "basile.roux@exemple.fr").order_by(
            OutboxMessage.id.desc())).first()
    assert REASON in plain(refusal)

    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("region", name="Candidatures à valider")).to_contain_text(fr(
        "Aucune candidature n'attend de validation."))


# --- The go-live invitation ----------------------------------------------------------------------

def test_the_go_live_invitation_sent_opened_and_answered(page, live_server):
    site = admin_site(live_server)
    with live_server.app_context():
        sheet = read_sheet(FILE_NAME, ods_file([HEADERS] + ROWS))
        run_import(plan_import(sheet, FILE_NAME, utcnow().astimezone(PARIS).date()),
                   by=ADMIN_EMAIL, now=utcnow())
        db.session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)
    page.get_by_role("link", name="Invitation des membres importés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lancement : invitation des membres importés")
    expect(figure_card(page, "Membres importés")).to_have_text("3")
    expect(figure_card(page, "Invité")).to_have_text("0")
    send = page.get_by_role("button", name=fr("Envoyer l'invitation aux membres importés"))
    confirm = page.get_by_label(fr("Je confirme l'envoi de l'invitation à ces membres importés"))
    send.click()
    # Without the box nothing leaves, and the site says why in French (novalidate: not the
    # browser's own bubble).
    said(page, "Cochez la case pour confirmer l'envoi.")
    expect(figure_card(page, "Invité")).to_have_text("0")
    confirm.check()
    send.click()
    said(page, "L'invitation part vers 3 membres importés (1 lot mis en file d'envoi)")
    expect(figure_card(page, "Invités")).to_have_text("3")
    expect(page.get_by_role("row").filter(has_text="Œuvray Hélène")).to_contain_text(
        "pas encore de réponse")
    shoot(page, "golive-admin")
    page.get_by_role("button", name="Se déconnecter").click()

    # Hélène opens her personal link: her details as the file gave them, the charter to accept.
    link = link_in_outbox(live_server, "helene.oeuvray@exemple.fr", "bienvenue")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Le réseau a son espace en ligne")
    expect(page.get_by_role("main")).to_contain_text("Bonjour Hélène")
    expect(page.get_by_role("main")).to_contain_text(
        "Vous êtes membre du réseau depuis le 22 novembre 2019")
    expect(page.get_by_label("Prénom")).to_have_value("Hélène")
    expect(page.get_by_label("Structure")).to_have_value("Cabinet Équilibres")
    expect(page.get_by_label("Téléphone (facultatif)")).to_have_value("05 61 00 00 00")
    expect(page.get_by_label("31 – Haute-Garonne")).to_be_checked()
    expect(page.get_by_label("34 – Hérault")).to_be_checked()
    expect(page.get_by_role("article", name="Texte de la charte")).to_be_visible()
    shoot(page, "golive-welcome")

    # Imported, she never gave her consent to the privacy notice on the site either.
    save = page.get_by_role("button", name="Enregistrer")
    page.get_by_label("Fonction (facultatif)").fill("Ergonome européenne")
    page.get_by_label(fr(PRIVACY)).check()
    save.click()
    box = page.get_by_label(fr("J'ai lu la charte du réseau et je m'engage à la respecter"))
    error_next_to(page, box, "Cochez la case pour accepter la charte.")
    expect(page.get_by_label("Fonction (facultatif)")).to_have_value("Ergonome européenne")
    expect(page.get_by_label(fr(PRIVACY))).to_be_checked()
    box.check()
    save.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Merci, c'est enregistré", whole=True))
    expect(page.get_by_role("link", name="Accéder à mon espace membre")).to_be_visible()
    shoot(page, "golive-thanks")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("C'est déjà fait", whole=True))

    sign_in(page, site)
    page.goto(f"{site}/admin/membres/lancement?reponse=oui")
    answered = page.get_by_role("row").filter(has_text="Œuvray Hélène")
    expect(answered).to_contain_text(f"a répondu le {today(live_server)}")
    expect(answered.get_by_role("cell").last).to_have_text("acceptée")
