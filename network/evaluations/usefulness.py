"""« Cette ressource vous a-t-elle été utile ? »: one answer per browser session and resource,
counted per month, with nothing about who answered (the Anact's objectives count the
satisfaction of the people downloading resources)."""

from datetime import datetime

from flask import session
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from network.evaluations.models import ResourceUsefulness
from network.extensions import db
from network.templating import PARIS

SESSION_KEY = "useful_votes"
# The resources this session has answered for, the latest last: a bounded cookie.
REMEMBERED = 100


def voted_here(resource_id: int) -> bool:
    """Whether this browser session already said if the resource was useful."""
    return resource_id in session.get(SESSION_KEY, [])


def vote(resource_id: int, useful: bool, now: datetime) -> bool:
    """Count the answer, once per session; False (nothing counted) the second time."""
    if voted_here(resource_id):
        return False
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), resource_id][-REMEMBERED:]
    month = now.astimezone(PARIS).strftime("%Y-%m")
    column = "useful" if useful else "not_useful"
    increment = (update(ResourceUsefulness)
                 .where(ResourceUsefulness.resource_id == resource_id,
                        ResourceUsefulness.month == month)
                 .values({column: getattr(ResourceUsefulness, column) + 1})
                 .execution_options(synchronize_session=False))
    if db.session.execute(increment).rowcount:
        return True
    try:
        with db.session.begin_nested():
            db.session.add(ResourceUsefulness(resource_id=resource_id, month=month,
                                              **{column: 1}))
    except IntegrityError:
        db.session.execute(increment)  # the month's first answer, given twice at once
    return True
