"""Uploads: the large body limit for signed-in admins only, no `.part` left by a full disk, served
names without bidi tricks and with the extension of their real type."""

import errno
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.resources import files, services
from network.resources.files import StoredFile
from network.resources.models import Resource
from network.sessions import session_values
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_member, member_session
from tests.resources.samples import pdf
from tests.resources.test_library import FORM, upload

UPLOAD_URL = "/admin/ressources/nouvelle"
MB = 1024 * 1024


class BodyStream(io.RawIOBase):
    """A file upload of `size` bytes produced on demand, counting what the server reads."""

    HEAD = (b'--frontiere\r\nContent-Disposition: form-data; name="file"; filename="gros.pdf"'
            b"\r\nContent-Type: application/pdf\r\n\r\n%PDF-")

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        # The test client measures the body by seeking to its end and back.
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position,
                         io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        count = max(0, min(len(buffer), self.size - self.position))
        data = (self.HEAD[self.position:] + b"0" * count)[:count]
        buffer[:count] = data
        self.position += count
        self.read_bytes += count
        return count


def post_large_body(client, size=26 * MB):
    body = BodyStream(size)
    response = client.post(UPLOAD_URL, input_stream=body,
                           content_type="multipart/form-data; boundary=frontiere")
    return response, body


def test_an_anonymous_upload_is_refused_before_its_body_is_read(make_app):
    # CSRF on, as in production: the CSRF check reads the form, hence the body.
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        response, body = post_large_body(app.test_client())
        assert response.status_code == 413
        assert body.read_bytes == 0


def test_a_member_gets_no_larger_body_either(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        with client.session_transaction() as session:
            member_session(session, make_member())
        response, body = post_large_body(client)
        assert response.status_code == 413 and body.read_bytes == 0


def test_a_signed_in_admin_still_uploads_large_files(admin_client, storage):
    content = pdf() + b"%" + b"0" * (3 * MB)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    body, length, boundary = stream_encode_multipart(
        {**FORM, "file": FileStorage(io.BytesIO(content), "rapport.pdf")}, use_tempfile=False)
    response = admin_client.post(UPLOAD_URL, input_stream=body,
                                 content_type=f'multipart/form-data; boundary="{boundary}"')
    assert response.status_code == 302, response.text
    assert db.session.scalar(select(Resource.file_size)) == len(content)


def test_an_expired_admin_session_gets_the_small_limit(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.commit()
        client = app.test_client()
        idle = timedelta(minutes=app.config["ADMIN_SESSION_IDLE_MINUTES"] + 1)
        with client.session_transaction() as session:
            session.update(session_values("admin", admin, utcnow() - idle))
        response, body = post_large_body(client, 3 * MB)
        assert response.status_code == 413 and body.read_bytes == 0
        assert db.session.scalar(select(func.count()).select_from(Resource)) == 0


# --- A full disk ---------------------------------------------------------------------------------

class FullDisk:
    """A file that takes part of what is written to it, then finds the disk full."""

    def __init__(self, real):
        self.real = real

    def write(self, data):
        self.real.write(bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


def full_disk_open(*args, **kwargs):
    return FullDisk(open(*args, **kwargs))  # noqa: SIM115 (closed by FullDisk.__exit__)


def test_a_full_disk_leaves_no_part_file_and_says_so(admin_client, storage, monkeypatch, caplog):
    # The module's own `open`: the upload goes through the real form, view and storage code.
    monkeypatch.setattr(files, "open", full_disk_open, raising=False)
    response = upload(admin_client, "guide.pdf", pdf())
    assert response.status_code == 400
    assert "n'a pas pu être enregistré" in response.text
    assert 'value="Guide de l&#39;équipe"' in response.text, "nothing typed is lost"
    assert list(storage.rglob("*.part")) == []
    assert [path for path in storage.rglob("*") if path.is_file()] == []
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0
    assert "No space left on device" in caplog.text

    monkeypatch.undo()
    assert upload(admin_client, "guide.pdf", pdf()).status_code == 302, "the next one works"
    assert list(storage.rglob("*.part")) == []


# --- Served names --------------------------------------------------------------------------------

@pytest.mark.parametrize(("uploaded", "served"), [
    ("rapport\u202efdp.exe", "rapport fdp.pdf"),
    ("rapport.exe", "rapport.pdf"),
    ("Compte rendu v1.2", "Compte rendu v1.2.pdf"),
    ("synthèse.PDF", "synthèse.PDF"),
    ("a\u2066b\u2069\u200f.pdf\u200e", "a b.pdf"),
    ("tab\tnew\nline\x00.pdf", "tab new line.pdf"),
    ("..\\..\\etc\\passwd", "passwd.pdf"),
    ("C:\\Users\\anne\\guide.pdf", "guide.pdf"),
    ('"guillemets".pdf', "guillemets.pdf"),
    ("\u202e", "document.pdf"),
    ("", "document.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_served_names_lose_bidi_and_control_characters_and_take_the_real_extension(
        uploaded, served):
    assert files.served_file_name(uploaded, files.PDF) == served


@pytest.mark.parametrize(("file_type", "served"), [
    ("image/jpeg", "photo.jpeg"), ("image/png", "photo.png"), ("video/mp4", "photo.mp4"),
    ("application/vnd.oasis.opendocument.text", "photo.odt"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "photo.xlsx")])
def test_every_type_has_its_extension(file_type, served):
    assert files.served_file_name("photo.jpeg", file_type) == served


def test_an_uploaded_name_is_served_clean(admin_client, client):
    response = upload(admin_client, "rapport\u202efdp.exe", pdf(), visibility="public")
    assert response.status_code == 302, response.text
    resource = db.session.scalar(select(Resource))
    assert resource.file_name == "rapport fdp.pdf"
    services.publish(resource, utcnow())
    db.session.commit()
    with client.get(f"/ressources/{resource.id}/fichier") as download:
        assert download.headers["Content-Disposition"] == 'attachment; filename="rapport fdp.pdf"'
    assert "Télécharger rapport fdp.pdf" in client.get(f"/ressources/{resource.id}").text


def test_names_stored_before_are_served_clean(client):
    resource = Resource(title="Ancien dépôt", kind="outil", summary="", description_markdown="",
                        dated=date(2026, 10, 1), visibility="public")
    services.save_resource(resource, "", StoredFile("ab" * 32, "rapport\u202efdp.exe",
                                                    files.PDF, 10, ""), None)
    services.publish(resource, utcnow())
    db.session.commit()
    assert resource.served_file_name == "rapport fdp.pdf"
    assert "Télécharger rapport fdp.pdf" in client.get(f"/ressources/{resource.id}").text
