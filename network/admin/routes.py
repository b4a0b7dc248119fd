"""Gathers the back-office areas on the admin blueprint."""

from network.admin import auth, charter, dashboard, journal, mailings, members, outbox  # noqa: F401
from network.admin.views import bp

__all__ = ["bp"]
