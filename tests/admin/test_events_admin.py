"""The back-office of the events: write, publish, invite, follow, mark who came."""

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.events.attendance import mark_attendance
from network.events.models import (
    Event,
    EventInvitation,
    EventKind,
    EventStatus,
    Registration,
)
from network.events.services import register_member, request_guest_registration
from network.extensions import db, utcnow
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.factories import make_member
from tests.support.queries import count_queries
from tests.support.smtp import text_of

FORM = {"title": "Webinaire : la QVT et le télétravail", "kind": "webinaire", "themes":
        "Télétravail, Organisation du travail, télétravail", "summary": "Une heure d'échanges.",
        "description": "## Programme\n\n- Tour de table", "starts_at": "2027-03-29T11:00",
        "ends_at": "2027-03-29T12:30", "mode": "distance", "address": "",
        "online_url": "https://visio.exemple.fr/webinaire", "capacity": "50",
        "registration_opens_at": "", "registration_closes_at": "", "audience": "public"}


@pytest.fixture(autouse=True)
def no_renewal_campaign(app):
    app.config["RENEWAL_OPENS"] = "06-01"


def soon(days=7):
    return (utcnow() + timedelta(days=days)).astimezone(PARIS).replace(
        hour=14, minute=0, second=0, microsecond=0)


def members_registered(event, count, first=0):
    people = [make_member(email=f"m{n}@exemple.fr", first_name=f"Membre{n}")
              for n in range(first, first + count)]
    for person in people:
        register_member(event, person, utcnow())
    db.session.commit()
    return people


def test_create_a_draft_in_paris_time_then_publish_it(admin_client):
    response = admin_client.post("/admin/evenements/nouveau", data=FORM)
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.status == EventStatus.DRAFT
    # 29 March 2027 is summer time: 11:00 in Paris is 09:00 UTC.
    assert event.starts_at.astimezone(PARIS).hour == 11
    assert event.starts_at.utcoffset() is not None
    assert event.starts_at.astimezone(PARIS).utcoffset() == timedelta(hours=2)
    assert event.theme_names == ["Organisation du travail", "Télétravail"]
    assert admin_client.get("/evenements").text.count(FORM["title"]) == 0, "a draft is hidden"
    admin_client.post(f"/admin/evenements/{event.id}/publier")
    assert event.status == EventStatus.PUBLISHED
    assert FORM["title"] in admin_client.get("/evenements").text


def test_the_form_says_what_is_wrong_next_to_each_field(admin_client):
    bad = dict(FORM, title="", ends_at="2027-03-29T10:00", mode="hybride", address="",
               online_url="pas-un-lien", capacity="0",
               registration_closes_at="2027-03-30T10:00")
    response = admin_client.post("/admin/evenements/nouveau", data=bad)
    assert response.status_code == 400
    page = response.text
    for message in ("Ce champ est obligatoire.", "La fin doit suivre le début.",
                    "Indiquez l'adresse du lieu.", "Saisissez une adresse complète",
                    "Au moins une place.",
                    "Les inscriptions ferment au plus tard au début de l'événement."):
        assert message in page, message
    assert 'value="Webinaire' not in page and "Une heure d&#39;échanges." in page, "kept"
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_moving_a_published_event_tells_the_registered(admin_client, smtp):
    from network.scheduler.tick import run_tick

    event = make_event(starts=soon())
    anne, = members_registered(event, 1)
    data = dict(FORM, title=event.title, kind="atelier", mode="distance", capacity="10",
                audience="membres", starts_at=soon(8).strftime("%Y-%m-%dT%H:%M"),
                ends_at=(soon(8) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                online_url=event.online_url)
    page = admin_client.post(f"/admin/evenements/{event.id}/modifier", data=data,
                             follow_redirects=True).text
    assert "Modification annoncée par e-mail à 1 personne" in page
    run_tick(utcnow())
    [change] = [m for m in smtp.to(anne.email) if m["Subject"].startswith("Modification")]
    assert "la date devient" in text_of(change)
    # Changing only the summary tells nobody.
    admin_client.post(f"/admin/evenements/{event.id}/modifier", data=dict(data, summary="x"))
    run_tick(utcnow())
    assert len([m for m in smtp.to(anne.email) if m["Subject"].startswith("Modif")]) == 1


def test_duplicate_makes_a_draft_copy_without_registrations(admin_client):
    event = make_event(starts=soon())
    members_registered(event, 2)
    response = admin_client.post(f"/admin/evenements/{event.id}/dupliquer")
    copy = db.session.scalar(select(Event).where(Event.id != event.id))
    assert response.location.endswith(f"/admin/evenements/{copy.id}/modifier")
    assert (copy.title, copy.status, copy.capacity) == (event.title, "draft", event.capacity)
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == copy.id)) == 0


