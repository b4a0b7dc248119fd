"""The import of the network's existing members (issue 16): realistic files in each format,
every kind of error, duplicates, and what the import writes and takes back."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.extensions import db
from network.imports.plan import plan_import
from network.imports.reading import UnreadableFile, read_sheet
from network.imports.services import ImportRefused, cancel_import, run_import
from network.membership.lifecycle import TransitionRefused  # noqa: F401
from network.membership.models import AcceptanceMethod, CharterAcceptance, Person, StatusChange
from network.templating import PARIS
from tests.factories import make_member
from tests.imports.files import HEADERS, csv_file, ods_file, xlsx_file

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
ADMIN = "admin@gt-qvt.fr"

ROWS = [
    ["Hélène", "Œuvray", "Helene.Oeuvray@Exemple.fr ", "Cabinet Équilibres", "Consultante",
     "31, Hérault", "Santé au travail; contenu et organisation du travail", "22/11/2019",
     "561000000", "Ergonome", "equilibres.fr", "oui"],
    ["Jérôme", "Ferrières", "jerome.ferrieres@exemple.fr", "Carsat", "acteur-relais",
     "haute garonne", "Relations sociales", "", "06 12 34 56 78", "", "", "non"],
    ["Léa", "Garcia", "lea.garcia@exemple.fr", "Laiterie des Causses", "Acteur interne",
     "Aveyron (12)", "Égalité professionelle", "2021-03-15", "", "DRH", "", ""],
]


def imported(sheet_bytes: bytes, name: str):
    return plan_import(read_sheet(name, sheet_bytes), name, TODAY)


# --- Reading each format ----------------------------------------------------------------------

@pytest.mark.parametrize("make, name", [
    (lambda rows: csv_file(rows, "cp1252", ";"), "membres.csv"),
    (lambda rows: csv_file(rows, "utf-8-sig", ","), "membres.csv"),
    (xlsx_file, "membres.xlsx"),
    (ods_file, "membres.ods"),
])
def test_each_format_is_read_with_its_accents_and_tolerant_values(app, make, name):
    with app.app_context():
        plan = imported(make([HEADERS] + ROWS), name)
        assert plan.missing_fields == [] and plan.unmapped_headers == []
        assert [row.kind for row in plan.rows] == ["new", "new", "new"], plan.errors
        helene, jerome, lea = (row.values for row in plan.rows)
        assert (helene["first_name"], helene["last_name"]) == ("Hélène", "Œuvray")
        assert helene["email"] == "helene.oeuvray@exemple.fr"
        assert helene["organisation"] == "Cabinet Équilibres"
        assert helene["profile"] == "consultant"
        assert helene["departments"] == ["31", "34"]
        assert helene["qvt_fields"] == ["sante", "contenu"]
        assert helene["member_since"] == date(2019, 11, 22)
        assert helene["phone"] == "05 61 00 00 00", "the 0 a spreadsheet dropped is back"
        assert helene["website"] == "https://equilibres.fr"
        assert helene["directory_opt_in"] is True
        assert jerome["profile"] == "acteur_relais" and jerome["departments"] == ["31"]
        assert jerome["qvt_fields"] == ["relations"], "close to the label is enough"
        assert jerome["member_since"] == date(2019, 11, 22), "blank: since the launch"
        assert lea["departments"] == ["12"] and lea["qvt_fields"] == ["egalite"]
        assert lea["member_since"] == date(2021, 3, 15) and lea["job_title"] == "DRH"


def test_dates_typed_as_dates_by_the_spreadsheet_are_read(app):
    with app.app_context():
        rows = [HEADERS, ROWS[0][:7] + [date(2020, 6, 19)] + ROWS[0][8:]]
        for make, name in ((xlsx_file, "m.xlsx"), (ods_file, "m.ods")):
            assert imported(make(rows), name).rows[0].values["member_since"] == date(2020, 6, 19)


@pytest.mark.parametrize("name, content, message", [
    ("membres.pdf", b"%PDF-1.4", "type de fichier n'est pas accepté"),
    ("membres.xlsx", b"Prenom;Nom\nA;B\n", "pas un vrai fichier Excel"),
    ("membres.ods", b"\x89PNG\r\n", "pas un vrai fichier OpenDocument"),
    ("membres.csv", b"PK\x03\x04" + b"\x00" * 40, "n'est pas un CSV"),
    ("membres.csv", b"   \n", "vide"),
    ("membres.xlsx", b"PK\x03\x04broken zip" * 20, "n'a pas pu être lu"),
])
def test_a_file_that_is_not_what_it_says_is_refused_in_french(name, content, message):
    with pytest.raises(UnreadableFile, match=message):
        read_sheet(name, content)


# --- Every kind of error --------------------------------------------------------------------------

@pytest.mark.parametrize("make, name", [(csv_file, "erreurs.csv"), (xlsx_file, "erreurs.xlsx"),
                                        (ods_file, "erreurs.ods")])
def test_every_error_gives_its_line_column_value_and_why(app, make, name):
    rows = [HEADERS,
            ["Anne", "", "pas-une-adresse", "X", "stagiaire", "75", "Astrologie", "31/02/2020",
             "abc", "", "", "peut-être"],
            ["Paul", "Martin", "paul@exemple.fr", "Y", "consultant", "31", "", "01/01/2031", "",
             "", "", ""],
            ["Zoé", "Roux", "zoe@exemple.fr", "Z", "consultant", "31", "", "01/01/2018", "", "",
             "", ""],
            ["Marc", "Petit", "marc@exemple.fr", "Z", "", "31", "", "", "", "", "", ""]]
    if name.endswith(".csv"):
        # Spreadsheets refuse to store control characters; a CSV carries whatever was pasted.
        rows.append(["Esc\x1b", "Octet", "esc@exemple.fr", "Z", "consultant", "31", "", "", "",
                     "", "", ""])
    with app.app_context():
        plan = imported(make(rows), name)
        assert [row.kind for row in plan.rows] == ["error"] * (len(rows) - 1)
        found = {(e.line, e.column): (e.value, e.why) for e in plan.errors}
        assert found[(2, "Nom")][1] == "nom manquant"
        assert found[(2, "Courriel")] == ("pas-une-adresse", "adresse e-mail non valide")
        assert "profil inconnu" in found[(2, "Profil")][1]
        assert found[(2, "Département(s)")][1] == "« 75 » n'est pas un département d'Occitanie"
        assert "champ de la QVT" in found[(2, "Champ(s) QVT")][1]
        assert "date non reconnue" in found[(2, "Membre depuis")][1]
        assert found[(2, "Téléphone")][1] == "numéro de téléphone non valide"
        assert found[(2, "Annuaire")][1] == "répondez par oui ou non"
        assert found[(3, "Membre depuis")][1] == "cette date n'est pas encore arrivée"
        assert "lancement du réseau" in found[(4, "Membre depuis")][1]
        assert "profil manquant" in found[(5, "Profil")][1]
        if name.endswith(".csv"):
            assert "caractères de contrôle" in found[(6, "Prénom")][1]


def test_a_required_column_missing_blocks_the_import_until_mapped(app):
    rows = [["Prénom", "Nom", "Adresse pro", "Profil"],
            ["Anne", "Durand", "anne@exemple.fr", "consultant"]]
    with app.app_context():
        plan = imported(csv_file(rows), "sans-email.csv")
        assert plan.missing_fields == ["E-mail"] and plan.unmapped_headers == ["Adresse pro"]
        with pytest.raises(ImportRefused, match="E-mail"):
            run_import(plan, by=ADMIN, now=NOW, valid_only=True)
        mapped = plan_import(read_sheet("sans-email.csv", csv_file(rows)), "sans-email.csv",
                             TODAY, chosen={"adresse pro": "email"})
        assert mapped.missing_fields == [] and mapped.rows[0].values["email"] == "anne@exemple.fr"


# --- Duplicates -----------------------------------------------------------------------------------

def test_duplicates_in_the_file_and_in_the_database_are_found_by_normalised_address(app):
    with app.app_context():
        make_member(email="jerome.ferrieres@exemple.fr")
        db.session.commit()
        rows = [HEADERS] + ROWS + [["H.", "Oeuvray", "HELENE.OEUVRAY@exemple.fr", "", "consultant",
                                    "", "", "", "", "Ergonome senior", "", ""]]
        plan = imported(csv_file(rows), "membres.csv")
        assert [row.kind for row in plan.rows] == ["new", "known", "new", "duplicate"]
        assert plan.rows[3].same_as_line == 2


def test_known_people_are_skipped_or_only_their_empty_fields_filled(app):
    with app.app_context():
        known = make_member(email="jerome.ferrieres@exemple.fr", phone="", job_title="Expert",
                            first_name="Jérôme")
        db.session.commit()
        plan = imported(csv_file([HEADERS] + ROWS), "membres.csv")
        skipped = run_import(plan, by=ADMIN, now=NOW)
        assert (skipped.created_count, skipped.completed_count, skipped.skipped_count) == (2, 0, 1)
        db.session.rollback()

        record = run_import(plan, by=ADMIN, now=NOW, complete_known=True)
        db.session.commit()
        assert (record.created_count, record.completed_count) == (2, 1)
        db.session.refresh(known)
        assert known.phone == "06 12 34 56 78", "an empty field is filled"
        assert known.job_title == "Expert", "a filled one is kept"
        assert known.member_import_id is None and known.status == "member"


# --- What the import writes -----------------------------------------------------------------------

def test_imported_members_keep_their_tenure_history_and_acceptance_as_it_was(app):
    rows = [HEADERS + ["Cadre accepté le"],
            ROWS[0] + ["25/11/2019"], ROWS[2] + [""]]
    with app.app_context():
        plan = imported(ods_file(rows), "Membres réseau 2019-2026.ods")
        record = run_import(plan, by=ADMIN, now=NOW)
        db.session.commit()
        helene = db.session.scalar(select(Person).where(
            Person.email == "helene.oeuvray@exemple.fr"))
        lea = db.session.scalar(select(Person).where(Person.email == "lea.garcia@exemple.fr"))
        assert helene.status == lea.status == "member"
        assert helene.member_since.astimezone(PARIS).date() == date(2019, 11, 22)
        assert lea.member_since.astimezone(PARIS).date() == date(2021, 3, 15)
        assert helene.member_import_id == record.id
        assert [d.code for d in helene.departments] == ["31", "34"]
        history = db.session.scalars(select(StatusChange).where(
            StatusChange.person_id == helene.id)).all()
        assert [(h.from_status, h.to_status, h.changed_by) for h in history] == [
            (None, "member", ADMIN)]
        assert history[0].changed_at == helene.member_since, "joined then, imported now"
        assert history[0].reason == (
            "Importé le 28/11/2026 par admin@gt-qvt.fr (fichier « Membres réseau 2019-2026.ods »)")
        acceptance = db.session.scalar(select(CharterAcceptance).where(
            CharterAcceptance.person_id == helene.id))
        assert acceptance.method == AcceptanceMethod.EMAIL and acceptance.recorded_by == ADMIN
        assert acceptance.accepted_at.astimezone(PARIS).date() == date(2019, 11, 25)
        assert acceptance.charter_version.number == 1
        assert db.session.scalar(select(func.count()).select_from(CharterAcceptance).where(
            CharterAcceptance.person_id == lea.id)) == 0, "« à confirmer »: nothing recorded"
        assert db.session.scalar(select(AuditEntry.detail).where(
            AuditEntry.action == "members.import")).startswith("Membres réseau 2019-2026.ods")


def test_those_to_confirm_accept_the_current_charter_at_their_renewal(app):
    from network.renewal.services import charter_to_accept

    rows = [HEADERS + ["Cadre accepté le"], ROWS[0] + ["25/11/2019"], ROWS[2] + [""]]
    with app.app_context():
        run_import(imported(csv_file(rows), "m.csv"), by=ADMIN, now=NOW)
        db.session.commit()
        helene, lea = db.session.scalars(select(Person).order_by(Person.id)).all()
        assert charter_to_accept(helene) is None, "her e-mail acceptance of version 1 stands"
        assert charter_to_accept(lea).number == 1, "« à confirmer »: the renewal asks for it"


def test_the_dashboard_counts_imported_members_as_joined_when_the_file_says(app):
    from network.admin import stats

    with app.app_context():
        run_import(imported(csv_file([HEADERS] + ROWS), "m.csv"), by=ADMIN, now=NOW)
        db.session.commit()
        assert stats.joins_this_year(NOW) == 0, "none joined in 2026: they were imported"
        assert stats.joins_this_year(datetime(2021, 12, 31, tzinfo=UTC)) == 1, "Léa, 2021"


def test_nothing_is_written_with_errors_unless_the_valid_lines_only_are_chosen(app):
    rows = [HEADERS] + ROWS + [["Anne", "Durand", "anne@", "", "consultant", "", "", "", "", "",
                                "", ""]]
    with app.app_context():
        plan = imported(xlsx_file(rows), "membres.xlsx")
        with pytest.raises(ImportRefused, match="1 ligne"):
            run_import(plan, by=ADMIN, now=NOW)
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0
        record = run_import(plan, by=ADMIN, now=NOW, valid_only=True)
        db.session.commit()
        assert (record.created_count, record.skipped_count) == (3, 1)
        assert db.session.scalar(select(func.count()).select_from(Person)) == 3


# --- Taking an import back ------------------------------------------------------------------------

def test_an_import_is_cancelled_within_a_day_keeping_those_who_did_something(app):
    from network.admin.services import add_note
    from network.membership.services import leave_network

    with app.app_context():
        record = run_import(imported(csv_file([HEADERS] + ROWS), "m.csv"), by=ADMIN, now=NOW)
        db.session.commit()
        helene, jerome, lea = db.session.scalars(select(Person).order_by(Person.id)).all()
        helene_id = helene.id
        leave_network(jerome, NOW + timedelta(hours=1))
        add_note(lea, "Appelée le 28/11", ADMIN, NOW + timedelta(hours=2))
        db.session.commit()

        with pytest.raises(ImportRefused, match="24 heures"):
            cancel_import(record, ADMIN, NOW + timedelta(hours=25))
        result = cancel_import(record, ADMIN, NOW + timedelta(hours=23))
        db.session.commit()
        assert result.removed == 1
        assert {p.email for p in result.kept} == {"jerome.ferrieres@exemple.fr",
                                                 "lea.garcia@exemple.fr"}
        assert db.session.get(Person, helene_id) is None
        assert record.cancelled_at is not None
        with pytest.raises(ImportRefused, match="déjà été annulé"):
            cancel_import(record, ADMIN, NOW + timedelta(hours=23))
