"""The import in the back-office: upload → preview (columns, first rows, errors, duplicates) →
import → the record of the import and its cancellation; refused to anyone but an admin."""

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from network.extensions import db
from network.imports.models import ImportHeaderMapping, MemberImport
from network.membership.models import Person, StatusChange
from tests.factories import make_member, member_session
from tests.imports.files import HEADERS, csv_file, ods_file, xlsx_file
from tests.imports.test_import_files import ROWS

BAD_ROW = ["Anne", "Durand", "anne@", "X", "consultant", "75", "", "", "", "", "", ""]


def upload(client, content: bytes, name: str):
    return client.post("/admin/membres/import",
                       data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def preview_url(response) -> str:
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_upload_preview_then_import_an_ods_file(admin_client):
    url = preview_url(upload(admin_client, ods_file([HEADERS] + ROWS), "Membres 2019.ods"))
    page = admin_client.get(url).text
    assert "Aperçu de l'import de « Membres 2019.ods »" in page
    assert re.search(r"Nouveaux membres</dt><dd>3</dd>", page)
    assert "Hélène Œuvray" in page and "helene.oeuvray@exemple.fr" in page
    assert "Santé au travail ; Contenu et organisation du travail" in page
    assert "22/11/2019" in page and "à confirmer" in page
    assert people() == 0, "nothing written by the preview"

    done = admin_client.post(url, data={"known": "skip"})
    assert done.status_code == 302 and "/admin/membres/imports/" in done.headers["Location"]
    record = admin_client.get(done.headers["Location"]).text
    assert "3 membres créés" in record and "Hélène Œuvray" in record
    assert "Annuler cet import" in record
    assert people() == 3
    assert admin_client.get(url).status_code == 404, "the uploaded file is gone once imported"


def test_errors_are_listed_downloadable_and_block_unless_valid_lines_only(admin_client):
    url = preview_url(upload(admin_client, csv_file([HEADERS] + ROWS + [BAD_ROW]), "m.csv"))
    page = admin_client.get(url).text
    assert "Erreurs (2)" in page
    assert "adresse e-mail non valide" in page and "n'est pas un département" in page

    report = admin_client.get(url + "/erreurs.csv")
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("text/csv")
    lines = report.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Ligne;Colonne;Valeur;Problème"
    assert "5;Courriel;anne@;adresse e-mail non valide" in lines

    refused = admin_client.post(url, data={"known": "skip"})
    assert refused.status_code == 400 and "1 ligne contient des erreurs" in refused.text
    assert people() == 0
    assert admin_client.post(url, data={"known": "skip", "valid_only": "y"}).status_code == 302
    assert people() == 3


def test_an_unknown_column_is_mapped_once_and_remembered(admin_client):
    rows = [["Prénom", "Nom", "Mél. professionnel", "Qualité"],
            ["Anne", "Durand", "anne@exemple.fr", "Consultante"]]
    url = preview_url(upload(admin_client, xlsx_file(rows), "autre.xlsx"))
    page = admin_client.get(url).text
    assert "Aucune colonne ne donne : <strong>E-mail, Profil</strong>" in page
    assert "Colonnes non reconnues : Mél. professionnel, Qualité" in page
    assert admin_client.post(url, data={}).status_code == 400

    saved = admin_client.post(url + "/colonnes", data={
        "colonne_0": "first_name", "colonne_1": "last_name", "colonne_2": "email",
        "colonne_3": "profile"})
    assert saved.status_code == 302
    assert re.search(r"Nouveaux membres</dt><dd>1</dd>", admin_client.get(url).text)
    assert db.session.get(ImportHeaderMapping, "mel professionnel").field == "email"

    again = preview_url(upload(admin_client, xlsx_file(rows), "autre-encore.xlsx"))
    assert "Aucune colonne ne donne" not in admin_client.get(again).text, "remembered"


def test_known_people_are_linked_and_can_be_completed(admin_client):
    known = make_member(email="jerome.ferrieres@exemple.fr", phone="")
    db.session.commit()
    url = preview_url(upload(admin_client, csv_file([HEADERS] + ROWS), "m.csv"))
    page = admin_client.get(url).text
    assert "Déjà connus du réseau (1)" in page and f"/admin/membres/{known.id}" in page
    assert admin_client.post(url, data={"known": "complete"}).status_code == 302
    db.session.refresh(known)
    assert known.phone == "06 12 34 56 78"


def test_a_file_that_is_not_a_spreadsheet_is_refused_next_to_the_field(admin_client):
    refused = upload(admin_client, b"%PDF-1.4 ...", "membres.xlsx")
    assert refused.status_code == 400
    assert "pas un vrai fichier Excel" in refused.text and 'id="file-erreur"' in refused.text
    empty = admin_client.post("/admin/membres/import", data={},
                              content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choisissez le fichier des membres." in empty.text


def test_a_file_over_the_limit_is_refused(app, admin_client):
    app.config["IMPORT_MAX_BYTES"] = 1000
    big = csv_file([HEADERS] + ROWS * 20)
    refused = upload(admin_client, big, "m.csv")
    assert refused.status_code == 400 and "Le fichier dépasse" in refused.text


def test_cancelling_within_a_day_removes_who_did_nothing(app, admin_client):
    url = preview_url(upload(admin_client, csv_file([HEADERS] + ROWS), "m.csv"))
    record_url = admin_client.post(url, data={"known": "skip"}).headers["Location"]
    record = db.session.scalar(select(MemberImport))
    assert admin_client.post(record_url + "/annuler", data={}).status_code == 302
    assert people() == 3, "not without the confirmation box"

    # Imported two hours ago (moving the clock would end the admin's session instead).
    record.imported_at -= timedelta(hours=2)
    db.session.commit()
    page = admin_client.post(record_url + "/annuler", data={"confirm": "y"},
                             follow_redirects=True).text
    assert "Import annulé : 3 personnes retirées." in page
    assert people() == 0 and db.session.scalar(select(func.count()).select_from(
        StatusChange)) == 0
    assert "Annuler cet import" not in admin_client.get(record_url).text

    record.imported_at -= timedelta(hours=23)
    db.session.commit()
    late = admin_client.post(record_url + "/annuler", data={"confirm": "y"},
                             follow_redirects=True).text
    assert "ne peut plus être annulé" in late


def test_an_admin_cannot_open_another_admins_upload(app, admin_client):
    from network.admin.services import create_admin

    url = preview_url(upload(admin_client, csv_file([HEADERS] + ROWS), "m.csv"))
    create_admin("autre@gt-qvt.fr", "un-autre-mot-de-passe-solide")
    db.session.commit()
    other = app.test_client()
    other.post("/admin/connexion", data={"email": "autre@gt-qvt.fr",
                                         "password": "un-autre-mot-de-passe-solide"})
    assert other.get(url).status_code == 404
    assert admin_client.get("/admin/membres/import/" + "0" * 32).status_code == 404
    assert admin_client.get("/admin/membres/imports/999999").status_code == 404


def test_no_one_but_an_admin_reaches_the_import(app, client):
    member = make_member()
    db.session.commit()
    for who in ("anonymous", "member"):
        if who == "member":
            with client.session_transaction() as session:
                member_session(session, member)
        response = client.post("/admin/membres/import",
                               data={"file": (io.BytesIO(csv_file([HEADERS] + ROWS)), "m.csv")},
                               content_type="multipart/form-data")
        assert response.status_code in (302, 403)
        assert "/admin/connexion" in response.headers.get("Location", "/admin/connexion")
    assert people() == 1


def test_an_imported_members_page_says_where_they_came_from_and_what_is_to_confirm(
        admin_client):
    rows = [HEADERS + ["Cadre accepté le"], ROWS[0] + ["25/11/2019"], ROWS[2] + [""]]
    url = preview_url(upload(admin_client, csv_file(rows), "membres-2019.csv"))
    admin_client.post(url, data={"known": "skip"})
    helene, lea = db.session.scalars(select(Person).order_by(Person.id)).all()
    page = admin_client.get(f"/admin/membres/{helene.id}").text
    assert "depuis <a href=\"/admin/membres/imports/" in page and "« membres-2019.csv »" in page
    assert "Cadre accepté par e-mail le 25 novembre 2019" in page
    assert "Membre depuis" in page and "22 novembre 2019" in page
    assert "Importé le" in page, "the history's row"
    assert "<strong>À confirmer</strong>" in admin_client.get(f"/admin/membres/{lea.id}").text
