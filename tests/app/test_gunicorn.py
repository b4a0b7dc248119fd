"""Production as deployed: gunicorn with deploy/gunicorn.conf.py, two workers, PostgreSQL."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def get(url: str):
    try:
        with urlopen(Request(url), timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_gunicorn_serves_the_main_pages_with_the_production_settings(database_url, smtp):
    port = free_port()
    env = {**os.environ, "NETWORK_CONFIG": "production", "FLASK_SECRET_KEY": "x" * 64,
           "FLASK_SQLALCHEMY_DATABASE_URI": database_url, "FLASK_MAIL_SERVER": "127.0.0.1",
           "FLASK_MAIL_PORT": str(smtp.port), "FLASK_MAIL_USE_TLS": "false",
           "FLASK_BASE_URL": "https://reseau.test", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
         "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    site = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = get(f"{site}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        # No scheduler process here: the site says so, the database answers.
        assert status == 503 and '"database":"ok"' in body.replace(" ", "")
        for path in ("/", "/evenements", "/ressources", "/rejoindre", "/connexion"):
            status, body = get(f"{site}{path}")
            assert status == 200, path
        assert get(f"{site}/admin/membres")[0] == 200  # the sign-in page, after a redirect
        assert get(f"{site}/ressources?q=mot-cherche-secret")[0] == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    requests = [json.loads(line) for line in output.splitlines()
                if line.startswith("{") and '"event": "request"' in line]
    assert {"/", "/evenements", "/ressources", "/healthz"} <= {line["rule"] for line in requests}
    assert "mot-cherche-secret" not in output, "no query string in the logs"
    assert "Booting worker" in output and output.count("Booting worker") >= 2
