"""Every Flask extension, created once and bound in create_app."""

from datetime import UTC, datetime

from flask import abort, current_app, has_app_context, has_request_context, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, registry

from network.inputs import database_int

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant, as the pages see it. The tests pin it (FROZEN_NOW) so that what a page
    records and what the tick they run at a chosen instant then does agree, whatever the day."""
    frozen = current_app.config.get("FROZEN_NOW") if has_app_context() else None
    return frozen or datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass an aware UTC datetime")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})


def locale_selector():
    # French is the network's language; other locales may come later.
    return "fr"


class Database(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        """A page number beyond any list (`?page=99999999999999999999`) is a missing page, as one
        that is not a number already is: never an overflow of the database's OFFSET."""
        if page is None and has_request_context() and kwargs.get("error_out", True):
            page = database_int(request.args.get("page", "1"))
            if page is None:
                abort(404)
        return super().paginate(select, page=page, **kwargs)


db = Database(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def submitted_email() -> str:
    """Rate-limit key for forms that carry an e-mail address."""
    return "email:" + request.form.get("email", "").strip().lower()
