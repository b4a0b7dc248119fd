"""Members in the back-office: search, filters, exports, the member page and its actions."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.admin.models import AdminNote, AuditEntry
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership.models import ExitReason, Person, Status, StatusChange
from tests.conftest import ADMIN_EMAIL
from tests.factories import NOW, make_applicant, make_member
from tests.support.queries import count_queries


@pytest.fixture
def people(app):
    anne = make_member(NOW - timedelta(days=400))
    paul = make_member(NOW - timedelta(days=30), email="paul.durand@exemple.fr",
                       first_name="Paul", last_name="Durand", organisation="Carsat",
                       profile="acteur_relais", department_codes=["12"],
                       qvt_field_codes=["egalite"])
    lea = make_applicant(NOW, email="lea@exemple.fr", first_name="Léa", last_name="Roux",
                         organisation="=HYPERLINK(\"http://x\")", profile="acteur_interne",
                         department_codes=["66"], qvt_field_codes=["sante"])
    return anne, paul, lea


def names(response) -> list[str]:
    return [p.last_name for p in db.session.scalars(select(Person)) if
            f"/admin/membres/{p.id}\"" in response.text]


@pytest.mark.parametrize("query, expected", [
    ("", ["Martin", "Durand", "Roux"]),
    ("q=carsat", ["Durand"]),
    ("q=ANNE+martin", ["Martin"]),
    ("q=exemple.fr&statut=applicant", ["Roux"]),
    ("profil=acteur_relais", ["Durand"]),
    ("departement=31&departement=12", ["Martin", "Durand"]),
    ("champ=sante", ["Martin", "Roux"]),
    ("statut=member&du=2026-10-01", ["Durand"]),
    ("au=2026-01-01", ["Martin"]),
    ("du=pas-une-date", ["Martin", "Durand", "Roux"]),
])
def test_search_and_filters(admin_client, people, query, expected):
    response = admin_client.get(f"/admin/membres?{query}")
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(expected)


def test_sorting(admin_client, people):
    text = admin_client.get("/admin/membres?tri=adhesion&ordre=desc&statut=member").text
    assert text.index("Durand") < text.index("Martin")
    text = admin_client.get("/admin/membres?tri=nom").text
    assert text.index("Durand") < text.index("Martin") < text.index("Roux")


def test_the_list_uses_the_same_number_of_queries_whatever_the_page_size(admin_client, app):
    for n in range(60):
        make_member(email=f"membre{n}@exemple.fr", last_name=f"Nom{n:02d}")
    small = count_queries(admin_client, "/admin/membres?par_page=25&page=2")
    large = count_queries(admin_client, "/admin/membres?par_page=50&page=2")
    assert small == large
    assert small <= 12


def read_csv(response):
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_export_follows_the_filter_and_defuses_formulas(admin_client, people):
    rows = read_csv(admin_client.get("/admin/membres/export.csv?statut=applicant"))
    assert rows[0][:3] == ["Nom", "Prénom", "E-mail"]
    assert len(rows) == 2
    assert rows[1][2] == "lea@exemple.fr"
    assert rows[1][4] == "'=HYPERLINK(\"http://x\")", "a cell never starts a formula"
    assert db.session.scalar(select(AuditEntry.action)) == "members.export"


def test_mailing_list_has_active_members_only(admin_client, people):
    anne, paul, lea = people
    rows = read_csv(admin_client.get("/admin/membres/liste-de-diffusion.csv"))
    assert rows[0] == ["E-mail", "Nom", "Prénom", "Structure"]
    assert sorted(r[0] for r in rows[1:]) == ["anne.martin@exemple.fr", "paul.durand@exemple.fr"]


def test_member_page_tells_the_whole_story(admin_client, people):
    anne, _, _ = people
    page = admin_client.get(f"/admin/membres/{anne.id}").text
    assert "Anne Martin" in page and "Version 1, le" in page
    assert "Candidature en attente de la charte → Membre" in page
    assert "Charte acceptée (version 1)" in page
    assert "E-mail : Bienvenue dans le réseau" in page
    assert admin_client.get("/admin/membres/99999").status_code == 404


def test_mark_exited_with_a_reason_needs_confirmation(admin_client, people):
    anne, _, _ = people
    refused = admin_client.post(f"/admin/membres/{anne.id}/sortie",
                                data={"reason": "removed_by_admin"})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer." in refused.text
    assert db.session.get(Person, anne.id).status == Status.MEMBER

    admin_client.post(f"/admin/membres/{anne.id}/sortie",
                      data={"reason": "voluntary", "comment": "demande par courrier",
                            "confirm": "y"})
    db.session.expire_all()
    person = db.session.get(Person, anne.id)
    assert (person.status, person.exit_reason) == (Status.EXITED, ExitReason.VOLUNTARY)
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert change.changed_by == ADMIN_EMAIL
    assert change.reason == "À sa demande – demande par courrier"
    assert db.session.scalar(select(OutboxMessage.template).order_by(
        OutboxMessage.id.desc())) == "left_network"
    assert db.session.scalar(select(AuditEntry.action)) == "member.exit"


def test_readmit_an_exited_member(admin_client, people):
    anne, _, _ = people
    admin_client.post(f"/admin/membres/{anne.id}/sortie",
                      data={"reason": "no_renewal_answer", "confirm": "y"})
    confirm_page = admin_client.get(f"/admin/membres/{anne.id}/reintegrer")
    assert "Confirmer" in confirm_page.text
    db.session.expire_all()
    assert db.session.get(Person, anne.id).status == Status.EXITED, "GET changes nothing"
    admin_client.post(f"/admin/membres/{anne.id}/reintegrer")
    db.session.expire_all()
    person = db.session.get(Person, anne.id)
    assert person.status == Status.MEMBER and person.exit_reason is None
    assert "Réintégration" in admin_client.get(f"/admin/membres/{anne.id}").text


def test_resend_the_charter_link_to_an_applicant_only(admin_client, people):
    anne, _, lea = people
    before = db.session.query(OutboxMessage).count()
    admin_client.post(f"/admin/membres/{lea.id}/renvoyer-charte")
    assert db.session.query(OutboxMessage).count() == before + 1
    refused = admin_client.post(f"/admin/membres/{anne.id}/renvoyer-charte",
                                follow_redirects=True)
    assert "ne s'applique pas" in refused.text
    assert db.session.query(OutboxMessage).count() == before + 1


def test_edit_details_with_the_shared_validation(admin_client, people):
    anne, paul, _ = people
    form = admin_client.get(f"/admin/membres/{anne.id}/modifier").text
    assert 'value="Cabinet Travail &amp; Santé"' in form
    assert re.search(r'<input checked class="form-check-input" id="departments-\d+" '
                     r'name="departments" type="checkbox" value="31">', form)
    data = {"first_name": "Anne", "last_name": "Martin-Roux", "email": "paul.durand@exemple.fr",
            "organisation": "Nouveau cabinet", "profile": "consultant",
            "departments": ["31"], "qvt_fields": ["sante"]}
    taken = admin_client.post(f"/admin/membres/{anne.id}/modifier", data=data)
    assert taken.status_code == 400
    assert "déjà celle d'une autre personne" in taken.text
    invalid = admin_client.post(f"/admin/membres/{anne.id}/modifier",
                                data={**data, "email": "pas-une-adresse"})
    assert "Saisissez une adresse e-mail valide" in invalid.text
    db.session.expire_all()
    assert db.session.get(Person, anne.id).last_name == "Martin"

    admin_client.post(f"/admin/membres/{anne.id}/modifier",
                      data={**data, "email": "anne.martin@exemple.fr"})
    db.session.expire_all()
    person = db.session.get(Person, anne.id)
    assert (person.last_name, person.organisation) == ("Martin-Roux", "Nouveau cabinet")
    assert [d.code for d in person.departments] == ["31"]
    assert "Coordonnées modifiées" in admin_client.get(f"/admin/membres/{anne.id}").text


def test_notes(admin_client, people):
    anne, _, _ = people
    admin_client.post(f"/admin/membres/{anne.id}/notes", data={"text": "Rencontrée au RDV annuel"})
    assert db.session.scalar(select(AdminNote.author)) == ADMIN_EMAIL
    assert "Rencontrée au RDV annuel" in admin_client.get(f"/admin/membres/{anne.id}").text
    empty = admin_client.post(f"/admin/membres/{anne.id}/notes", data={"text": ""},
                              follow_redirects=True)
    assert "La note est vide." in empty.text
