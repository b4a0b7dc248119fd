from flask import render_template

from network.admin.views import bp


@bp.get("/membres")
def members():
    return render_template("admin/placeholder.html", title="members")
