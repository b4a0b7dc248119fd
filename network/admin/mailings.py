from flask import render_template

from network.admin.views import bp


@bp.get("/envois")
def mailings():
    return render_template("admin/placeholder.html", title="mailings")
