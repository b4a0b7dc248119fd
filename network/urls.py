from urllib.parse import urlsplit

from flask import current_app, request

from network.inputs import has_control_characters


def external_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails, built from BASE_URL so it works outside a request too."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme,
                                       script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def same_site_path(target: str | None, prefix: str) -> str | None:
    """The path (and query) of `target` if it is a page of this site under `prefix`, else None:
    a redirect taken from the request (a `next`, a Referer) never leaves the site, never runs a
    `javascript:` URL and never breaks the Location header (CR, LF)."""
    if not target or has_control_characters(target):
        return None
    parts = urlsplit(target)
    if (parts.scheme not in ("", "http", "https") or parts.netloc not in ("", request.host)
            or not parts.path.startswith(prefix) or parts.path.startswith("//")
            or "\\" in parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
