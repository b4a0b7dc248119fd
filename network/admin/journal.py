from flask import render_template

from network.admin.views import bp


@bp.get("/journal")
def journal():
    return render_template("admin/placeholder.html", title="journal")
