"""The scheduler's sign of life, `/healthz` and the dashboard's warning."""

from datetime import timedelta

from network import create_app
from network.extensions import db, utcnow
from network.mail.services import queue_email
from network.scheduler.heartbeat import last_tick, record_tick
from network.scheduler.tick import run_tick
from tests.conftest import base_config


def test_each_tick_notes_when_it_finished_in_real_time(app):
    assert last_tick() is None
    before = utcnow()
    run_tick(before - timedelta(days=30))  # a catch-up tick at an old time still counts now
    assert before <= last_tick() <= utcnow()
    run_tick(before)
    assert last_tick() >= before


def test_healthz_says_ok_then_warns_when_the_scheduler_stops(app, client):
    record_tick(utcnow())
    queue_email("health:1", "anne@exemple.fr", "mailing", "Sujet", body_text="x",
                body_html="<p>x</p>")
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert response.json["outbox_pending"] == 1
    interval = app.config["SCHEDULER_TICK_SECONDS"]
    record_tick(utcnow() - timedelta(seconds=2 * interval + 5))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "late_scheduler"
    assert set(response.json) == {"status", "database", "outbox_pending", "last_tick_at",
                                  "smtp_failing_since"}


def test_healthz_says_when_the_database_is_unreachable(tmp_path):
    app = create_app({**base_config(f"sqlite:///{tmp_path}/absent/none.sqlite")})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_the_dashboard_warns_when_the_scheduler_is_late(admin_client, app):
    page = admin_client.get("/admin/").text
    assert "Dernier passage du planificateur : jamais." in page
    assert "Le planificateur ne passe plus." in page
    record_tick(utcnow())
    page = admin_client.get("/admin/").text
    assert "Le planificateur ne passe plus." not in page


def test_a_long_tick_keeps_healthz_green_while_it_renews_its_lease(app, client):
    from network.scheduler.runner import keep_lease

    start = utcnow()
    assert keep_lease(app, "sched-1:42")
    assert client.get("/healthz").status_code == 200
    # Five intervals later the tick is still at work: between two of its steps it renews the
    # lease, which is a sign of life.
    app.config["FROZEN_NOW"] = start + timedelta(seconds=5 * app.config["SCHEDULER_TICK_SECONDS"])
    assert client.get("/healthz").json["status"] == "late_scheduler"
    assert keep_lease(app, "sched-1:42")
    assert client.get("/healthz").status_code == 200
    assert not keep_lease(app, "sched-2:43"), "another scheduler stays idle"
