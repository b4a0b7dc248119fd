"""`flask demo` publishes a few news items and archives an annual newsletter, once."""

from sqlalchemy import func, select

from network.extensions import db
from network.mailings.models import Mailing
from network.news.models import NewsItem


def test_the_demo_has_news_and_a_newsletter(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--members", "5"])
    assert result.exit_code == 0, result.output
    assert "Actualités du réseau : 4 publiées" in result.output
    page = client.get("/actualites").text
    assert page.index("Appel à projets FACT") < page.index("Les synthèses des ateliers")
    assert ">Clos</span>" in page
    assert "Lettre d'information annuelle 2026 du réseau" in client.get(
        "/actualites/lettres").text
    again = runner.invoke(args=["demo", "--members", "5", "--force"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count()).select_from(NewsItem)) == 4
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 1
