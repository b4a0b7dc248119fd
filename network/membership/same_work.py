"""The forms that take an e-mail address do the same work whoever it belongs to.

/connexion, /rejoindre and /charte/nouveau-lien answer a member, an applicant and a stranger
with the same words; their response time must not tell them apart either (a member's sign-in
link took 13.6 ms, anyone else's request 6.8 ms). So the code that answers a known address runs
for every address, and what it writes for an address that gets nothing is undone before the
commit: the same queries, the same e-mail rendered and inserted, nothing kept.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from network.extensions import db
from network.membership.models import Person, Status


@contextmanager
def kept_only_if(keep: bool) -> Iterator[None]:
    """Run the block; unless `keep`, undo what it wrote (a savepoint rolled back)."""
    if keep:
        yield
        return
    savepoint = db.session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def stand_in(email: str) -> Person:
    """Whom the e-mail of an unknown address is written for: never stored, never sent."""
    return Person(email=email, status=Status.APPLICANT)
