import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from network.evaluations.needs import queue_requested_surveys
from network.evaluations.services import send_evaluations
from network.events.retention import purge_past_guests
from network.events.services import queue_requested_invitations, send_event_reminders
from network.extensions import utcnow
from network.logs import log_event
from network.mail.bounces import read_bounces
from network.mail.delivery import DeliveryReport, deliver_pending
from network.mail.retention import purge_old_mail_to_non_members
from network.mailings.services import queue_requested_mailings
from network.members_space.services import anonymise_departed
from network.membership.admission import remind_admins_of_waiting
from network.membership.services import expire_stale_applications
from network.ratelimit import purge_expired_counters
from network.renewal.campaign import run_renewal
from network.scheduler.heartbeat import record_tick
from network.scheduler.lease import LeaseLost

log = logging.getLogger("network.scheduler")


@dataclass
class TickReport:
    expired_applications: int = 0
    admission_reminders: int = 0
    anonymised: int = 0
    guests_erased: int = 0
    bounces: int = 0
    renewal: dict = field(default_factory=dict)
    mailing_emails_queued: int = 0
    event_invitations: int = 0
    event_reminders: int = 0
    evaluations: int = 0
    needs_surveys: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def run_tick(now: datetime, progress=None, keep_lease=None) -> TickReport:
    """Do everything due at `now`, from the database state: a late or repeated tick catches up.

    `progress(step, done)`, if given, hears of each batch of the jobs that touch every member;
    every batch and every step is also a line of the log. `keep_lease()`, if given, renews the
    scheduler's lease between steps and batches: when it fails, another scheduler has taken
    over, and the tick stops there (LeaseLost).
    """
    def still_ours() -> None:
        if keep_lease is not None and not keep_lease():
            raise LeaseLost

    def batch_done(step: str, done: int) -> None:
        log_event(log, "job.batch", job="tick", step=step, done=done)
        if progress:
            progress(step, done)
        still_ours()

    def step_done(step: str, **counts) -> None:
        # A step that found nothing to do says nothing: a quiet minute is one line.
        if any(counts.values()):
            log_event(log, "job.step", job="tick", step=step, **counts)
        still_ours()

    started = time.perf_counter()
    report = TickReport()
    report.expired_applications = expire_stale_applications(now)
    step_done("applications", expired=report.expired_applications)
    report.admission_reminders = remind_admins_of_waiting(now)
    step_done("admission_review", reminded=report.admission_reminders)
    report.anonymised = anonymise_departed(now)
    step_done("retention", anonymised=report.anonymised)
    report.guests_erased = purge_past_guests(now)
    step_done("guest_retention", erased=report.guests_erased)
    step_done("mail_retention", deleted=purge_old_mail_to_non_members(now))
    step_done("rate_limits", purged=purge_expired_counters(now))
    # Before the renewal: its closing must know whose address bounced.
    report.bounces = read_bounces(now)
    step_done("bounces", bounced=report.bounces)
    report.renewal = run_renewal(now, batch_done)
    step_done("renewal", **report.renewal)
    report.mailing_emails_queued = queue_requested_mailings(now, progress=batch_done)
    step_done("mailings", queued=report.mailing_emails_queued)
    report.event_invitations = queue_requested_invitations(now, batch_done)
    step_done("event_invitations", queued=report.event_invitations)
    report.event_reminders = send_event_reminders(now, batch_done)
    step_done("event_reminders", queued=report.event_reminders)
    report.evaluations = send_evaluations(now, batch_done)
    step_done("evaluations", queued=report.evaluations)
    report.needs_surveys = queue_requested_surveys(now, batch_done)
    step_done("needs_surveys", queued=report.needs_surveys)
    report.delivery = deliver_all(now, batch_done)
    step_done("delivery", sent=report.delivery.sent, retried=report.delivery.retried,
              failed=report.delivery.failed, deferred=report.delivery.deferred)
    record_tick(utcnow())
    log_event(log, "job.done", job="tick", now=now.isoformat(),
              ms=round((time.perf_counter() - started) * 1000, 1))
    return report


def deliver_all(now: datetime, batch_done=None) -> DeliveryReport:
    """Deliver batch after batch while full batches go out; stop at the first short or
    deferred one (relay down, quota reached: the next tick or poll goes on)."""
    report = DeliveryReport()
    batch_size = current_app.config["OUTBOX_BATCH_SIZE"]
    while True:
        batch = deliver_pending(now)
        report.add(batch)
        if batch.deferred or batch.sent + batch.retried + batch.failed < batch_size:
            return report
        if batch_done:
            batch_done("E-mails envoyés", report.sent)
