from flask import render_template

from network.admin.views import bp


@bp.get("/charte")
def charter_versions():
    return render_template("admin/placeholder.html", title="charter")
