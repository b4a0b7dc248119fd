"""The members' pages of a call for themes: /espace/themes, the home page and the space's."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.themes import services, workshops
from network.themes.models import ThemeProposal, ThemeVote
from tests.events.helpers import make_event
from tests.factories import make_applicant
from tests.themes.helpers import CLOSES, NOW, make_round, member, propose, signed_in_as

# What these pages show comes from the templates and the services, whose own tests run on both
# databases: the pages are read once, on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def anne(app):
    return member("Anne")


@pytest.fixture
def open_round(app):
    return make_round(introduction="Les **ateliers 2027** se choisissent ici.")


def votes(person) -> int:
    return db.session.scalar(select(func.count()).select_from(ThemeVote).where(
        ThemeVote.person_id == person.id))


def test_strangers_are_sent_to_the_sign_in_and_nothing_changes(client, open_round, anne):
    proposal = propose(open_round, anne, "Télétravail")
    for path in ("/espace/themes", f"/espace/themes/{open_round.id}"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/connexion"
    for path in (f"/espace/themes/{open_round.id}/proposer",
                 f"/espace/themes/propositions/{proposal.id}/voter"):
        response = client.post(path, data={"title": "Intrus", "description": "x"})
        assert response.headers["Location"] == "/connexion"
    assert votes(anne) == 0
    assert db.session.scalar(select(func.count()).select_from(ThemeProposal)) == 1


def test_an_applicant_is_not_a_member_of_the_space(app, open_round):
    applicant = make_applicant(email="candidat@exemple.fr")
    client = signed_in_as(app, applicant)
    assert client.get("/espace/themes").headers["Location"] == "/connexion"


def test_a_member_proposes_a_theme(app, open_round, anne):
    client = signed_in_as(app, anne)
    page = client.get("/espace/themes")
    assert page.status_code == 200
    assert "Appel à thèmes des ateliers 2027" in page.text
    assert "Ouvert jusqu'au 7 décembre 2026 à 9 h" in page.text
    assert "<strong>ateliers 2027</strong>" in page.text
    assert "Il vous reste 3 votes sur 3." in page.text
    assert "Aucun thème proposé pour l'instant" in page.text

    response = client.post(f"/espace/themes/{open_round.id}/proposer", data={
        "title": "Prévenir l'usure professionnelle", "description": "Les fins de carrière."})
    proposal = db.session.scalar(select(ThemeProposal))
    assert response.headers["Location"] == f"/espace/themes#theme-{proposal.id}"
    page = client.get("/espace/themes").text
    assert "Votre proposition « Prévenir l'usure professionnelle » est enregistrée" in page
    assert "Votre proposition</p>" in page and "Les fins de carrière." in page
    assert proposal.person_id == anne.id


def test_a_proposal_with_errors_shows_them_next_to_the_fields(app, open_round, anne):
    propose(open_round, member("Paul"), "Télétravail")
    client = signed_in_as(app, anne)
    response = client.post(f"/espace/themes/{open_round.id}/proposer",
                           data={"title": "", "description": "x" * 1001})
    assert response.status_code == 400
    assert 'id="title-erreur"' in response.text and "Ce champ est obligatoire." in response.text
    assert 'id="description-erreur"' in response.text
    response = client.post(f"/espace/themes/{open_round.id}/proposer",
                           data={"title": "TÉLÉTRAVAIL", "description": "Encore"})
    assert response.status_code == 400
    assert "Ce thème est déjà proposé : votez pour lui." in response.text
    assert db.session.scalar(select(func.count()).select_from(ThemeProposal)) == 1


def test_a_member_votes_and_changes_a_vote(app, anne):
    theme_round = make_round(votes=2)
    author = member("Claire")
    remote, workload, dialogue = (propose(theme_round, author, title) for title in (
        "Télétravail", "Charge de travail", "Dialogue social"))
    client = signed_in_as(app, anne)
    vote_url = "/espace/themes/propositions/{}/voter".format
    response = client.post(vote_url(remote.id))
    assert response.headers["Location"] == f"/espace/themes#theme-{remote.id}"
    page = client.get("/espace/themes").text
    assert "Votre vote pour « Télétravail » est enregistré. Il vous reste 1 vote sur 2." in page
    assert "Vous avez voté pour ce thème." in page
    client.post(vote_url(workload.id))
    page = client.get("/espace/themes").text
    assert "Vous avez donné tous vos votes." in page
    assert "Pour voter pour ce thème, retirez d'abord un de vos votes." in page
    # A third vote, sent anyway: refused in French, nothing saved.
    client.post(vote_url(dialogue.id))
    assert "Vous avez déjà donné vos 2 votes : retirez-en un pour voter pour ce thème." in \
        client.get("/espace/themes").text
    assert services.my_votes(theme_round, anne) == {remote.id, workload.id}
    # The vote given to another theme.
    client.post(f"/espace/themes/propositions/{remote.id}/retirer-mon-vote")
    assert "Votre vote pour « Télétravail » est retiré. Il vous reste 1 vote sur 2." in \
        client.get("/espace/themes").text
    client.post(vote_url(dialogue.id))
    assert services.my_votes(theme_round, anne) == {workload.id, dialogue.id}
    # Voting twice for one theme (a double click) is said, not counted.
    client.post(vote_url(dialogue.id))
    assert "Vous avez déjà voté pour ce thème." in client.get("/espace/themes").text
    assert votes(anne) == 2


def test_no_vote_on_a_get(app, open_round, anne):
    proposal = propose(open_round, member("Paul"), "Télétravail")
    client = signed_in_as(app, anne)
    assert client.get(f"/espace/themes/propositions/{proposal.id}/voter").status_code == 405
    assert votes(anne) == 0


def test_after_the_closing_the_page_shows_the_ranking_and_refuses_changes(app):
    theme_round = make_round(opens=NOW - timedelta(days=20), closes=NOW - timedelta(days=1))
    anne, paul = member("Anne"), member("Paul")
    during = theme_round.opens_at + timedelta(days=1)
    remote = services.propose(theme_round, paul, "Télétravail", "Hybride", during)
    workload = services.propose(theme_round, paul, "Charge de travail", "Mesurer", during)
    for proposal, person in ((workload, anne), (workload, paul), (remote, paul)):
        services.vote(proposal, person, during)
    db.session.commit()

    client = signed_in_as(app, anne)
    page = client.get("/espace/themes").text
    assert "Clos le 22 novembre 2026 à 9 h." in page
    assert page.index("1. Charge de travail") < page.index("2. Télétravail")
    assert "2 votes</strong> · dont le vôtre" in page and "1 vote</strong>" in page
    assert "Voter" not in page and "Proposer un thème" not in page
    client.post(f"/espace/themes/propositions/{remote.id}/voter")
    client.post(f"/espace/themes/propositions/{workload.id}/retirer-mon-vote")
    client.post(f"/espace/themes/{theme_round.id}/proposer",
                data={"title": "Tard", "description": "Trop tard"})
    page = client.get("/espace/themes").text
    # Each of the three, refused in French.
    assert page.count("L'appel à thèmes est clos depuis le 22 novembre 2026 à 9 h : les "
                      "propositions et les votes ne sont plus modifiables.") == 3
    assert services.my_votes(theme_round, anne) == {workload.id}
    assert db.session.scalar(select(func.count()).select_from(ThemeProposal)) == 2


def test_the_workshop_a_theme_became_is_linked_for_members(app, anne):
    theme_round = make_round(opens=NOW - timedelta(days=20), closes=NOW - timedelta(days=1))
    proposal = services.propose(theme_round, anne, "Télétravail", "Hybride",
                                theme_round.opens_at)
    db.session.commit()
    event = make_event(title="Atelier télétravail et QVT")
    workshops.link_workshop(proposal, event, "admin@gt-qvt.fr", NOW)
    db.session.commit()
    page = signed_in_as(app, anne).get("/espace/themes").text
    assert f'Devenu l\'atelier <a href="/evenements/{event.id}">Atelier télétravail et QVT</a>' \
        in page
    assert "votre proposition" in page


def test_no_round_says_so_and_a_planned_one_says_when(app, anne):
    client = signed_in_as(app, anne)
    assert "Aucun appel à thèmes pour le moment." in client.get("/espace/themes").text
    later = make_round(opens=NOW + timedelta(days=3), closes=NOW + timedelta(days=20))
    page = client.get("/espace/themes").text
    assert ("Le prochain appel, « Appel à thèmes des ateliers 2027 », s'ouvrira le 26 novembre "
            "2026 à 9 h.") in page
    assert client.get(f"/espace/themes/{later.id}").status_code == 404
    assert client.get("/espace/themes/2147483648").status_code == 404


def test_earlier_rounds_stay_readable(app, anne):
    old = make_round(opens=NOW - timedelta(days=400), closes=NOW - timedelta(days=380),
                     title="Appel 2025")
    make_round()
    client = signed_in_as(app, anne)
    page = client.get("/espace/themes").text
    assert "Autres appels à thèmes" in page and f'/espace/themes/{old.id}">Appel 2025' in page
    old_page = client.get(f"/espace/themes/{old.id}").text
    assert "Clos le" in old_page and "Aucun thème n'a été proposé lors de cet appel." in old_page


def test_after_a_closed_round_the_next_one_is_announced(app, anne):
    make_round(opens=NOW - timedelta(days=30), closes=NOW - timedelta(days=10), title="Appel 2026")
    make_round(opens=NOW + timedelta(days=3), closes=NOW + timedelta(days=20))
    page = signed_in_as(app, anne).get("/espace/themes").text
    assert "Appel 2026" in page and "Clos le" in page
    assert "Le prochain appel, « Appel à thèmes des ateliers 2027 », s'ouvrira le 26 novembre" \
        in page


def test_the_home_page_and_the_space_show_an_open_round(app, client, anne):
    assert "Appel à thèmes ouvert" not in client.get("/").text
    make_round()
    home = client.get("/").text
    assert "Appel à thèmes ouvert jusqu'au 7 décembre 2026 à 9 h : proposez et votez" in home
    assert 'href="/connexion?next=/espace/themes">Me connecter pour proposer et voter' in home
    member_client = signed_in_as(app, anne)
    for path in ("/", "/espace"):
        page = member_client.get(path).text
        assert "Appel à thèmes ouvert jusqu'au 7 décembre 2026 à 9 h" in page, path
        assert 'href="/espace/themes">Proposer et voter' in page, path
    # The space's menu leads there, open or not.
    assert 'href="/espace/themes"' in member_client.get("/espace/coordonnees").text


def test_the_banner_goes_at_the_closing(make_app):
    app = make_app(FROZEN_NOW=CLOSES)
    with app.app_context():
        make_round()
        assert "Appel à thèmes ouvert" not in app.test_client().get("/").text


def test_a_vote_without_its_form_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        theme_round = make_round()
        anne = member("Anne")
        proposal = propose(theme_round, member("Paul"), "Télétravail")
        client = signed_in_as(app, anne)
        assert client.post(f"/espace/themes/propositions/{proposal.id}/voter").status_code == 400
        assert client.post(f"/espace/themes/{theme_round.id}/proposer", data={
            "title": "Sans jeton", "description": "x"}).status_code == 400
        assert votes(anne) == 0
        assert db.session.scalar(select(func.count()).select_from(ThemeProposal)) == 1
