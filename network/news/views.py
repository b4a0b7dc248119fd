"""The public side of the news: /actualites, each item, the newsletters' archive, the feed."""

from flask import Blueprint, Response, abort, current_app, render_template, request

from network.extensions import db, utcnow
from network.news import services
from network.news.feed import atom_document, feed_entries
from network.news.forms import NewsFilterForm
from network.news.models import NEWS_KIND_LABELS

bp = Blueprint("news", __name__)


def _news_context() -> dict:
    return {"kinds": NEWS_KIND_LABELS, "today": services.paris_today(utcnow())}


@bp.get("/actualites")
def index():
    form = NewsFilterForm(formdata=request.args)
    context = _news_context()
    page = db.paginate(services.public_news(context["today"], form.type.data or ""),
                       per_page=current_app.config["NEWS_PAGE_SIZE"])
    latest_letter = db.session.scalars(services.archived_letters().limit(1)).first()
    return render_template("news/index.html", page=page, form=form,
                           latest_letter=latest_letter, **context)


@bp.get("/actualites/<int:news_id>")
def detail(news_id):
    item = services.published_item(news_id)
    if item is None:
        abort(404)
    return render_template("news/detail.html", item=item, **_news_context())


@bp.get("/actualites/lettres")
def letters():
    page = db.paginate(services.archived_letters(),
                       per_page=current_app.config["NEWS_PAGE_SIZE"])
    return render_template("news/letters.html", page=page)


@bp.get("/actualites/lettres/<int:letter_id>")
def letter(letter_id):
    """A newsletter as a page: its text as members read it, without anything of one of them
    (the e-mail's personal links stay in the e-mail)."""
    mailing = services.archived_letter(letter_id)
    if mailing is None:
        abort(404)
    return render_template("news/letter.html", letter=mailing)


@bp.get("/actualites.atom")
def feed():
    document, updated = atom_document(
        feed_entries(utcnow(), current_app.config["NEWS_FEED_ENTRIES"]))
    response = Response(document, content_type="application/atom+xml; charset=utf-8")
    response.last_modified = updated
    return response.make_conditional(request)
