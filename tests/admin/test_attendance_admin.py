"""Attendance that means something: marked once the event has started, never before; the people
who came without registering added at the door; the sign-in sheet printed beforehand."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.events.attendance import (
    AttendanceRefused,
    add_walk_in_guest,
    add_walk_in_member,
    mark_attendance,
)
from network.events.models import Audience, EventKind, EventMode, Registration
from network.events.retention import purge_past_guests
from network.events.services import (
    event_figures,
    parcours,
    register_member,
    request_guest_registration,
)
from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.membership.models import Status
from network.membership.search import PersonFilter, filtered_people
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.factories import make_member


def webinar_in_three_months(registered: int):
    """The defect as it was seen: a webinar three months ahead, 47 members registered."""
    starts = (utcnow() + timedelta(days=90)).astimezone(PARIS).replace(
        hour=11, minute=0, second=0, microsecond=0)
    event = make_event(capacity=50, starts=starts, kind=EventKind.WEBINAR,
                       title="Webinaire : la QVT et le télétravail")
    for n in range(registered):
        register_member(event, make_member(email=f"m{n}@exemple.fr", last_name=f"Nom{n:02}"),
                        utcnow())
    db.session.commit()
    return event


def under_way(event, started_ago=timedelta(minutes=30)):
    """The event began a moment ago (the page's now is FROZEN_NOW) and goes on."""
    event.starts_at = utcnow() - started_ago
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    return event


def registered_to(event, *people):
    for person in people:
        register_member(event, person, utcnow())
    db.session.commit()
    return [db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.person_id == person.id))
        for person in people]


def export_rows(admin_client, event) -> list[dict]:
    export = admin_client.get(f"/admin/evenements/{event.id}/export.csv").data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(export), delimiter=";"))


def figures_section(page: str) -> str:
    return page.split('id="chiffres"')[1].split("</section>")[0]


# --- Before the start ---------------------------------------------------------------------------

def test_five_present_out_of_47_three_months_ahead_is_refused(admin_client):
    event = webinar_in_three_months(47)
    ids = db.session.scalars(select(Registration.id).order_by(Registration.id)).all()

    response = admin_client.post(f"/admin/evenements/{event.id}/presences",
                                 data={"present": [str(i) for i in ids[:5]]},
                                 follow_redirects=True)
    assert "pas encore commencé" in response.text
    assert "Présences enregistrées" not in response.text
    db.session.expire_all()
    assert set(db.session.scalars(select(Registration.attended))) == {None}, "nothing changed"

    assert [row["Présence"] for row in export_rows(admin_client, event)] == [""] * 47, \
        "nobody « absent »"
    page = admin_client.get(f"/admin/evenements/{event.id}/presences").text
    assert 'name="present"' not in page, "no checklist before the event"
    starts = event.starts_at.astimezone(PARIS)
    assert (f"Les présences pourront être relevées à partir du {starts.day} "
            in page) and "à 11 h (début de l'événement)" in page
    assert "Feuille d'émargement" in page, "the sheet to print, meanwhile"
    assert " %" not in figures_section(admin_client.get(f"/admin/evenements/{event.id}").text)


def test_the_service_refuses_before_the_start_and_accepts_from_it(app):
    event = webinar_in_three_months(2)
    first, second = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    with pytest.raises(AttendanceRefused, match="pas encore commencé"):
        mark_attendance(event, {first.id}, event.starts_at - timedelta(minutes=1))
    assert (first.attended, second.attended) == (None, None)
    assert mark_attendance(event, {first.id}, event.starts_at) == 1
    assert (first.attended, second.attended) == (True, False)
    event.status = "cancelled"
    with pytest.raises(AttendanceRefused, match="annulé"):
        mark_attendance(event, set(), event.ends_at)


