"""The attestations: their public check (/verifier) and the member's downloads and badge."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from network.attestations import services
from network.attestations.facts import badge_text, presence_facts
from network.attestations.forms import VerifyForm
from network.attestations.models import AttestationKind
from network.attestations.pdf import membership_pdf, presence_pdf
from network.extensions import db, utcnow
from network.members_space.views import member_required
from network.urls import external_url

bp = Blueprint("attestations", __name__)
bp.add_app_template_filter(services.grouped, "attestation_code")


@bp.get("/verifier")
def verify_form():
    form = VerifyForm(formdata=request.args if "code" in request.args else None)
    if form.code.data is not None and form.validate():
        code = services.normalise_code(form.code.data)
        return redirect(url_for(".verify", code=services.grouped(code)))
    return render_template("attestations/verify_form.html", form=form), (
        400 if form.errors else 200)


@bp.get("/verifier/<code>")
def verify(code):
    checked = services.verify(code)
    if checked is None or checked.state != "valid":
        status = 410 if checked and checked.state == "withdrawn" else 404
        return render_template("attestations/verify_missing.html", checked=checked), status
    attestation = checked.attestation
    facts = presence_facts(attestation) if checked.kind == AttestationKind.PRESENCE else None
    # A name, shown to whoever holds the code: not for search engines.
    return render_template("attestations/verify.html", attestation=attestation, facts=facts,
                           code=services.grouped(attestation.code)), {"X-Robots-Tag": "noindex"}


@bp.get("/verifier/<code>/badge.svg")
def badge(code):
    """The badge a member shows on their site: an image, served only while it is published."""
    checked = services.verify(code)
    if checked is None or checked.kind != AttestationKind.MEMBERSHIP or checked.state != "valid":
        abort(404)
    svg = render_template("attestations/badge.svg", year=checked.attestation.year,
                          text=badge_text(checked.attestation.year), title_id="badge-titre")
    # Shown on other sites; a withdrawn badge disappears from them within the hour.
    return Response(svg, mimetype="image/svg+xml", headers={
        "Cache-Control": "public, max-age=3600", "Cross-Origin-Resource-Policy": "cross-origin"})


@bp.get("/espace/attestation")
@member_required
def membership_page():
    now = utcnow()
    attestation = services.current_membership_attestation(g.member, now)
    links = None
    if attestation is not None and attestation.published:
        code = services.grouped(attestation.code)
        links = {"page": external_url("attestations.verify", code=code),
                 "image": external_url("attestations.badge", code=code)}
    year = services.membership_year(now)
    return render_template("attestations/membership.html", person=g.member, year=year,
                           attestation=attestation, links=links, text=badge_text(year),
                           acceptance=services.latest_charter_acceptance(g.member))


@bp.post("/espace/attestation")
@member_required
def membership_download():
    attestation = services.membership_attestation(g.member, utcnow())
    db.session.commit()
    return redirect(url_for(".download", code=services.grouped(attestation.code)), 303)


@bp.post("/espace/attestation/badge/<any('publier', 'retirer'):action>")
@member_required
def membership_badge(action):
    services.publish_badge(g.member, action == "publier", utcnow())
    db.session.commit()
    flash("Votre badge est publié : copiez son code HTML ci-dessous." if action == "publier"
          else "Votre badge est retiré : sa page n'affiche plus votre nom.", "success")
    return redirect(url_for(".membership_page"), 303)


@bp.post("/espace/evenements/<int:registration_id>/attestation")
@member_required
def presence_download(registration_id):
    try:
        attestation = services.presence_attestation(g.member, registration_id, utcnow())
    except services.AttestationRefused as refused:
        return _refused(refused)
    db.session.commit()
    return redirect(url_for(".download", code=services.grouped(attestation.code)), 303)


@bp.get("/espace/attestations/<code>.pdf")
@member_required
def download(code):
    attestation = services.own_attestation(g.member, code)
    if attestation is None:
        abort(404)
    if attestation.kind == AttestationKind.PRESENCE:
        refusal = services.presence_refusal(g.member, attestation.registration, utcnow())
        if refusal is not None:
            return _refused(services.AttestationRefused(refusal))
        content = presence_pdf(attestation)
    else:
        content = membership_pdf(attestation)
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{services.file_name(attestation)}"'})


def _refused(refused: services.AttestationRefused):
    title = "Attestation introuvable" if refused.status == 404 else "Attestation indisponible"
    return render_template("errors/error.html", code=refused.status, title=title,
                           message=refused.message), refused.status
