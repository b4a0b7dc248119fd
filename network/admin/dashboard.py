"""The back-office dashboard: the network at a glance, figures and charts."""

from flask import current_app, render_template

from network.admin import charts, stats
from network.admin.roles import LECTURE, requires
from network.admin.views import bp
from network.extensions import utcnow
from network.mail.delivery import outbox_counts, relay_state
from network.membership.admission import awaiting_review
from network.membership.models import Status
from network.scheduler.heartbeat import last_tick, tick_is_late
from network.templating import short_date


@bp.get("/")
@requires(LECTURE)
def dashboard():
    now = utcnow()
    by_status = stats.count_by_status()
    exits = stats.exits_this_year_by_reason(now)
    attendance = stats.attendance_of_past_year(now)
    last = last_tick()
    return render_template(
        "admin/dashboard.html", now=now, year=stats.start_of_year(now).year,
        last_tick=last, tick_late=tick_is_late(last, now), relay=relay_state(),
        outbox=outbox_counts(),
        # The queue shows while the review is on, or while anyone still waits on it.
        waiting=awaiting_review(), admission_review=current_app.config["ADMISSION_REVIEW"],
        members=by_status[Status.MEMBER], applicants=stats.pending_applications(),
        joins_this_year=stats.joins_this_year(now),
        exits_this_year=sum(share.count for share in exits), exits_by_reason=exits,
        months=charts.month_chart(stats.members_by_month(now)),
        by_profile=charts.hbar_chart(stats.members_by_profile()),
        by_department=charts.hbar_chart(stats.members_by_department(), tone="terracotta"),
        by_field=charts.hbar_chart(stats.members_by_qvt_field(), tone="ochre",
                                   width=640),
        upcoming_events=stats.upcoming_events_count(now), attendance=attendance,
        attendance_chart=charts.hbar_chart([
            stats.Share(str(event.id), f"{short_date(event.starts_at)} {event.title}",
                        figure.attended) for event, figure in attendance], width=760,
            totals=[figure.registered for _, figure in attendance]))
