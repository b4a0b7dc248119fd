from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails, built from BASE_URL so it works outside a request too."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme,
                                       script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)
