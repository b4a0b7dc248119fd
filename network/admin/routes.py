"""Gathers the back-office areas on the admin blueprint."""

from network.admin import (  # noqa: F401
    admission,
    attendance,
    auth,
    campaign,
    charter,
    dashboard,
    email_texts,
    evaluations,
    events,
    golive,
    imports,
    journal,
    mailings,
    member_entry,
    members,
    news,
    outbox,
    questionnaires,
    report,
    resources,
    team_views,
    themes,
    two_factor_pages,
    two_factor_sign_in,
)
from network.admin.views import bp

__all__ = ["bp"]