def test_attendance_stored_for_an_event_not_started_counts_nowhere(app, admin_client):
    """An event moved later after its attendance was marked (or marked before the rule): its
    figures, its export, the member's parcours and the welcome-module filter say nothing."""
    welcome = under_way(make_event(kind=EventKind.WELCOME_MODULE, title="Intégrer le réseau"))
    db.session.add(Registration(event_id=welcome.id, person_id=make_member().id,
                                status="registered", attended=True, seq=1))
    absent = make_member(email="basile@exemple.fr", last_name="Bernard")
    db.session.add(Registration(event_id=welcome.id, person_id=absent.id,
                                status="registered", attended=False, seq=2))
    db.session.commit()
    anne = db.session.scalar(select(Registration).where(Registration.seq == 1)).person
    assert event_figures([welcome.id], utcnow())[welcome.id].attendance_rate == 0.5
    assert parcours(anne, utcnow()).welcome_done

    welcome.starts_at += timedelta(days=60)  # postponed
    welcome.ends_at += timedelta(days=60)
    db.session.commit()
    figures = event_figures([welcome.id], utcnow())[welcome.id]
    assert (figures.registered, figures.attended, figures.marked) == (2, 0, 0)
    assert figures.attendance_rate is None
    assert " %" not in figures_section(admin_client.get(f"/admin/evenements/{welcome.id}").text)
    row = re.search(r"Intégrer le réseau</a>.*?</tr>", admin_client.get("/admin/evenements").text,
                    re.S).group()
    assert re.findall(r'<td class="text-end">([^<]*)</td>', row)[-1] == "—"
    assert [row["Présence"] for row in export_rows(admin_client, welcome)] == ["", ""]
    assert not parcours(anne, utcnow()).welcome_done
    not_welcomed = db.session.scalars(filtered_people(PersonFilter(
        statuses=[Status.MEMBER], without_welcome_module=True))).all()
    assert anne in not_welcomed


def test_the_list_and_the_event_page_show_the_rate_once_started(admin_client):
    event = under_way(make_event(title="Atelier en cours"))
    db.session.add_all([Registration(event_id=event.id, person_id=make_member(
        email=f"p{n}@exemple.fr").id, status="registered", seq=n) for n in range(4)])
    db.session.commit()
    ids = db.session.scalars(select(Registration.id).order_by(Registration.id)).all()
    assert "taux de présence" in admin_client.get(f"/admin/evenements/{event.id}").text
    assert " %" not in figures_section(admin_client.get(f"/admin/evenements/{event.id}").text)
    admin_client.post(f"/admin/evenements/{event.id}/presences", data={"present": ids[:3]})
    assert "75 %" in figures_section(admin_client.get(f"/admin/evenements/{event.id}").text)
    assert db.session.scalar(select(AuditEntry.detail).where(
        AuditEntry.action == "event.attendance")) == "Atelier en cours : 3 sur 4"


# --- People who came without registering --------------------------------------------------------

def test_a_member_found_by_name_without_javascript_is_added_present_though_full(admin_client):
    event = make_event(capacity=1, title="Atelier complet")
    paul = make_member(email="paul.durand@exemple.fr", first_name="Paul", last_name="Durand",
                       organisation="Carsat Midi-Pyrénées")
    [anne_registration] = registered_to(event, make_member())
    under_way(event)

    attendance = admin_client.get(f"/admin/evenements/{event.id}/presences").text
    assert f'action="/admin/evenements/{event.id}/presences/sur-place"' in attendance
    found = admin_client.get(f"/admin/evenements/{event.id}/presences/sur-place?q=durand").text
    assert "1 membre trouvé" in found and "Carsat Midi-Pyrénées" in found
    assert f'name="person" value="{paul.id}"' in found
    assert "Anne" not in found.split('id="membre"')[1].split("</section>")[0]
    accents = admin_client.get(f"/admin/evenements/{event.id}/presences/sur-place?q=PYRENEES")
    assert f'value="{paul.id}"' in accents.text, "accents and case aside"
    nobody = admin_client.get(f"/admin/evenements/{event.id}/presences/sur-place?q=zzz").text
    assert "Aucun membre ne correspond à « zzz »" in nobody

    member_url = f"/admin/evenements/{event.id}/presences/sur-place/membre"
    for bad in ("", "abc", "2147483648", str(paul.id + 1000)):
        page = admin_client.post(member_url, data={"person": bad}, follow_redirects=True).text
        assert "Choisissez un membre dans les résultats de la recherche." in page
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    page = admin_client.post(member_url, data={"person": paul.id}, follow_redirects=True).text
    assert "Paul Durand est ajouté·e comme présent·e (venu·e sans inscription)." in page
    walk_in = db.session.scalar(select(Registration).where(Registration.person_id == paul.id))
    assert (walk_in.status, walk_in.attended, walk_in.walk_in) == ("registered", True, True)
    assert anne_registration.attended is None, "the others are still to be checked"
    checklist = page.split('class="attendance-list"')[1].split("</form>")[0]
    assert re.search(rf'value="{walk_in.id}"[^>]*checked', checklist)
    assert "venu·e sans inscription" in checklist
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.walk_in"))
    assert (audit.person_id, audit.detail) == (paul.id, "Atelier complet : un membre")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == paul.email, OutboxMessage.template.startswith("event_"))) \
        == 0, "no e-mail to someone in the room"

    admin_client.post(f"/admin/evenements/{event.id}/presences/sur-place/membre",
                      data={"person": paul.id})
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.person_id == paul.id)) == 1, "twice: still one registration"
    rows = {row["E-mail"]: row for row in export_rows(admin_client, event)}
    assert (rows[paul.email]["Présence"], rows[paul.email]["Sans inscription préalable"]) == (
        "présent", "oui")
    assert rows["anne.martin@exemple.fr"]["Sans inscription préalable"] == ""
    detail = admin_client.get(f"/admin/evenements/{event.id}").text
    assert "2<span" in figures_section(detail) and "/ 1" in figures_section(detail)


