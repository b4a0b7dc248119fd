"""Headers every response carries: what a browser may load, frame and send, and what it may keep.

The site ships no script and no inline style (the templates hold none: their styles are classes
of static/css/network.css), and everything it loads comes from itself (Bootstrap is served
locally), so the policy can be strict. A response that sets its own policy keeps it: the
library's files are sandboxed, an e-mail's preview allows its own inline styles.
"""

from flask import Flask, request, session

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # Bootstrap's stylesheet draws checkboxes, radios and selects as data: SVG images.
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Browser features no page of the site needs.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb"))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    # Not "no-referrer": in production Flask-WTF checks that a form posted over HTTPS comes from
    # this site, by its Referer.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
# The back-office, the member space and the renewal form: about one person, or behind a sign-in.
PERSONAL_BLUEPRINTS = {"admin", "members_space", "renewal"}


def is_personal() -> bool:
    """A response a shared computer's browser, or a proxy, must not keep: a page or an export
    behind a sign-in, a page opened by a personal link, anything seen while signed in."""
    if request.endpoint == "static" or request.blueprint == "bootstrap":
        return False
    if request.blueprint in PERSONAL_BLUEPRINTS or "token" in (request.view_args or {}):
        return True
    return "member_id" in session or "admin_id" in session


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if is_personal():
        response.headers["Cache-Control"] = "no-store"
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
