from flask import render_template

from network.admin.views import bp


@bp.get("/courriels")
def outbox():
    return render_template("admin/placeholder.html", title="outbox")
