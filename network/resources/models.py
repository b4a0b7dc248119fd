import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow
from network.resources.files import served_file_name


class ResourceKind(enum.StrEnum):
    NEWSLETTER = "lettre"
    REPLAY = "replay"
    SLIDES = "support"
    TOOL = "outil"
    REFERENTIAL = "referentiel"
    WORKSHOP_SYNTHESIS = "synthese"
    CALL_FOR_PROJECTS = "appel"
    OTHER = "autre"


RESOURCE_KIND_LABELS = {
    ResourceKind.NEWSLETTER: "Lettre d'information",
    ResourceKind.REPLAY: "Replay",
    ResourceKind.SLIDES: "Support de présentation",
    ResourceKind.TOOL: "Outil",
    ResourceKind.REFERENTIAL: "Référentiel",
    ResourceKind.WORKSHOP_SYNTHESIS: "Synthèse d'atelier",
    ResourceKind.CALL_FOR_PROJECTS: "Appel à projets",
    ResourceKind.OTHER: "Autre",
}


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "membres"


VISIBILITY_LABELS = {Visibility.PUBLIC: "Public", Visibility.MEMBERS: "Réservé aux membres"}


class ResourceStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


RESOURCE_STATUS_LABELS = {ResourceStatus.DRAFT: "Brouillon", ResourceStatus.PUBLISHED: "Publiée",
                          ResourceStatus.WITHDRAWN: "Retirée"}


class Resource(db.Model):
    """A document of the network: an uploaded file or a link (a video replay, say)."""

    # PostgreSQL's full-text index (on SQLite, a plain index of an empty column).
    __table_args__ = (Index("ix_resource_search_vector", "search_vector",
                            postgresql_using="gin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    description_markdown: Mapped[str] = mapped_column(Text, default="")
    dated: Mapped[date] = mapped_column(index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"),
                                                 index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.PUBLIC)
    status: Mapped[str] = mapped_column(String(10), default=ResourceStatus.DRAFT, index=True)
    # Either a file (stored under the SHA-256 of its content) or an external link.
    file_hash: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None]
    external_url: Mapped[str | None] = mapped_column(String(500))
    # The text of a PDF, extracted at upload, for the search.
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    # PostgreSQL's full-text index of the resource (SQLite uses its FTS5 table instead).
    search_vector = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    themes: Mapped[list["ResourceTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceTheme.name")
    event = relationship("Event")

    @property
    def theme_names(self) -> list[str]:
        return [theme.name for theme in self.themes]

    @property
    def served_file_name(self) -> str | None:
        """The file's name as shown and downloaded (names stored before the cleaning too)."""
        if self.file_name is None:
            return None
        return served_file_name(self.file_name, self.file_type or "")


class ResourceTheme(db.Model):
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"),
                                             primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class DownloadCount(db.Model):
    """Downloads of a resource in a month (YYYY-MM), without anything on who downloaded."""

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"),
                                             primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
