import pytest


@pytest.fixture(autouse=True)
def storage(request, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["RESOURCE_STORAGE_DIR"] = str(tmp_path / "files")
    return tmp_path / "files"