def test_already_registered_is_only_marked_present_and_the_waiting_list_comes_in(app):
    event = make_event(capacity=1)
    anne, basile = make_member(), make_member(email="basile@exemple.fr", last_name="Bernard")
    placed, waiting = registered_to(event, anne, basile)
    assert waiting.status == "waiting"
    under_way(event)
    result = add_walk_in_member(event, anne, utcnow())
    assert result.was_registered and result.registration.id == placed.id
    assert (placed.attended, placed.walk_in) == (True, False)
    result = add_walk_in_member(event, basile, utcnow())
    assert not result.was_registered and result.registration.id == waiting.id
    assert (waiting.status, waiting.attended, waiting.walk_in) == ("registered", True, True)


def test_a_guest_is_added_once_and_a_known_address_is_that_person(app, admin_client):
    event = make_event(capacity=2, audience=Audience.PUBLIC)
    # Zoé asked for a place and never confirmed her address.
    zoe = request_guest_registration(event, "Zoé Invitée", "zoe@exemple.fr", "", utcnow())
    under_way(event)
    url = f"/admin/evenements/{event.id}/presences/sur-place/invite"
    refused = admin_client.post(url, data={"name": "", "email": "pas-une-adresse"})
    assert refused.status_code == 400
    assert "Ce champ est obligatoire." in refused.text
    assert "Saisissez une adresse e-mail valide" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1

    admin_client.post(url, data={"name": "Bruno Lacaze", "organisation": "SPST 81"})
    admin_client.post(url, data={"name": "bruno  LACAZE", "organisation": ""})
    bruno = db.session.scalar(select(Registration).where(Registration.guest_email.is_(None)))
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2, "once"
    assert (bruno.guest_name, bruno.guest_organisation, bruno.guest_email) == (
        "Bruno Lacaze", "SPST 81", None)
    assert (bruno.status, bruno.attended, bruno.walk_in) == ("registered", True, True)
    audit = db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "event.walk_in"))
    assert "Bruno" not in audit, "a guest's name stays out of the journal (it is erased later)"

    paul = make_member(email="paul.durand@exemple.fr", first_name="Paul", last_name="Durand")
    admin_client.post(url, data={"name": "Paul D.", "email": "Paul.Durand@exemple.fr"})
    assert db.session.scalar(select(Registration).where(
        Registration.person_id == paul.id)).walk_in, "a member's address: the member"
    admin_client.post(url, data={"name": "Zoé I.", "email": "zoe@exemple.fr"})
    assert (zoe.status, zoe.attended, zoe.guest_name) == ("registered", True, "Zoé Invitée")
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 3


def test_nobody_comes_in_before_the_start(admin_client):
    event = make_event()
    paul = make_member(email="paul.durand@exemple.fr", first_name="Paul", last_name="Durand")
    with pytest.raises(AttendanceRefused):
        add_walk_in_guest(event, "Bruno Lacaze", "", "", utcnow())
    page = admin_client.post(f"/admin/evenements/{event.id}/presences/sur-place/membre",
                             data={"person": paul.id}, follow_redirects=True).text
    assert "pas encore commencé" in page
    admin_client.post(f"/admin/evenements/{event.id}/presences/sur-place/invite",
                      data={"name": "Bruno Lacaze"})
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    response = admin_client.get(f"/admin/evenements/{event.id}/presences/sur-place")
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/evenements/{event.id}/presences")


