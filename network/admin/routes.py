"""Gathers the back-office areas on the admin blueprint."""

from network.admin import (  # noqa: F401
    admission,
    auth,
    campaign,
    charter,
    dashboard,
    evaluations,
    events,
    golive,
    imports,
    journal,
    mailings,
    member_entry,
    members,
    outbox,
    questionnaires,
    resources,
)
from network.admin.views import bp

__all__ = ["bp"]
