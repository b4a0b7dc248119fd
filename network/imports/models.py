from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db


class MemberImport(db.Model):
    """One file of existing members brought in: who, when, what it did; cancellable for a day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[str] = mapped_column(String(254))
    imported_at: Mapped[datetime]
    created_count: Mapped[int] = mapped_column(default=0)
    completed_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(254))


class ImportHeaderMapping(db.Model):
    """A column header the import did not know, and the field an admin said it holds: the next
    file with the same header is read the same way."""

    # The header as normalise_header() writes it (no accents, case or punctuation).
    header: Mapped[str] = mapped_column(String(200), primary_key=True)
    # A field of network.imports.columns.FIELDS, or "" for a column to leave out.
    field: Mapped[str] = mapped_column(String(40))
