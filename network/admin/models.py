from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db, utcnow


class AdminUser(db.Model):
    """A member of the GT QVT who runs the back-office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # One of network.admin.roles.ROLES.
    role: Mapped[str] = mapped_column(String(20), default="administrateur")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Written into the session cookie at sign-in; moved on to end every session of the account.
    session_generation: Mapped[int] = mapped_column(default=0)
    # The second factor (network.admin.two_factor): the TOTP secret (base32), since when it is
    # on (None: off), and the last time step a code was accepted for, which no code may reuse.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_counter: Mapped[int | None]
    # An invitation waiting to be accepted (network.admin.team): its link carries this nonce, so
    # that it works once and a newer invitation kills it; the account stays inactive until then.
    invitation_nonce: Mapped[str | None] = mapped_column(String(32))
    invitation_expires_at: Mapped[datetime | None]

    recovery_codes = relationship("AdminRecoveryCode", back_populates="admin",
                                  cascade="all, delete-orphan", passive_deletes=True)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None


class AdminRecoveryCode(db.Model):
    """One of the ten single-use codes that stand in for the authenticator (a lost phone)."""

    __table_args__ = (UniqueConstraint("admin_id", "code_hash",
                                       name="uq_admin_recovery_code_admin_id_code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by account: the unique constraint's index, which starts with it.
    admin_id: Mapped[int] = mapped_column(ForeignKey("admin_user.id", ondelete="CASCADE"))
    # Only a digest is kept: the code itself is shown once.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    admin = relationship("AdminUser", back_populates="recovery_codes")


class AdminNote(db.Model):
    """A note an admin keeps on a person's page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    author: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(db.Model):
    """Who did what in the back-office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    admin_email: Mapped[str] = mapped_column(String(254), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")

    person = relationship("Person")
