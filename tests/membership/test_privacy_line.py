"""Every form of the site that collects personal data links to the privacy notice
(/confidentialite), next to its button: the line of templates/_privacy_line.html, or the consent
box's own text where the form asks for the consent. The back-office's forms are the admins'."""

import re

from network.events.models import Audience
from network.extensions import db
from network.membership.models import Person
from tests.events.helpers import make_event
from tests.factories import member_session
from tests.support.bad_input import make_world, url

# A form holding one of these fields collects personal data.
PERSONAL_FIELDS = ("email", "first_name", "last_name", "name", "phone", "organisation")
# The forms this test must find (a walk that finds none proves nothing).
EXPECTED = {"membership.join", "members_space.sign_in", "members_space.my_details",
            "events.detail", "renewal.form", "renewal.in_space", "golive.welcome",
            "membership.charter (lien non valable)"}


def personal_forms(page: str) -> list[str]:
    return [form for form in re.findall(r"<form\b.*?</form>", page, re.DOTALL)
            if any(f'name="{name}"' in form for name in PERSONAL_FIELDS)]


def test_every_form_that_collects_personal_data_links_to_the_privacy_notice(app):
    world = make_world(app)
    member = db.session.scalar(db.select(Person).where(Person.email == "walk.member@exemple.fr"))
    anonymous, signed_in = app.test_client(), app.test_client()
    with signed_in.session_transaction() as session:
        member_session(session, member)
    pages = [(rule.endpoint, url(rule, world)) for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.endpoint.startswith("admin.")
             and rule.endpoint not in ("static", "bootstrap.static")]
    pages.append(("membership.charter (lien non valable)", "/charte/pas-un-lien"))
    found, missing = set(), []
    for endpoint, path in pages:
        for client in (anonymous, signed_in):
            response = client.get(path)
            if response.mimetype != "text/html":
                continue
            for form in personal_forms(response.text):
                found.add(endpoint)
                if 'href="/confidentialite"' not in form:
                    missing.append(f"{endpoint} {path}")
    assert missing == []
    assert not EXPECTED - found, "forms not found"


def test_the_line_says_what_the_data_is_for(client, app):
    page = client.get("/connexion").text
    [form] = personal_forms(page)
    assert "privacy-line" in form and "lien de connexion" in form
    assert "notice de confidentialité" in form
    # Where the form asks for the consent, its box says it, once.
    [form] = personal_forms(client.get("/rejoindre").text)
    assert form.count('href="/confidentialite"') == 1 and "privacy-line" not in form


def test_a_guest_is_told_when_their_registration_is_erased(make_app):
    app = make_app(GUEST_RETENTION_DAYS=45)
    with app.app_context():
        event = make_event(audience=Audience.PUBLIC)
        db.session.commit()
        [form] = personal_forms(app.test_client().get(f"/evenements/{event.id}").text)
    assert "servent à votre inscription à cet événement" in form
    assert "effacés 45 jours après" in form.replace("\u00a0", " ")
    assert 'href="/confidentialite"' in form