def test_cancelling_needs_the_box_then_tells_everyone(admin_client, smtp):
    from network.scheduler.tick import run_tick

    event = make_event(capacity=1, starts=soon())
    members_registered(event, 2)
    page = admin_client.post(f"/admin/evenements/{event.id}/annuler",
                             follow_redirects=True).text
    assert "Cochez la case pour confirmer l'annulation." in page
    assert event.status == EventStatus.PUBLISHED
    page = admin_client.post(f"/admin/evenements/{event.id}/annuler", data={"confirm": "y"},
                             follow_redirects=True).text
    assert "2 personnes prévenues par e-mail" in page
    run_tick(utcnow())
    assert Counter(m["To"] for m in smtp.messages if m["Subject"].startswith("Annulé")) == \
        Counter({"m0@exemple.fr": 1, "m1@exemple.fr": 1})


def test_attendance_checklist_saves_and_feeds_the_figures(admin_client):
    event = make_event(capacity=3, starts=soon(-2))  # past: attendance is marked afterwards
    event.registration_closes_at = None
    db.session.commit()
    for n in range(3):
        person = make_member(email=f"p{n}@exemple.fr", last_name=f"Nom{n}")
        db.session.add(Registration(event_id=event.id, person_id=person.id,
                                    status="registered", seq=n + 1))
    db.session.commit()
    registrations = db.session.scalars(select(Registration.id).order_by(Registration.id)).all()
    page = admin_client.get(f"/admin/evenements/{event.id}/presences").text
    assert page.count('name="present"') == 3
    admin_client.post(f"/admin/evenements/{event.id}/presences",
                      data={"present": [str(registrations[0]), str(registrations[2])]})
    attended = db.session.scalars(select(Registration.attended).order_by(Registration.id)).all()
    assert attended == [True, False, True]
    detail = admin_client.get(f"/admin/evenements/{event.id}").text
    assert "67 %" in detail
    export = admin_client.get(f"/admin/evenements/{event.id}/export.csv").data.decode(
        "utf-8-sig")
    assert [row["Présence"] for row in csv.DictReader(io.StringIO(export), delimiter=";")] == [
        "présent", "absent", "présent"]


def test_the_event_page_and_the_csv_list_the_registered_then_the_waiting_list(admin_client):
    event = make_event(capacity=1, starts=soon(), audience="public")
    request_guest_registration(event, "Gaëlle Externe", "gaelle@exemple.fr", "=1+1", utcnow())
    members_registered(event, 3)
    page = admin_client.get(f"/admin/evenements/{event.id}").text
    table = page.split('id="inscriptions"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert [re.sub(r"<[^>]+>|\s+", " ", row).split()[:2] for row in rows] == [
        ["Membre0", "Martin"], ["Membre1", "Martin"], ["Membre2", "Martin"],
        ["Gaëlle", "Externe"]]
    assert "Inscrit·e" in rows[0] and "Liste d'attente (1)" in rows[1] \
        and "Liste d'attente (2)" in rows[2] and "Adresse à confirmer" in rows[3]
    assert "<td>membre</td>" in rows[0] and "<td>externe</td>" in rows[3]
    response = admin_client.get(f"/admin/evenements/{event.id}/export.csv")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="inscriptions-evenement-{event.id}.csv"'
    header, *lines = csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";")
    assert header == ["Nom", "E-mail", "Structure", "Membre ou externe", "État",
                      "Position en liste d'attente", "Inscrit le", "Présence",
                      "Sans inscription préalable"]
    assert [(line[1], line[3], line[4], line[5]) for line in lines] == [
        ("m0@exemple.fr", "membre", "Inscrit·e", ""),
        ("m1@exemple.fr", "membre", "Liste d'attente", "1"),
        ("m2@exemple.fr", "membre", "Liste d'attente", "2"),
        ("gaelle@exemple.fr", "externe", "Adresse à confirmer", "")]
    assert lines[3][2] == "'=1+1", "a formula is never run by the spreadsheet"


