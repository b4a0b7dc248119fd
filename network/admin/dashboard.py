from flask import render_template

from network.admin.views import bp


@bp.get("/")
def dashboard():
    return render_template("admin/placeholder.html", title="dashboard")
