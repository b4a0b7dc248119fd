"""The resource library: uploads checked on their content, visibility, search, downloads."""

import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from network.extensions import db, utcnow
from network.resources import services
from network.resources.files import pdf_text
from network.resources.models import DownloadCount, Resource, ResourceStatus
from network.templating import PARIS
from tests.factories import make_member, member_session
from tests.resources.samples import ALLOWED, DISGUISED, pdf

FORM = {"title": "Guide de l'équipe", "kind": "outil", "themes": "Télétravail",
        "summary": "Un guide pour les équipes.", "description": "", "dated": "2026-10-01",
        "event": "", "visibility": "public", "external_url": ""}


def upload(admin_client, name: str, content: bytes, **fields):
    return admin_client.post("/admin/ressources/nouvelle", data={
        **FORM, **fields, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")


def make_resource(title: str, visibility: str = "public", publish: bool = True,
                  summary: str = "", description: str = "", dated=date(2026, 10, 1)):
    resource = Resource(title=title, kind="outil", summary=summary,
                        description_markdown=description, dated=dated, visibility=visibility)
    services.save_resource(resource, "", None, "https://video.exemple.fr/replay")
    if publish:
        services.publish(resource, utcnow())
    db.session.commit()
    return resource


def sign_in(client, person):
    with client.session_transaction() as session:
        member_session(session, person)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_allowed_type_is_recognised_from_its_content(admin_client, storage, name):
    content, expected = ALLOWED[name]
    response = upload(admin_client, name, content)
    assert response.status_code == 302, response.text
    resource = db.session.scalar(select(Resource))
    assert (resource.file_type, resource.file_name, resource.file_size) == (
        expected, name, len(content))
    assert (storage / resource.file_hash[:2] / resource.file_hash).read_bytes() == content


@pytest.mark.parametrize("name", sorted(DISGUISED))
def test_disguised_files_are_refused_with_a_french_message(admin_client, storage, name):
    response = upload(admin_client, name, DISGUISED[name])
    assert response.status_code == 400
    assert ("n'est pas accepté" in response.text or "vide" in response.text)
    assert 'value="Guide de l&#39;équipe"' in response.text, "nothing typed is lost"
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0
    assert not storage.exists() or not any(storage.rglob("*"))


def test_an_oversized_body_is_refused_before_it_is_read(admin_client, app):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024, "other forms stay small"
    app.config["RESOURCE_MAX_UPLOAD_MB"] = 0.5
    # A raw body (bytes), as a client would stream it: refused from its Content-Length.
    response = admin_client.post("/admin/ressources/nouvelle", data=b"0" * (2 * 1024 * 1024),
                                 content_type="multipart/form-data; boundary=frontiere")
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text


def test_a_file_over_the_upload_limit_is_refused(admin_client, app):
    app.config["RESOURCE_MAX_UPLOAD_MB"] = 0.1
    response = upload(admin_client, "gros.pdf", b"%PDF-" + b"0" * 110_000)
    assert response.status_code == 400 and "dépasse 0.1 Mo" in response.text


def test_a_path_in_the_file_name_is_dropped(admin_client, storage):
    upload(admin_client, "../../../etc/passwd.pdf", pdf())
    resource = db.session.scalar(select(Resource))
    assert resource.file_name == "passwd.pdf"
    assert [p.name for p in storage.rglob("*") if p.is_file()] == [resource.file_hash]


def test_pdf_text_is_extracted_for_the_search():
    assert "équipe : télétravail" in pdf_text(pdf())


def test_members_only_resources_are_refused_to_visitors_by_page_and_file(
        admin_client, client, app):
    upload(admin_client, "guide.pdf", pdf(), visibility="membres")
    resource = db.session.scalar(select(Resource))
    admin_client.post(f"/admin/ressources/{resource.id}/publier")
    for url in (f"/ressources/{resource.id}", f"/ressources/{resource.id}/fichier"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location == f"/connexion?next=/ressources/{resource.id}", url
    assert "Guide de l" not in client.get("/ressources").text
    sign_in(client, make_member(email="anne@exemple.fr"))
    assert "Guide de l'équipe" in client.get("/ressources").text
    response = client.get(f"/ressources/{resource.id}/fichier")
    content = response.data
    response.close()
    assert response.status_code == 200 and content == pdf()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "guide.pdf" in response.headers["Content-Disposition"]


def test_drafts_and_withdrawn_resources_are_nowhere(admin_client, client):
    draft = make_resource("Brouillon", publish=False)
    gone = make_resource("Retirée")
    admin_client.post(f"/admin/ressources/{gone.id}/retirer")
    assert gone.status == ResourceStatus.WITHDRAWN
    page = client.get("/ressources").text
    assert "Brouillon" not in page and "Retirée" not in page
    for resource in (draft, gone):
        assert client.get(f"/ressources/{resource.id}").status_code == 404
        assert client.get(f"/ressources/{resource.id}/fichier").status_code == 404
    assert client.get("/ressources/99999").status_code == 404


def titles(client, query: str) -> list[str]:
    page = client.get(f"/ressources?q={query}").text
    return re.findall(r'id="ressource-\d+"><a [^>]*>([^<]+)</a>', page)


def test_search_ignores_accents_and_ranks_titles_first(client):
    make_resource("Équipe et télétravail", summary="Repères pour les managers.")
    make_resource("Lettre d'information n° 12", description="Un mot sur le travail en équipe.")
    make_resource("Synthèse des ateliers", summary="Prévention des risques psychosociaux.")
    for query in ("equipe", "équipe", "EQUIPE"):
        assert titles(client, query) == ["Équipe et télétravail", "Lettre d'information n° 12"]
    assert titles(client, "teletravail equipe") == ["Équipe et télétravail"]
    assert titles(client, "psychosociaux") == ["Synthèse des ateliers"]
    assert titles(client, "introuvable") == []
    assert client.get('/ressources?q="(*)OR NEAR').status_code == 200


def test_search_reads_the_text_of_pdfs(admin_client, client):
    upload(admin_client, "guide.pdf", pdf("Comment conduire un diagnostic partag\\351"),
           title="Outil", summary="")
    admin_client.post(f"/admin/ressources/{db.session.scalar(select(Resource.id))}/publier")
    assert titles(client, "diagnostic partage") == ["Outil"]


def test_filters_and_newest_first(client):
    make_resource("Ancienne", dated=date(2021, 3, 1))
    make_resource("Récente", dated=date(2026, 9, 1))
    assert titles(client, "") == ["Récente", "Ancienne"]
    page = client.get("/ressources?annee=2021").text
    assert "Ancienne" in page and "Récente" not in page


def test_downloads_are_counted_per_month_and_shown_to_admins(admin_client, client):
    resource = make_resource("Replay du webinaire")
    for _ in range(3):
        assert client.get(f"/ressources/{resource.id}/fichier").status_code == 302
    services.count_download(resource, datetime(2026, 12, 2, tzinfo=PARIS))
    db.session.commit()
    month = utcnow().astimezone(PARIS).strftime("%Y-%m")
    counts = dict(db.session.execute(select(DownloadCount.month, DownloadCount.count)).all())
    assert counts[month] == 3 and counts["2026-12"] == 1
    assert "Replay du webinaire</a> : 4" in admin_client.get("/admin/ressources").text


def test_replacing_the_file_keeps_the_record_and_its_counts(admin_client):
    upload(admin_client, "v1.pdf", pdf("Version un"))
    resource = db.session.scalar(select(Resource))
    services.count_download(resource, utcnow())
    db.session.commit()
    admin_client.post(f"/admin/ressources/{resource.id}/modifier", data={
        **FORM, "file": (io.BytesIO(pdf("Version deux")), "v2.pdf")},
        content_type="multipart/form-data")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 1
    assert resource.file_name == "v2.pdf" and "Version deux" in resource.extracted_text
    assert services.download_totals([resource.id]) == {resource.id: 1}


def test_a_resource_needs_a_file_or_a_link(admin_client):
    response = admin_client.post("/admin/ressources/nouvelle", data=FORM)
    assert response.status_code == 400 and "Déposez un fichier ou indiquez un lien." in \
        response.text


def test_an_events_page_and_its_materials_email_link_its_resources(admin_client, client, smtp):
    from network.events.services import add_material, register_member
    from network.scheduler.tick import run_tick
    from tests.events.helpers import NOW, make_event

    event = make_event()
    anne = make_member(email="anne@exemple.fr")
    register_member(event, anne, NOW)
    replay = make_resource("Replay de l'atelier")
    replay.event_id = event.id
    make_resource("Sans rapport")
    db.session.commit()
    page = client.get(f"/evenements/{event.id}").text
    assert f"/ressources/{replay.id}" in page and "Sans rapport" not in page
    add_material(event, "Diaporama", "https://exemple.fr/diaporama.pdf", NOW, announce=True)
    db.session.commit()
    app_config = admin_client.application.config
    app_config["RENEWAL_OPENS"] = "06-01"
    run_tick(NOW)
    [mail] = [m for m in smtp.to(anne.email) if m["Subject"].startswith("Supports")]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"http://reseau.test/ressources/{replay.id}" in body
    assert "https://exemple.fr/diaporama.pdf" in body
