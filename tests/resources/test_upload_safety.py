"""Uploads: the large body limit for signed-in admins only, no `.part` left by a full disk, served
names without bidi tricks and with the extension of their real type."""

import io
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.resources.models import Resource
from network.sessions import session_values
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_member, member_session
from tests.resources.samples import pdf
from tests.resources.test_library import FORM

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
