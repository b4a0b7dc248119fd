import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow
from network.textfold import folded


class Status(enum.StrEnum):
    APPLICANT = "applicant"
    # Charter accepted, waiting for the GT QVT's decision (only with ADMISSION_REVIEW on).
    AWAITING_REVIEW = "awaiting_review"
    MEMBER = "member"
    EXITED = "exited"


class ExitReason(enum.StrEnum):
    VOLUNTARY = "voluntary"
    DECLINED_RENEWAL = "declined_renewal"
    NO_RENEWAL_ANSWER = "no_renewal_answer"
    REMOVED_BY_ADMIN = "removed_by_admin"
    APPLICATION_REFUSED = "application_refused"


STATUS_LABELS = {
    Status.APPLICANT: "Candidature en attente de la charte",
    Status.AWAITING_REVIEW: "En attente de validation",
    Status.MEMBER: "Membre",
    Status.EXITED: "Sorti du réseau",
}

EXIT_REASON_LABELS = {
    ExitReason.VOLUNTARY: "À sa demande",
    ExitReason.DECLINED_RENEWAL: "Renouvellement refusé",
    ExitReason.NO_RENEWAL_ANSWER: "Sans réponse au renouvellement",
    ExitReason.REMOVED_BY_ADMIN: "Retiré par le GT QVT",
    ExitReason.APPLICATION_REFUSED: "Candidature non retenue",
}


person_department = Table(
    "person_department",
    db.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("department_code", ForeignKey("department.code"), primary_key=True),
)

person_qvt_field = Table(
    "person_qvt_field",
    db.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("qvt_field_code", ForeignKey("qvt_field.code"), primary_key=True),
)


class Department(db.Model):
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class QvtField(db.Model):
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]


# The people search (back-office list, directory) looks for a word anywhere in these, whatever
# its accents and case: unaccent_lower(column) LIKE '%mot%' (network.textfold). On PostgreSQL,
# trigram indexes on that expression answer without reading every person (see below).
SEARCHED_COLUMNS = ("first_name", "last_name", "email", "organisation")


class Person(db.Model):
    """A practitioner known to the network, whatever their status."""

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    exit_reason: Mapped[str | None] = mapped_column(String(30))
    # Nullable so that personal data can be anonymised after the retention period.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    organisation: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(30), index=True)
    website: Mapped[str | None] = mapped_column(String(300))
    listed_on_reflex_qvt: Mapped[bool] = mapped_column(default=False)
    directory_opt_in: Mapped[bool] = mapped_column(default=False)
    # The member no longer wants the network's mailings (one click in any of them); the e-mails
    # of their membership (renewal, events they registered to) still reach them.
    mailings_opt_out: Mapped[bool] = mapped_column(default=False)
    privacy_consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    member_since: Mapped[datetime | None]
    exited_at: Mapped[datetime | None]
    # Changes when a charter link is used or a new application starts: links are single-use.
    charter_nonce: Mapped[str | None] = mapped_column(String(32))
    # Changes each time a sign-in link is used: a link opens the member space once.
    sign_in_nonce: Mapped[str | None] = mapped_column(String(32))
    # Written into the session cookie at sign-in; moved on to end every session of the member.
    session_generation: Mapped[int] = mapped_column(default=0)
    # A new address waiting for its owner to confirm it; the old one stays in use until then.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # A sign-up with this address, kept apart (JSON) until the address owner accepts the charter:
    # typing someone's address on the form must not change what the network holds about them.
    pending_application: Mapped[str | None] = mapped_column(Text)
    # The address is dead: a delivery status notification or a 5xx from the relay said so.
    email_bounced_at: Mapped[datetime | None]
    email_bounce_reason: Mapped[str | None] = mapped_column(String(300))
    anonymised_at: Mapped[datetime | None]
    # The import that brought this person in from the network's former files (None: came by
    # the site or an admin's entry).
    member_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_import.id", ondelete="SET NULL"), index=True)

    departments: Mapped[list[Department]] = relationship(
        secondary=person_department, order_by=Department.code)
    qvt_fields: Mapped[list[QvtField]] = relationship(
        secondary=person_qvt_field, order_by=QvtField.position)

    @property
    def full_name(self) -> str:
        return f"{self.first_name or ''} {self.last_name or ''}".strip()


def _search_indexes() -> None:
    """PostgreSQL's indexes of the people search (migration 0015): a trigram index on each
    searched column as the search compares it, and the two orders of the lists, by name and by
    organisation. SQLite has none: its LIKE '%mot%' reads every person whatever the index."""
    for column in SEARCHED_COLUMNS:
        Index(f"ix_person_{column}_unaccent_trigrams",
              folded(getattr(Person, column)).label(column), postgresql_using="gin",
              postgresql_ops={column: "gin_trgm_ops"},
              postgresql_with={"gin_pending_list_limit": 64}).ddl_if(dialect="postgresql")
    names = (folded(Person.last_name), folded(Person.first_name), Person.id)
    Index("ix_person_name_order", *names).ddl_if(dialect="postgresql")
    Index("ix_person_organisation_order", folded(Person.organisation),
          *names).ddl_if(dialect="postgresql")


_search_indexes()


class CharterVersion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text_markdown: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class AcceptanceMethod(enum.StrEnum):
    # On the site, by the charter link or the renewal form.
    WEB = "web"
    # By an e-mail to the GT QVT, before the site or instead of it, recorded by an admin: the
    # version in force on that day.
    EMAIL = "email"


ACCEPTANCE_METHOD_LABELS = {AcceptanceMethod.WEB: "sur le site",
                            AcceptanceMethod.EMAIL: "cadre accepté par e-mail"}


class CharterAcceptance(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    charter_version_id: Mapped[int] = mapped_column(ForeignKey("charter_version.id"))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(10), default=AcceptanceMethod.WEB,
                                        server_default=AcceptanceMethod.WEB.value)
    # For an acceptance by e-mail: the admin who recorded it and their note (the proof).
    recorded_by: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)

    charter_version: Mapped[CharterVersion] = relationship()


class StatusChange(db.Model):
    """One transition of a person's membership: the history shown in the back-office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(300))
    # The exit reason a move to "exited" recorded (an ExitReason): the person's own exit_reason
    # is only their latest, cleared when they come back; the annual report counts each year's
    # exits by the reason they had then. None for other moves (and for the exits before 0021
    # whose reason was lost: the person had come back since).
    exit_reason: Mapped[str | None] = mapped_column(String(30))
    # "system", "la personne elle-même" or an admin's e-mail address.
    changed_by: Mapped[str] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Lets a new person's first move be written with them in one flush (an import of thousands).
    person: Mapped[Person] = relationship()


class ExpiredApplicationCount(db.Model):
    """Anonymous count of applications purged because the charter was never accepted."""

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    count: Mapped[int] = mapped_column(default=0)


# Tables that point at a person and must be known wherever Person is.
from network.attestations.models import Attestation  # noqa: E402, F401
from network.golive.models import GoLiveInvitation  # noqa: E402, F401
from network.imports.models import MemberImport  # noqa: E402, F401
