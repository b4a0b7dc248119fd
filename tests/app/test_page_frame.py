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


def test_the_favicon_is_the_network_s_mark(app, client):
    page = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data and b"#1d5856" in icon.data
    icon.close()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.location == "/static/favicon.svg"
