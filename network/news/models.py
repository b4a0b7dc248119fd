import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow


class NewsKind(enum.StrEnum):
    CALL_FOR_PROJECTS = "appel"
    PARTNERSHIP = "partenariat"
    NEWS = "actualite"


NEWS_KIND_LABELS = {
    NewsKind.CALL_FOR_PROJECTS: "Appel à projets",
    NewsKind.PARTNERSHIP: "Proposition de partenariat",
    NewsKind.NEWS: "Actualité",
}


class NewsStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


NEWS_STATUS_LABELS = {NewsStatus.DRAFT: "Brouillon", NewsStatus.PUBLISHED: "Publiée"}


class NewsItem(db.Model):
    """What the GT QVT relays (the seed: « appels à projets, propositions de partenariat et
    autres actualités »), published on /actualites and in its Atom feed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(500))
    # A call for projects only: the last day to apply (Paris), included.
    deadline: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(10), default=NewsStatus.DRAFT, index=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set at the first publication and kept: the item's date, whatever happens to it later.
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The mailing drafted from it (« Préparer un envoi »), reused until it is sent.
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mailing.id", ondelete="SET NULL"),
                                                   index=True)

    mailing = relationship("Mailing")

    def call_state(self, today: date) -> str | None:
        """A call for projects is « open » until its deadline, included (in Paris), then
        « closed »; None for the other kinds. (The same rule orders the lists in SQL:
        network.news.services.public_news.)"""
        if self.kind != NewsKind.CALL_FOR_PROJECTS or self.deadline is None:
            return None
        return "open" if self.deadline >= today else "closed"
