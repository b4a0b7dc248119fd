"""Signed-in sessions of admins and members: they end after inactivity, after a fixed age, or
when the server says so.

The session is a signed cookie, not a server-side record: a copy of it works as long as what it
says holds. So each account carries a session generation, written into the cookie at sign-in and
compared on every request; signing out (and disabling an account, changing its password) moves it
on, and every cookie of that account, copied or not, stops working. The time of sign-in is in the
cookie too: a cookie replayed again and again never outlives the absolute lifetime.
"""

from datetime import datetime

from flask import current_app, session

# Why a session is over: the account moved its generation on (or is gone), nobody used the
# session for too long, or it is older than its absolute lifetime.
REVOKED, IDLE, TOO_OLD = "revoked", "idle", "too_old"


def session_values(kind: str, account, now: datetime) -> dict:
    """What the cookie of a new session of `account` holds ("admin" or "member" sessions)."""
    return {f"{kind}_id": account.id, f"{kind}_generation": account.session_generation,
            f"{kind}_since": now.timestamp(), f"{kind}_seen": now.timestamp()}


def start_session(kind: str, account, now: datetime) -> None:
    """A fresh cookie: nothing of an earlier session (of anyone) is kept."""
    session.clear()
    session.update(session_values(kind, account, now))


def session_problem(kind: str, account, now: datetime) -> str | None:
    """Why this browser's session of `account` is over, or None; a live session is marked seen."""
    if account is None or session.get(f"{kind}_generation") != account.session_generation:
        return REVOKED
    config = current_app.config
    prefix = kind.upper()
    seconds = now.timestamp()
    if seconds - session.get(f"{kind}_since", 0) > config[f"{prefix}_SESSION_MAX_HOURS"] * 3600:
        return TOO_OLD
    if seconds - session.get(f"{kind}_seen", 0) > config[f"{prefix}_SESSION_IDLE_MINUTES"] * 60:
        return IDLE
    session[f"{kind}_seen"] = seconds
    return None


def forget_session(kind: str) -> None:
    """Drop this browser's session of that kind (the other kind's, if any, stays)."""
    for key in ("id", "generation", "since", "seen"):
        session.pop(f"{kind}_{key}", None)


def end_every_session(account) -> None:
    """Every cookie of the account, in any browser, stops working at the next request."""
    account.session_generation = type(account).session_generation + 1