def test_materials_are_added_announced_and_removed(admin_client, smtp):
    from network.scheduler.tick import run_tick

    event = make_event(starts=soon())
    anne, basile = members_registered(event, 2)
    # Held since this morning: attendance is marked once an event has started.
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    mark_attendance(event, {db.session.scalar(select(Registration.id).where(
        Registration.person_id == anne.id))}, utcnow())
    db.session.commit()
    page = admin_client.post(f"/admin/evenements/{event.id}/supports",
                             data={"title": "Diaporama",
                                   "url": "ftp://fichiers.exemple.fr/diaporama.pdf"},
                             follow_redirects=True).text
    assert "Support non ajouté" in page
    admin_client.post(f"/admin/evenements/{event.id}/supports",
                      data={"title": "Replay", "url": "https://video.exemple.fr/replay",
                            "announce": "y"})
    run_tick(utcnow())
    told = [m["To"] for m in smtp.messages if m["Subject"].startswith("Supports")]
    assert told == [anne.email], "those who came, once their attendance is marked"
    assert "https://video.exemple.fr/replay" in admin_client.get(f"/evenements/{event.id}").text
    material_id = event.materials[0].id
    admin_client.post(f"/admin/evenements/{event.id}/supports/{material_id}/supprimer")
    assert "video.exemple.fr" not in admin_client.get(f"/evenements/{event.id}").text
    assert admin_client.post(
        f"/admin/evenements/{event.id}/supports/99999/supprimer").status_code == 404


def test_invite_shows_the_count_then_the_tick_invites_that_segment_only(admin_client, smtp):
    from network.scheduler.tick import run_tick

    welcome = make_event(kind=EventKind.WELCOME_MODULE, title="Intégrer le réseau",
                         starts=soon(-30))
    event = make_event(kind=EventKind.WELCOME_MODULE, title="Intégrer le réseau (session 2)",
                       starts=soon())
    anne = make_member(email="anne@exemple.fr")
    basile = make_member(email="basile@exemple.fr")
    db.session.add(Registration(event_id=welcome.id, person_id=anne.id, status="registered",
                                attended=True))
    db.session.commit()
    url = f"/admin/evenements/{event.id}/inviter"
    preview = admin_client.post(url, data={"without_welcome_module": "y"}).text
    assert "<strong>1 membre</strong>" in preview
    assert db.session.scalar(select(func.count()).select_from(EventInvitation)) == 0
    admin_client.post(url, data={"without_welcome_module": "y", "confirm": "y"})
    run_tick(utcnow())
    run_tick(utcnow())
    invited = [m["To"] for m in smtp.messages if m["Subject"].startswith("Invitation")]
    assert invited == [basile.email]
    assert "(en cours)" not in admin_client.get(url).text
    draft = make_event(publish=False)
    refused = admin_client.get(f"/admin/evenements/{draft.id}/inviter", follow_redirects=True)
    assert "Publiez l'événement avant d'inviter les membres." in refused.text


def test_lists_use_a_constant_number_of_queries(admin_client):
    event = make_event(starts=soon())
    members_registered(event, 2)
    few = (count_queries(admin_client, "/admin/evenements"),
           count_queries(admin_client, f"/admin/evenements/{event.id}"))
    members_registered(event, 12, first=2)
    for n in range(8):
        make_event(title=f"Autre {n}", starts=soon(n))
    assert (count_queries(admin_client, "/admin/evenements"),
            count_queries(admin_client, f"/admin/evenements/{event.id}")) == few


def test_unknown_events_are_a_french_404(admin_client):
    for url in ("/admin/evenements/9999", "/admin/evenements/9999/modifier",
                "/admin/evenements/9999/presences", "/admin/evenements/9999/export.csv"):
        response = admin_client.get(url)
        assert response.status_code == 404 and "Page introuvable" in response.text


def test_members_who_have_not_done_the_welcome_module(admin_client):
    welcome = make_event(kind=EventKind.WELCOME_MODULE, title="Intégrer le réseau",
                         starts=soon(-30))
    anne = make_member(email="anne@exemple.fr", last_name="Arnaud")
    make_member(email="basile@exemple.fr", last_name="Bernard")
    db.session.add(Registration(event_id=welcome.id, person_id=anne.id, status="registered",
                                attended=True))
    db.session.commit()
    page = admin_client.get("/admin/membres?sans_accueil=y").text
    assert "Bernard" in page and "Arnaud" not in page
    [box] = re.findall(r'<input[^>]*name="sans_accueil"[^>]*>', page)
    assert "checked" in box
    assert "Arnaud" in admin_client.get("/admin/membres").text
