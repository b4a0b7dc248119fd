from flask import render_template

from network.admin import stats
from network.admin.views import bp
from network.extensions import utcnow
from network.membership.models import EXIT_REASON_LABELS, Status


@bp.get("/")
def dashboard():
    now = utcnow()
    by_status = stats.count_by_status()
    exits = stats.exits_this_year_by_reason(now)
    return render_template(
        "admin/dashboard.html", now=now,
        members=by_status.get(Status.MEMBER, 0), applicants=by_status.get(Status.APPLICANT, 0),
        exited=by_status.get(Status.EXITED, 0),
        joins_this_year=stats.joins_since(stats.start_of_year(now)),
        exits_by_reason=[(label, exits.get(reason, 0))
                         for reason, label in EXIT_REASON_LABELS.items()],
        months=stats.members_by_month(now), by_profile=stats.members_by_profile(),
        by_department=stats.members_by_department(), by_field=stats.members_by_qvt_field())
