"""Rate limits counted in the database: every worker sees the same counters."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from network.extensions import db
from network.ratelimit import DatabaseStorage, RateLimitCounter, purge_expired_counters

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()


def test_a_counter_counts_within_its_window_and_starts_again_after(app, monkeypatch):
    storage = DatabaseStorage()
    clock = [NOON]
    monkeypatch.setattr(storage, "clock", lambda: clock[0])

    assert [storage.incr("k", expiry=60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", expiry=60, amount=2) == 5
    assert storage.get("k") == 5 and storage.get("other") == 0
    assert storage.get_expiry("k") == NOON + 60

    clock[0] = NOON + 59
    assert storage.get("k") == 5
    clock[0] = NOON + 60
    assert storage.get("k") == 0, "the window is over"
    assert storage.incr("k", expiry=60) == 1
    assert storage.get_expiry("k") == NOON + 120

    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.check()


def test_counters_of_windows_that_are_over_are_purged(app, monkeypatch):
    storage = DatabaseStorage()
    monkeypatch.setattr(storage, "clock", lambda: NOON)
    storage.incr("short", expiry=60)
    storage.incr("long", expiry=3600)

    purged = purge_expired_counters(datetime.fromtimestamp(NOON + 61, UTC))

    assert purged == 1
    assert storage.get("long") == 1 and storage.get("short") == 0
    assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 1


def test_a_new_worker_sees_the_counts_of_the_others(make_app):
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "database://",
                "SIGN_IN_RATE_LIMIT_PER_ADDRESS": "3 per hour"}
    form = {"email": "claire@exemple.fr"}
    first = make_app(**settings).test_client()
    codes = [first.post("/connexion", data=form).status_code for _ in range(2)]
    # Another worker starts: it builds its own storage, as a new process would.
    second = make_app(**settings).test_client()
    codes += [second.post("/connexion", data=form).status_code for _ in range(2)]
    other_address = second.post("/connexion", data={"email": "paul@exemple.fr"})

    assert codes == [200, 200, 200, 429]
    assert other_address.status_code == 200
    with second.application.app_context():
        keys = db.session.scalars(select(RateLimitCounter.key)).all()
    assert keys and not any("@" in key for key in keys), "no address kept in the table"


def test_failed_admin_sign_ins_are_counted_after_the_response(make_app):
    # The admin form deducts only failures, after the view: the counter is written then.
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="database://")
    client = app.test_client()
    codes = [client.post("/admin/connexion", data={"email": "x@exemple.fr",
                                                   "password": "faux"}).status_code
             for _ in range(6)]
    assert codes == [400] * 5 + [429]
