"""Every route of the URL map, fed a small corpus of bad values: never a 500.

Each route is walked with each value of the corpus
- in each of its path parameters (an id of 2³¹, a token with a NUL byte…),
- in every query-string parameter the application reads (all at once; `page` on its own, as an
  invalid page number ends the request before the other parameters are read: the numbers),
- in a POST body giving every field of every form of the application that value,
- on the routes that save what people type, in a body valid for the route: in all its text
  fields at once, then in each of its other fields in turn,
anonymously and as a member for the public pages, as an admin for the back-office (the admins'
sign-in page anonymously).
"""

import time
from urllib.parse import urlencode

from werkzeug.routing import AnyConverter

from network.admin.views import OPEN_ENDPOINTS
from network.extensions import db
from tests.members_space.test_space import signed_in
from tests.support.bad_input import (
    CORPUS,
    VALID_BODIES,
    form_names,
    make_world,
    poster,
    query_names,
    text_names,
    url,
)

# Leaving, signing out, cancelling or sending end what the walk stands on: these come last.
LAST = {"members_space.leave", "membership.leave", "members_space.sign_out", "admin.logout",
        "admin.events_cancel", "admin.member_exit", "admin.mailing_send"}
# Routes known to answer 500 to some value, awaiting their fix (none now: the admins' sign-in
# form refuses control characters like every other form).
PENDING: set[str] = set()
# Who sends a valid body: the person the route is for.
def requests_for(rule, identity: str, value: str, world: dict, names: dict):
    """(method, url, body) of each request of the walk for one rule and one value."""
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    for name, converter in rule._converters.items():
        if not isinstance(converter, AnyConverter):
            yield methods[0], url(rule, world, (name, value)), None
    if "GET" in methods:
        yield "GET", f"{url(rule, world)}?{urlencode(dict.fromkeys(names['query'], value))}", None
        if value.lstrip("-").isdigit():
            yield "GET", f"{url(rule, world)}?{urlencode({'page': value})}", None
    if "POST" in methods:
        yield "POST", url(rule, world), dict.fromkeys(names["form"], value)
        if rule.endpoint in VALID_BODIES and identity == poster(rule.endpoint):
            body = VALID_BODIES[rule.endpoint]()
            yield "POST", url(rule, world), {
                **body, **{name: value for name in body if name in names["text"]}}
            for name in sorted(set(body) - names["text"]):
                yield "POST", url(rule, world), {**body, name: value}


def walk(app, clients: dict, world: dict) -> tuple[int, int, list]:
    """Walk every rule with every value: (routes, requests, failures)."""
    # Once the app is made: every module holding a form is imported.
    names = {"query": [name for name in query_names() if name != "page"],
             "form": form_names(), "text": text_names()}
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (
        rule.endpoint in LAST, rule.endpoint.startswith("admin."), rule.rule))
    failures, count = [], 0
    for rule in rules:
        identities = (("anonymous",) if rule.endpoint in OPEN_ENDPOINTS else ("admin",)
                      if rule.endpoint.startswith("admin.") else ("anonymous", "member"))
        for identity in identities:
            for value in CORPUS:
                for method, target, body in requests_for(rule, identity, value, world, names):
                    count += 1
                    try:
                        with clients[identity].open(target, method=method,
                                                    data=body) as response:
                            status = response.status_code
                            response.get_data()  # a streamed file fails while it is read
                    except Exception as error:  # noqa: BLE001  (each failure is reported)
                        db.session.rollback()
                        status = f"{type(error).__name__}: {str(error)[:300]}"
                    if status == 500 or isinstance(status, str):
                        failures.append((rule.endpoint, f"{identity} {method} {target[:100]!r} "
                                         f"{str(body)[:100] if body else ''} → {status}"))
    return len(rules), count, failures


def test_no_route_answers_500_to_bad_input(app, admin_client, smtp, capsys):
    world = make_world(app)
    # What the forms queue waits for the scheduler: the walk is about answers, not e-mails.
    app.config["OUTBOX_DELIVER_AFTER_REQUEST"] = False
    member_client = app.test_client()
    signed_in(member_client, smtp, "walk.member@exemple.fr")
    started = time.monotonic()
    routes, count, failures = walk(app, {"admin": admin_client, "member": member_client,
                                         "anonymous": app.test_client()}, world)
    pending = [failure for endpoint, failure in failures if endpoint in PENDING]
    failures = [failure for endpoint, failure in failures if endpoint not in PENDING]
    with capsys.disabled():
        print(f"\nbad-input walk on {db.engine.dialect.name}: {routes} routes × {len(CORPUS)} "
              f"values, {count} requests in {time.monotonic() - started:.1f} s, "
              f"{len(failures)} answered 500 (and {len(pending)} pending)")
    assert not failures, f"{len(failures)} requests answered 500:\n" + "\n".join(failures)
    assert not pending
