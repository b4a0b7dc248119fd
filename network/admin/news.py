"""The news in the back-office: write, publish or withdraw, and turn an item into a mailing."""

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from network.admin.roles import ANIMATION, requires
from network.admin.services import audit
from network.admin.views import bp
from network.extensions import db, utcnow
from network.news import services
from network.news.forms import NewsForm
from network.news.models import NEWS_KIND_LABELS, NEWS_STATUS_LABELS, NewsItem, NewsStatus


@bp.get("/actualites")
@requires(ANIMATION)
def news():
    status = request.args.get("statut", "")
    query = select(NewsItem).order_by(NewsItem.created_at.desc(), NewsItem.id.desc())
    if status in NEWS_STATUS_LABELS:
        query = query.where(NewsItem.status == status)
    return render_template("admin/news/list.html", page=db.paginate(query, per_page=30),
                           status=status, statuses=NEWS_STATUS_LABELS, kinds=NEWS_KIND_LABELS,
                           today=services.paris_today(utcnow()))


@bp.route("/actualites/nouvelle", methods=["GET", "POST"])
@bp.route("/actualites/<int:news_id>/modifier", methods=["GET", "POST"])
@requires(ANIMATION)
def news_edit(news_id=None):
    item = db.get_or_404(NewsItem, news_id) if news_id else None
    form = NewsForm(data=NewsForm.data_of(item) if item else None)
    if form.validate_on_submit():
        now = utcnow()
        if item is None:
            item = NewsItem(status=NewsStatus.DRAFT, created_by=g.admin.email, created_at=now)
            db.session.add(item)
        services.save_news(item, form.details(), now)
        audit(g.admin.email, "news.edit", now, detail=item.title)
        db.session.commit()
        flash("L'actualité est enregistrée." if item.status == NewsStatus.PUBLISHED else
              "L'actualité est enregistrée comme brouillon : publiez-la pour qu'elle "
              "paraisse sur le site.", "success")
        return redirect(url_for(".news_detail", news_id=item.id))
    return render_template("admin/news/edit.html", form=form, item=item), (
        400 if form.errors else 200)


@bp.get("/actualites/<int:news_id>")
@requires(ANIMATION)
def news_detail(news_id):
    item = db.get_or_404(NewsItem, news_id)
    return render_template("admin/news/detail.html", item=item, kinds=NEWS_KIND_LABELS,
                           statuses=NEWS_STATUS_LABELS, today=services.paris_today(utcnow()))


@bp.post("/actualites/<int:news_id>/<any('publier', 'depublier'):action>")
@requires(ANIMATION)
def news_status(news_id, action):
    item = db.get_or_404(NewsItem, news_id)
    now = utcnow()
    if action == "publier":
        services.publish(item, now)
        flash("L'actualité est publiée : sur la page Actualités, la page d'accueil et le flux "
              "Atom.", "success")
    else:
        services.unpublish(item, now)
        flash("L'actualité est retirée du site : elle redevient un brouillon.", "success")
    audit(g.admin.email, f"news.{action}", now, detail=item.title)
    db.session.commit()
    return redirect(url_for(".news_detail", news_id=item.id))


@bp.post("/actualites/<int:news_id>/envoi")
@requires(ANIMATION)
def news_mailing(news_id):
    """A mailing draft prefilled from the item, reviewed and sent on /admin/envois."""
    item = db.get_or_404(NewsItem, news_id)
    now = utcnow()
    try:
        mailing, created = services.mailing_draft(item, g.admin.email, now)
    except services.NotPublished:
        flash("Publiez d'abord l'actualité : l'envoi renvoie à sa page sur le site.", "warning")
        return redirect(url_for(".news_detail", news_id=item.id))
    if created:
        audit(g.admin.email, "news.mailing", now, detail=item.title)
    db.session.commit()
    if created:
        flash("Brouillon d'envoi préparé à partir de l'actualité : relisez le message, "
              "choisissez les destinataires, puis envoyez-le.", "success")
    else:
        flash("Cette actualité a déjà un brouillon d'envoi, le voici.", "info")
    return redirect(url_for(".mailing_edit", mailing_id=mailing.id))
