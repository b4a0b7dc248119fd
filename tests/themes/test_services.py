"""The rules of a call for themes, through its services, on both databases."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.extensions import db
from network.members_space.services import anonymise_departed
from network.membership.services import leave_network
from network.themes import services, workshops
from network.themes.models import ThemeProposal, ThemeRound, ThemeVote
from network.themes.services import ThemeError
from tests.conftest import ADMIN_EMAIL
from tests.factories import make_applicant
from tests.themes.helpers import CLOSES, NOW, OPENS, make_round, member, propose, vote


def refusal(call, *args) -> str:
    with pytest.raises(ThemeError) as error:
        call(*args)
    db.session.rollback()
    return error.value.message


def votes_of(person) -> set[str]:
    return set(db.session.scalars(select(ThemeProposal.title).join(
        ThemeVote, ThemeVote.proposal_id == ThemeProposal.id).where(
        ThemeVote.person_id == person.id)))


# --- Rounds ------------------------------------------------------------------------------------

def test_a_round_is_open_from_its_opening_to_its_closing_computed_from_now(app):
    theme_round = make_round()
    assert services.open_round(OPENS - timedelta(seconds=1)) is None
    assert services.open_round(OPENS) == theme_round
    assert services.open_round(CLOSES - timedelta(seconds=1)) == theme_round
    assert services.open_round(CLOSES) is None
    assert theme_round.is_over(CLOSES) and not theme_round.is_open(CLOSES)
    assert services.next_round(OPENS - timedelta(days=1)) == theme_round
    assert db.session.scalar(select(AuditEntry.action)) == "themes.open"


def test_one_round_open_at_a_time(app):
    make_round()
    message = refusal(services.create_round, "Un autre appel", "", 3, CLOSES - timedelta(days=1),
                      CLOSES + timedelta(days=7), ADMIN_EMAIL, NOW)
    assert message.startswith("Un autre appel à thèmes, « Appel à thèmes des ateliers 2027 », "
                              "est ouvert pendant cette période")
    assert message.endswith("un seul appel à la fois.")
    # Right after it, or after it was closed by hand, another one may open.
    follow_up = services.create_round("Le suivant", "", 3, CLOSES, CLOSES + timedelta(days=7),
                                      ADMIN_EMAIL, NOW)
    db.session.commit()
    assert follow_up.id is not None
    assert db.session.scalar(select(func.count()).select_from(ThemeRound)) == 2


def test_a_round_closed_by_hand_stops_at_once_and_frees_its_period(app):
    theme_round = make_round()
    services.close_round(theme_round, ADMIN_EMAIL, NOW)
    db.session.commit()
    assert not theme_round.is_open(NOW) and theme_round.ends_at == NOW
    assert services.open_round(NOW) is None
    assert refusal(services.close_round, theme_round, ADMIN_EMAIL, NOW) \
        == "Cet appel à thèmes est déjà clos."
    again = services.create_round("Nouvel appel", "", 2, NOW, NOW + timedelta(days=7),
                                  ADMIN_EMAIL, NOW)
    db.session.commit()
    assert services.open_round(NOW) == again
    assert "themes.close" in db.session.scalars(select(AuditEntry.action)).all()


def test_dates_that_make_no_round_are_refused(app):
    assert refusal(services.create_round, "A", "", 3, NOW, NOW - timedelta(hours=1),
                   ADMIN_EMAIL, NOW) == "La clôture doit suivre l'ouverture."
    assert refusal(services.create_round, "A", "", 3, NOW - timedelta(days=9),
                   NOW - timedelta(days=2), ADMIN_EMAIL, NOW) == "La clôture doit être à venir."


def test_a_round_not_open_yet_cannot_be_closed_and_a_closed_one_not_edited(app):
    later = make_round(opens=NOW + timedelta(days=1), closes=NOW + timedelta(days=8))
    assert refusal(services.close_round, later, ADMIN_EMAIL, NOW).startswith(
        "Cet appel à thèmes n'est pas encore ouvert")
    services.update_round(later, "Appel corrigé", "Texte", 4, NOW, later.closes_at, ADMIN_EMAIL,
                          NOW)
    db.session.commit()
    assert services.open_round(NOW).title == "Appel corrigé"
    assert refusal(services.update_round, later, "X", "", 3, later.opens_at, later.closes_at,
                   ADMIN_EMAIL, later.closes_at) == "Cet appel à thèmes est clos : il ne se " \
                                                    "modifie plus."


# --- Proposals ---------------------------------------------------------------------------------

def test_members_propose_themes_while_the_round_is_open(app):
    theme_round = make_round()
    anne = member("Anne")
    proposal = propose(theme_round, anne, "  Prévenir   l'usure professionnelle ",
                       "Les fins de carrière.\nLes métiers pénibles.")
    assert (proposal.title, proposal.person_id) == ("Prévenir l'usure professionnelle", anne.id)
    assert proposal.description == "Les fins de carrière.\nLes métiers pénibles."
    # The same theme, whatever its accents and case: vote for it instead.
    assert refusal(services.propose, theme_round, member("Paul"), "PREVENIR L'USURE "
                   "PROFESSIONNELLE", "", NOW) == "Ce thème est déjà proposé : votez pour lui."


def test_only_members_propose_and_only_while_open(app):
    theme_round = make_round()
    applicant = make_applicant(email="candidate@exemple.fr")
    assert refusal(services.propose, theme_round, applicant, "Thème", "", NOW) \
        == "Seuls les membres du réseau peuvent proposer des thèmes et voter."
    anne = member("Anne")
    assert refusal(services.propose, theme_round, anne, "Thème", "", CLOSES) == (
        "L'appel à thèmes est clos depuis le 7 décembre 2026 à 9 h : les propositions et les "
        "votes ne sont plus modifiables.")
    assert refusal(services.propose, theme_round, anne, "Thème", "",
                   OPENS - timedelta(hours=1)) == \
        "L'appel à thèmes s'ouvrira le 21 novembre 2026 à 9 h."


def test_a_member_proposes_at_most_the_setting_s_number_of_themes(app):
    app.config["THEME_PROPOSALS_PER_MEMBER"] = 2
    theme_round = make_round()
    anne = member("Anne")
    propose(theme_round, anne, "Télétravail")
    propose(theme_round, anne, "Charge de travail")
    assert services.proposals_left(theme_round, anne) == 0
    assert refusal(services.propose, theme_round, anne, "Management", "", NOW) == (
        "Vous avez déjà proposé 2 thèmes dans cet appel, le maximum : votez pour ceux des "
        "autres membres.")


# --- Votes -------------------------------------------------------------------------------------

@pytest.fixture
def themes(app):
    app.config["THEME_PROPOSALS_PER_MEMBER"] = 4
    theme_round = make_round(votes=2)
    author = member("Claire")
    return theme_round, [propose(theme_round, author, title) for title in (
        "Télétravail", "Charge de travail", "Dialogue social", "Usure professionnelle")]


def test_a_member_gives_at_most_the_round_s_number_of_votes(themes):
    theme_round, (remote, workload, dialogue, _) = themes
    anne = member("Anne")
    vote(remote, anne)
    vote(workload, anne)
    assert refusal(services.vote, dialogue, anne, NOW) == (
        "Vous avez déjà donné vos 2 votes : retirez-en un pour voter pour ce thème.")
    assert refusal(services.vote, remote, anne, NOW) == "Vous avez déjà voté pour ce thème."
    assert votes_of(anne) == {"Télétravail", "Charge de travail"}
    assert services.my_votes(theme_round, anne) == {remote.id, workload.id}


def test_a_member_changes_a_vote_until_the_round_closes(themes):
    theme_round, (remote, workload, dialogue, _) = themes
    anne = member("Anne")
    vote(remote, anne)
    vote(workload, anne)
    services.withdraw_vote(remote, anne, NOW)
    vote(dialogue, anne)
    assert votes_of(anne) == {"Charge de travail", "Dialogue social"}
    assert refusal(services.withdraw_vote, remote, anne, NOW) \
        == "Vous n'aviez pas voté pour ce thème."
    # Closed: read-only.
    assert refusal(services.withdraw_vote, dialogue, anne, CLOSES).startswith(
        "L'appel à thèmes est clos depuis le")
    assert refusal(services.vote, remote, anne, CLOSES).startswith("L'appel à thèmes est clos")
    assert votes_of(anne) == {"Charge de travail", "Dialogue social"}


def test_a_vote_that_loses_a_race_for_a_slot_takes_the_next_or_is_refused(themes, monkeypatch):
    """Two tabs: the second vote read the member's slots before the first one was saved. The
    unique constraint refuses its slot; it takes another, or says the votes are all given."""
    theme_round, (remote, workload, dialogue, _) = themes
    anne = member("Anne")
    vote(remote, anne)
    stale = {"reads": 0}
    real_execute = db.session.execute

    def first_read_misses_the_vote(statement, *args, **kwargs):
        result = real_execute(statement, *args, **kwargs)
        if "theme_vote.slot" in str(statement) and stale["reads"] == 0:
            stale["reads"] += 1
            return real_execute(statement.where(ThemeVote.id < 0))
        return result

    monkeypatch.setattr(db.session, "execute", first_read_misses_the_vote)
    services.vote(workload, anne, NOW)
    db.session.commit()
    assert stale["reads"] == 1, "the stale read happened"
    assert votes_of(anne) == {"Télétravail", "Charge de travail"}
    stale["reads"] = 0
    assert refusal(services.vote, dialogue, anne, NOW).startswith("Vous avez déjà donné vos 2")
    assert db.session.scalar(select(func.count()).select_from(ThemeVote)) == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_votes_sent_at_once_never_exceed_the_limit(make_app):
    """Ten votes of one member at the same instant, on PostgreSQL (SQLite takes one writer at a
    time): two are saved, the others are refused in French, none fails."""
    app = make_app(THEME_PROPOSALS_PER_MEMBER=10)
    with app.app_context():
        theme_round = make_round(votes=2)
        anne, author = member("Anne"), member("Claire")
        ids = [propose(theme_round, author, f"Thème n° {n}").id for n in range(10)]
        start, outcomes = threading.Barrier(len(ids)), []

        def send(proposal_id):
            with app.app_context():
                try:
                    start.wait()
                    services.vote(db.session.get(ThemeProposal, proposal_id),
                                  db.session.get(type(anne), anne.id), NOW)
                    db.session.commit()
                    outcomes.append("saved")
                except ThemeError as error:
                    db.session.rollback()
                    outcomes.append(error.message)
                except Exception as error:  # noqa: BLE001  (reported by the test)
                    outcomes.append(repr(error))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=send, args=(i,)) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes).count("saved") == 2, outcomes
        assert all(outcome == "saved" or outcome.startswith("Vous avez déjà donné vos 2 votes")
                   for outcome in outcomes), outcomes
        assert db.session.scalar(select(func.count()).select_from(ThemeVote)) == 2


def test_the_number_of_votes_cannot_drop_below_what_members_gave(themes):
    theme_round, (remote, workload, _, _) = themes
    anne = member("Anne")
    vote(remote, anne)
    vote(workload, anne)
    message = refusal(services.update_round, theme_round, theme_round.title, "", 1,
                      theme_round.opens_at, theme_round.closes_at, ADMIN_EMAIL, NOW)
    assert message == ("Des membres ont déjà donné 2 votes : le nombre de votes par membre ne "
                       "peut plus descendre sous 2.")


# --- Ranking, moderation, workshops ------------------------------------------------------------

def test_the_ranking_puts_the_most_voted_first_ties_sharing_their_rank(themes):
    theme_round, (remote, workload, dialogue, wear) = themes
    anne, paul, zoe = member("Anne"), member("Paul"), member("Zoé")
    for person, chosen in ((anne, (workload, dialogue)), (paul, (workload, remote)),
                           (zoe, (dialogue, wear))):
        for proposal in chosen:
            vote(proposal, person)
    ranked = [(r.rank, r.proposal.title, r.votes) for r in services.ranking(theme_round)]
    # Equal votes: the older proposal first, the same rank.
    assert ranked == [(1, "Charge de travail", 2), (1, "Dialogue social", 2),
                      (3, "Télétravail", 1), (3, "Usure professionnelle", 1)]


def test_hiding_a_proposal_takes_it_out_and_gives_its_votes_back(themes):
    theme_round, (remote, workload, dialogue, _) = themes
    anne = member("Anne")
    vote(remote, anne)
    vote(workload, anne)
    assert services.hide_proposal(remote, ADMIN_EMAIL, NOW) == 1
    db.session.commit()
    assert remote not in services.visible_proposals(theme_round)
    assert "Télétravail" not in [r.proposal.title for r in services.ranking(theme_round)]
    assert refusal(services.vote, remote, anne, NOW) \
        == "Ce thème a été retiré par le GT QVT : il ne reçoit plus de votes."
    vote(dialogue, anne)  # the vote given back goes elsewhere
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "themes.hide"))
    assert entry.person_id == remote.person_id and entry.detail == "Télétravail (1 vote rendu)"
    services.show_proposal(remote, ADMIN_EMAIL, NOW)
    db.session.commit()
    assert remote in services.visible_proposals(theme_round)


def test_a_proposal_becomes_a_workshop_once(themes):
    from tests.events.helpers import make_event

    _, (remote, *_) = themes
    prefill = workshops.workshop_prefill(remote)
    assert prefill == {"kind": "atelier", "title": "Télétravail",
                       "description": "Pour en parler ensemble.", "themes": "Télétravail"}
    first, second = make_event(title="Atelier Télétravail"), make_event(title="Autre")
    assert workshops.link_workshop(remote, first, ADMIN_EMAIL, NOW)
    assert not workshops.link_workshop(remote, second, ADMIN_EMAIL, NOW)
    db.session.commit()
    assert remote.event == first
    assert workshops.proposal_for_workshop(str(remote.id)) == remote
    assert workshops.proposal_for_workshop("2147483648") is None
    assert workshops.proposal_for_workshop("abc") is None


def test_a_title_with_commas_gives_one_event_theme(app):
    theme_round = make_round()
    proposal = propose(theme_round, member("Anne"), "Télétravail, hybride et lien social")
    assert workshops.workshop_prefill(proposal)["themes"] == "Télétravail"


def test_the_anonymisation_removes_votes_and_unlinks_proposals(app, themes):
    theme_round, (remote, workload, *_) = themes
    anne = member("Anne")
    mine = propose(theme_round, anne, "Mon thème")
    vote(remote, anne)
    leave_network(anne, NOW)
    db.session.commit()
    anonymise_departed(NOW + timedelta(days=30 * app.config["RETENTION_MONTHS"] + 1))
    db.session.refresh(mine)
    assert mine.person_id is None and mine.title == "Mon thème"
    assert db.session.scalar(select(func.count()).select_from(ThemeVote).where(
        ThemeVote.person_id == anne.id)) == 0
