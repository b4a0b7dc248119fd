"""Every response says what the browser may load, frame and send; personal pages are never kept
by a browser or a proxy; the templates carry no inline style or script for the policy to refuse."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from network import ROOT
from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.resources import services
from network.resources.models import Resource
from tests.admin.test_auth import fill
from tests.factories import make_member, member_session
from tests.resources.samples import pdf

POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'")
SANDBOX = "sandbox; default-src 'none'"
# An e-mail's HTML, framed by its page in the outbox, and an edited e-mail text's preview.
PREVIEWS = {"admin.outbox_message_html", "admin.email_text_preview"}
PREVIEW_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'self'")

# Pages about one person or behind a sign-in, exports and data included.
PERSONAL_BLUEPRINTS = ("admin.", "members_space.", "renewal.")
STATIC = {"static": "/static/css/network.css",
          "bootstrap.static": "/bootstrap/static/css/bootstrap.min.css"}


def get_urls(app) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route: each choice of `any(...)`, 1 or "jeton" elsewhere."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.endpoint in STATIC:
            urls.append((rule.endpoint, STATIC[rule.endpoint]))
        elif "token" in rule.arguments:
            urls.append((rule.endpoint, rule.build({"token": "jeton"})[1]))
        else:
            urls.extend((rule.endpoint, url) for url in fill(rule))
    return sorted(urls)


def fetch(client, url):
    with client.get(url) as response:
        return response.status_code, response.headers


def assert_protected(headers, url, policy=POLICY, framing="DENY"):
    assert headers["Content-Security-Policy"] == policy, url
    assert headers["X-Frame-Options"] == framing, url
    assert headers["Referrer-Policy"] == "same-origin", url
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert "camera=()" in headers["Permissions-Policy"], url


@pytest.fixture
def member_client(app):
    client = app.test_client()
    with client.session_transaction() as session:
        member_session(session, make_member())
    return client


def test_the_policy_is_strict():
    assert "'unsafe-inline'" not in POLICY and "'unsafe-eval'" not in POLICY
    assert "frame-ancestors 'none'" in POLICY


def test_every_response_carries_the_headers_and_personal_ones_are_not_stored(
        app, client, admin_client, member_client):
    urls = get_urls(app)
    assert len(urls) >= 60
    for endpoint, url in urls:
        personal = endpoint.startswith(PERSONAL_BLUEPRINTS) or "jeton" in url
        for who, visitor in (("visitor", client), ("member", member_client),
                             ("admin", admin_client)):
            status, headers = fetch(visitor, url)
            assert status != 500, (who, url)
            if endpoint in PREVIEWS and status == 200:
                assert_protected(headers, url, PREVIEW_POLICY, framing="SAMEORIGIN")
            else:
                assert_protected(headers, f"{who} {url}")
            cache = headers.get("Cache-Control", "")
            if endpoint in STATIC:
                assert "no-store" not in cache, url
            elif personal or who != "visitor":
                # Signed in, every page is theirs (their name, members-only items).
                assert cache == "no-store", (who, url, cache)
            else:
                assert "no-store" not in cache, ("public pages may be kept", url)


def test_errors_and_redirects_carry_them_too(app, client):
    for url in ("/nulle-part", "/admin/", "/espace", "/evenements/999999"):
        status, headers = fetch(client, url)
        assert status in (302, 404), url
        assert_protected(headers, url)


def test_a_resource_file_keeps_its_sandbox(app, admin_client, client, tmp_path):
    app.config["RESOURCE_STORAGE_DIR"] = str(tmp_path)
    admin_client.post("/admin/ressources/nouvelle", data={
        "title": "Guide", "kind": "outil", "dated": "2026-10-01", "visibility": "public",
        "file": (io.BytesIO(pdf()), "guide.pdf")}, content_type="multipart/form-data")
    resource = db.session.scalar(select(Resource))
    services.publish(resource, utcnow())
    db.session.commit()
    status, headers = fetch(client, f"/ressources/{resource.id}/fichier")
    assert status == 200
    assert_protected(headers, "file", policy=SANDBOX)


def test_an_e_mail_preview_is_its_own_sandboxed_document(app, admin_client, client):
    make_member()
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
    page = admin_client.get(f"/admin/courriels/{message.id}").text
    url = f"/admin/courriels/{message.id}/html"
    assert f'src="{url}"' in page and "srcdoc" not in page
    with admin_client.get(url) as preview:
        assert preview.status_code == 200 and preview.get_data(as_text=True) == message.body_html
        # The e-mail's own inline styles apply; nothing else (no script, no remote image).
        assert_protected(preview.headers, url, PREVIEW_POLICY, framing="SAMEORIGIN")
        assert preview.headers["Cache-Control"] == "no-store"
    assert client.get(url).status_code == 302, "admins only"


INLINE = re.compile(r"""\sstyle\s*=|<style|<script|\son[a-z]+\s*=|javascript:""", re.IGNORECASE)


def test_no_template_of_a_page_carries_inline_style_or_script():
    pages = [path for path in (ROOT / "templates").rglob("*")
             if path.suffix in {".html", ".svg"} and "email" not in path.parts]
    assert len(pages) > 50
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in pages
             for number, line in enumerate(Path(path).read_text().splitlines(), start=1)
             if INLINE.search(line)]
    assert found == []
