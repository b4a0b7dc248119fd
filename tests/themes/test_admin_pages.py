"""The back-office of the calls for themes: open, close, the ranking, moderation, workshops."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.admin.models import AuditEntry
from network.events.models import Event, EventKind, EventStatus
from network.extensions import db
from network.themes.models import ThemeProposal, ThemeRound
from tests.admin.test_menu_current import marked
from tests.support.bad_input import event_form
from tests.themes.helpers import NOW, make_round, member, propose, signed_in_as, vote

ROUNDS = "/admin/evenements/appels-a-themes"


# What these pages show comes from the templates and the services, whose own tests run on both
# databases: the pages are read once, on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def round_form(**overrides) -> dict:
    form = {"title": "Appel à thèmes des ateliers 2027", "introduction": "Proposez !",
            "votes_per_member": "3", "opens_at": "2026-11-23T09:00",
            "closes_at": "2026-12-14T18:00"}
    return {**form, **overrides}


def test_the_calls_are_found_from_the_events_in_their_menu_item(admin_client):
    events = admin_client.get("/admin/evenements").text
    assert f'href="{ROUNDS}">Appels à thèmes</a>' in events
    for path in (ROUNDS, f"{ROUNDS}/nouveau"):
        assert marked(admin_client.get(path).text) == {"Événements": "true"}, path


def test_an_admin_opens_a_round_in_paris_time(admin_client):
    page = admin_client.get(f"{ROUNDS}/nouveau").text
    # Opening now (9 h in Paris), closing three weeks later at 18 h, 3 votes each.
    assert 'value="2026-11-23T09:00"' in page and 'value="2026-12-14T18:00"' in page
    assert re.search(r'name="votes_per_member"[^>]*value="3"', page)
    response = admin_client.post(f"{ROUNDS}/nouveau", data=round_form())
    theme_round = db.session.scalar(select(ThemeRound))
    assert response.headers["Location"] == f"{ROUNDS}/{theme_round.id}"
    assert theme_round.opens_at == NOW and theme_round.closes_at.isoformat() \
        == "2026-12-14T17:00:00+00:00"
    assert theme_round.created_by == "admin@gt-qvt.fr"
    page = admin_client.get(response.headers["Location"]).text
    assert "Il est ouvert : les membres le voient sur l'accueil et dans leur espace." in page
    assert "Ouvert jusqu'au 14 décembre 2026 à 18 h" in page
    assert "Appel à thèmes ouvert" in admin_client.get("/admin/journal").text


def test_a_second_open_round_and_bad_dates_are_refused_next_to_their_fields(admin_client):
    make_round()
    response = admin_client.post(f"{ROUNDS}/nouveau", data=round_form(title="Autre"))
    assert response.status_code == 400
    assert re.search(r'id="opens_at-erreur"[^>]*>\s*<span>Un autre appel à thèmes', response.text)
    response = admin_client.post(f"{ROUNDS}/nouveau", data=round_form(
        opens_at="2027-01-10T09:00", closes_at="2027-01-01T09:00"))
    assert response.status_code == 400
    assert "La clôture doit suivre l'ouverture." in response.text
    response = admin_client.post(f"{ROUNDS}/nouveau", data=round_form(
        opens_at="2027-01-10T09:00", closes_at="2027-01-20T09:00", votes_per_member="0"))
    assert "Entre 1 et 20 votes." in response.text
    assert len(db.session.scalars(select(ThemeRound)).all()) == 1


def test_an_admin_edits_then_closes_a_round(admin_client):
    theme_round = make_round()
    response = admin_client.post(f"{ROUNDS}/{theme_round.id}/modifier",
                                 data=round_form(title="Ateliers 2027 : vos thèmes",
                                                 votes_per_member="4"))
    assert response.status_code == 302
    assert (theme_round.title, theme_round.votes_per_member) == ("Ateliers 2027 : vos thèmes", 4)
    # Without the confirmation, nothing.
    admin_client.post(f"{ROUNDS}/{theme_round.id}/clore")
    assert "Cochez la case pour confirmer la clôture." in admin_client.get(
        f"{ROUNDS}/{theme_round.id}").text
    assert theme_round.closed_at is None
    admin_client.post(f"{ROUNDS}/{theme_round.id}/clore", data={"confirm": "y"})
    db.session.refresh(theme_round)
    assert theme_round.closed_at == NOW
    page = admin_client.get(f"{ROUNDS}/{theme_round.id}").text
    assert "L'appel à thèmes est clos : les votes sont arrêtés" in page
    assert "Clos le 23 novembre 2026 à 9 h" in page and "Modifier</a>" not in page
    # Closed: the form sends back to the round.
    response = admin_client.get(f"{ROUNDS}/{theme_round.id}/modifier")
    assert response.headers["Location"] == f"{ROUNDS}/{theme_round.id}"
    assert "Appel à thèmes clos" in admin_client.get("/admin/journal").text


def test_the_ranking_shows_votes_and_who_proposed_to_admins_only(app, admin_client):
    theme_round = make_round()
    anne, paul = member("Anne"), member("Paul", "Durand")
    remote = propose(theme_round, anne, "Télétravail")
    workload = propose(theme_round, paul, "Charge de travail")
    for proposal, person in ((workload, anne), (workload, paul), (remote, paul)):
        vote(proposal, person)
    page = admin_client.get(f"{ROUNDS}/{theme_round.id}").text
    assert page.index("Charge de travail") < page.index("Télétravail")
    assert f'href="/admin/membres/{paul.id}">Paul Durand</a>' in page
    assert f'href="/admin/membres/{anne.id}">Anne Martin</a>' in page
    assert "2 membres ont voté" in page
    assert f'href="/admin/evenements/nouveau?theme={remote.id}">Créer l\'atelier' in page
    listing = admin_client.get(ROUNDS).text
    assert re.search(r"Appel à thèmes des ateliers 2027</a></td>\s*<td>Ouvert jusqu'au 7 "
                     r"décembre 2026 à 9 h</td>\s*<td[^>]*>2</td>\s*<td[^>]*>3</td>", listing)
    # Members never see names.
    member_page = signed_in_as(app, anne).get("/espace/themes").text
    assert "Paul Durand" not in member_page and "Durand" not in member_page


def test_an_admin_hides_an_inappropriate_proposal_in_the_journal(app, admin_client):
    theme_round = make_round()
    anne, paul = member("Anne"), member("Paul")
    spam = propose(theme_round, paul, "Achetez mes formations")
    vote(spam, anne)
    admin_client.post(f"{ROUNDS}/propositions/{spam.id}/masquer")
    page = admin_client.get(f"{ROUNDS}/{theme_round.id}").text
    assert ("La proposition « Achetez mes formations » est masquée aux membres ; 1 vote rendu à "
            "leurs auteurs.") in page
    assert "Propositions masquées" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "themes.hide"))
    assert entry.person_id == paul.id
    assert "Proposition de thème masquée" in admin_client.get("/admin/journal").text
    assert "Achetez" not in signed_in_as(app, anne).get("/espace/themes").text
    # Its author is told it was taken out.
    assert "Votre proposition « Achetez mes formations » a été retirée par le GT QVT." in \
        signed_in_as(app, paul).get("/espace/themes").text
    admin_client.post(f"{ROUNDS}/propositions/{spam.id}/retablir")
    assert "est de nouveau visible" in admin_client.get(f"{ROUNDS}/{theme_round.id}").text
    assert spam.hidden_at is None


def test_create_the_workshop_opens_the_event_form_prefilled(app, admin_client):
    theme_round = make_round()
    anne = member("Anne")
    theme = propose(theme_round, anne, "Prévenir l'usure professionnelle, les fins de carrière",
                    "Comment accompagner les fins de carrière ?")
    page = admin_client.get(f"/admin/evenements/nouveau?theme={theme.id}").text
    assert re.search(r'<option selected value="atelier">Atelier thématique</option>', page)
    assert 'value="Prévenir l\'usure professionnelle, les fins de carrière"' in \
        page.replace("&#39;", "'")
    assert "Comment accompagner les fins de carrière ?</textarea>" in page.replace("&#39;", "'")
    assert re.search(r'name="themes"[^>]*value="Prévenir l\'usure professionnelle"',
                     page.replace("&#39;", "'"))
    assert "l'atelier n'est créé qu'à l'enregistrement" in page
    # Opening the form created nothing.
    assert db.session.scalar(select(Event)) is None and theme.event_id is None

    response = admin_client.post(f"/admin/evenements/nouveau?theme={theme.id}", data=event_form(
        title="Atelier : prévenir l'usure professionnelle", kind="atelier",
        themes="Usure professionnelle"))
    event = db.session.scalar(select(Event))
    assert response.headers["Location"] == f"/admin/evenements/{event.id}"
    assert (event.kind, event.status) == (EventKind.WORKSHOP, EventStatus.DRAFT)
    db.session.refresh(theme)
    assert theme.event_id == event.id
    page = admin_client.get(f"{ROUNDS}/{theme_round.id}").text
    assert (f'Devenu l\'atelier <a href="/admin/evenements/{event.id}">Atelier : prévenir '
            "l'usure professionnelle</a>") in page.replace("&#39;", "'")
    assert "Thème devenu un atelier" in admin_client.get("/admin/journal").text
    # Once is enough: the link leads to the workshop.
    again = admin_client.get(f"/admin/evenements/nouveau?theme={theme.id}")
    assert again.headers["Location"] == f"/admin/evenements/{event.id}"


def test_a_refused_event_form_keeps_the_theme(admin_client):
    theme = propose(make_round(), member("Anne"), "Télétravail")
    response = admin_client.post(f"/admin/evenements/nouveau?theme={theme.id}",
                                 data=event_form(starts_at=""))
    assert response.status_code == 400
    assert "Atelier préparé à partir du thème « Télétravail »" in response.text
    assert db.session.scalar(select(Event)) is None


def test_a_theme_value_that_names_nothing_gives_the_empty_form(admin_client):
    hidden = propose(make_round(), member("Anne"), "Masqué")
    hidden.hidden_at = NOW
    db.session.commit()
    for value in ("abc", "2147483648", "-1", str(hidden.id), "999"):
        page = admin_client.get(f"/admin/evenements/nouveau?theme={value}")
        assert page.status_code == 200 and "Atelier préparé" not in page.text, value


def test_a_round_planned_later_is_not_open_yet(admin_client):
    later = make_round(opens=NOW + timedelta(days=5), closes=NOW + timedelta(days=19))
    page = admin_client.get(f"{ROUNDS}/{later.id}").text
    assert "S'ouvrira le 28 novembre 2026 à 9 h" in page
    assert "Clore l'appel maintenant" not in page
    assert db.session.scalar(select(ThemeProposal)) is None