def test_a_guest_added_at_the_door_is_erased_after_the_event_like_the_others(app):
    event = under_way(make_event(audience=Audience.PUBLIC))
    bruno = add_walk_in_guest(event, "Bruno Lacaze", "SPST 81", "", utcnow()).registration
    db.session.commit()
    days = app.config["GUEST_RETENTION_DAYS"]
    assert purge_past_guests(event.ends_at + timedelta(days=days - 1)) == 0
    assert purge_past_guests(event.ends_at + timedelta(days=days, minutes=1)) == 1
    db.session.expire_all()
    assert (bruno.guest_name, bruno.guest_organisation, bruno.attended) == (None, None, True)


# --- The sign-in sheet --------------------------------------------------------------------------

def test_the_sign_in_sheet_is_printed_beforehand_sorted_by_last_name(app, admin_client):
    event = make_event(capacity=None, audience=Audience.PUBLIC, mode=EventMode.IN_PERSON,
                       address="Aract Occitanie, 12 rue de l'Europe, 31000 Toulouse",
                       online_url=None)
    people = [make_member(email="e@exemple.fr", first_name="Émilie", last_name="Écrivain",
                          organisation="Dreets Occitanie"),
              make_member(email="c@exemple.fr", first_name="Luc", last_name="de Castelnau"),
              make_member(email="d@exemple.fr", first_name="Anne", last_name="Durand"),
              make_member(email="a@exemple.fr", first_name="Zoé", last_name="Abadie")]
    registered_to(event, *people)
    guest = request_guest_registration(event, "Jean-Marc Fabre", "jm@exemple.fr", "MSA", utcnow())
    from network.events.services import confirm_guest_registration
    confirm_guest_registration(guest, utcnow())
    request_guest_registration(event, "Non Confirmé", "nc@exemple.fr", "", utcnow())
    db.session.commit()

    detail = admin_client.get(f"/admin/evenements/{event.id}").text
    sheet_url = f"/admin/evenements/{event.id}/emargement"
    assert f'href="{sheet_url}"' in detail
    assert f'href="{sheet_url}"' in admin_client.get(f"/admin/evenements/{event.id}/presences").text
    response = admin_client.get(sheet_url)
    assert response.status_code == 200
    page = response.text
    assert "site-header" not in page and "site-footer" not in page
    assert "Navigation principale" not in page and 'aria-label="Administration"' not in page
    assert "Réseau des intervenants QVT en Occitanie" in page
    assert "Atelier « Télétravail et QVT »" in page and "lundi 30 novembre 2026" in page
    assert "Aract Occitanie, 12 rue de l'Europe, 31000 Toulouse" in page
    header = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert header == ["Nom", "Prénom", "Structure", "Signature"]
    rows = [[html.unescape(cell) for cell in re.findall(r"<td>([^<]*)</td>", row)]
            for row in re.findall(
        r"<tr>(<td>.*?)</tr>", page.split("<tbody>")[1])]
    assert [row[:3] for row in rows] == [
        ["Abadie", "Zoé", "Cabinet Travail & Santé"],
        ["de Castelnau", "Luc", "Cabinet Travail & Santé"],
        ["Durand", "Anne", "Cabinet Travail & Santé"],
        ["Écrivain", "Émilie", "Dreets Occitanie"],
        ["Fabre", "Jean-Marc", "MSA"]], "French order; the unconfirmed guest has no place"
    assert page.count('<tr class="sheet-blank">') == app.config["SIGN_IN_SHEET_BLANK_ROWS"]
    assert "5 personnes inscrites" in page

    app.config["SIGN_IN_SHEET_BLANK_ROWS"] = 3
    remote = make_event(title="Webinaire", mode=EventMode.REMOTE)
    page = admin_client.get(f"/admin/evenements/{remote.id}/emargement").text
    assert "<dd>À distance</dd>" in page and "0 personne inscrite" in page
    assert page.count('<tr class="sheet-blank">') == 3
    assert admin_client.get("/admin/evenements/2147483648/emargement").status_code == 404
