"""What every page's frame offers: « Rejoindre le réseau » to visitors only, a favicon."""

from tests.factories import make_member, member_session

JOIN = "Rejoindre le réseau</a>"


def test_visitors_are_invited_to_join_and_members_are_not(app, client):
    for path in ("/", "/evenements", "/ressources"):
        assert JOIN in client.get(path).text, path
    anne = make_member()
    with client.session_transaction() as session:
        member_session(session, anne)
    for path in ("/", "/evenements", "/ressources", "/espace"):
        page = client.get(path).text
        assert JOIN not in page, path
        assert 'href="/rejoindre"' not in page.split("<main")[0], path
    home = client.get("/").text
    assert "Mon espace membre</a>" in home


def test_a_member_whose_session_ended_is_a_visitor_again(app, client):
    anne = make_member()
    with client.session_transaction() as session:
        member_session(session, anne)
        session["member_generation"] = -1
    assert JOIN in client.get("/").text
