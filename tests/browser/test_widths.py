"""The main pages on a phone (390 px) and on a laptop (1366 px), in Chromium, with the network's
demo data: nothing wider than the screen, the menu usable without JavaScript on the phone, the
messages at the top of the page, the header on one line and aligned with the page at 1366 px,
nothing cut in the members list or the library's filters, readable charts and progress.

NETWORK_LAYOUT_SCREENS=/some/folder keeps screenshots of each page there (the whole page, and
slices of a screen and a half, easier to look at)."""

import os
import random
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.demo import generate_demo_members
from network.events.demo import generate_demo_events
from network.events.models import Event
from network.extensions import db, utcnow
from network.membership.models import Person
from network.membership.services import BY_THE_PERSON
from network.renewal.services import current_request, renew
from network.resources.demo_library import generate_seed_library
from network.resources.models import Resource, ResourceStatus, Visibility
from network.sessions import session_values
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import make_member
from tests.renewal.test_pages import open_campaign_now

# Widths depend on the pages, not on the database: one run (SQLite), in make test.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
WIDTHS = {"390": PHONE, "1366": LAPTOP}
SCREENS = os.environ.get("NETWORK_LAYOUT_SCREENS")


def shoot(page, name: str) -> None:
    if not SCREENS:
        return
    Path(SCREENS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True)
    width = page.viewport_size["width"]
    step = page.viewport_size["height"] * 3 // 2
    height = page.evaluate("document.documentElement.scrollHeight")
    for number, top in enumerate(range(0, min(height, 4 * step), step), start=1):
        page.screenshot(path=f"{SCREENS}/{name}-{number}.png", full_page=True, clip={
            "x": 0, "y": top, "width": width, "height": min(step, height - top)})


@pytest.fixture
def network(live_server, tmp_path):
    """The demo's people, calendar and library; a members-only resource; a renewal campaign that
    one member out of a hundred or so has answered; Anne, a member; an admin."""
    app = live_server
    app.config["RESOURCE_STORAGE_DIR"] = str(tmp_path / "files")
    with app.app_context():
        now = utcnow()
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        generate_demo_members(140, now - timedelta(days=3), random.Random(2019))
        generate_demo_events(now, random.Random(2019))
        generate_seed_library(now)
        anne = make_member(now - timedelta(days=5), first_name="Anne", last_name="Martin")
        resource = db.session.scalar(select(Resource).where(
            Resource.status == ResourceStatus.PUBLISHED).order_by(Resource.id))
        resource.visibility = Visibility.MEMBERS
        open_campaign_now(app)
        answered = next(person for person in db.session.scalars(
            select(Person).where(Person.id != anne.id).order_by(Person.id))
            if current_request(person, utcnow()) is not None)
        renew(current_request(answered, utcnow()), BY_THE_PERSON, utcnow())
        db.session.commit()
        upcoming = db.session.scalar(select(Event.id).where(Event.starts_at > now)
                                     .order_by(Event.starts_at))
        return {"site": app.config["BASE_URL"], "anne": anne.id, "resource": resource.id,
                "event": upcoming}


def member_cookie(app, person_id: int) -> dict:
    """The session cookie of a member signed in now, as the sign-in link leaves it."""
    with app.app_context():
        values = session_values("member", db.session.get(Person, person_id), utcnow())
    return {"name": app.config["SESSION_COOKIE_NAME"], "url": app.config["BASE_URL"],
            "value": app.session_interface.get_signing_serializer(app).dumps(values)}


def visit(page, url: str, name: str, width: str) -> None:
    """Open the page, keep its screenshot, and check that it scrolls only downwards."""
    page.goto(url)
    shoot(page, f"{name}-{width}")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width]["width"], f"{name}: {scroll} px wide at {width} px"


def box(locator) -> dict:
    return locator.bounding_box()


def header_on_one_line(page) -> None:
    """The brand and every item of the menu in one row, none wrapped under another."""
    brand = box(page.locator(".brand"))
    items = page.locator(".site-menu .nav-item")
    tops = {round(box(items.nth(i))["y"] + box(items.nth(i))["height"] / 2)
            for i in range(items.count())}
    assert max(tops) - min(tops) <= 4, tops
    assert abs(min(tops) - (brand["y"] + brand["height"] / 2)) <= 6
    expect(page.locator(".site-menu-toggle")).to_be_hidden()


def small_chart_text(page) -> list[str]:
    """The texts of the visible charts drawn smaller than 11 px (a chart shrunk to fit)."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.chart')]
        .filter(svg => svg.getClientRects().length)
        .flatMap(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')]
                .map(text => [text.textContent,
                              parseFloat(getComputedStyle(text).fontSize) * scale])
                .filter(([, size]) => size < 11)
                .map(([label, size]) => `${label}: ${size.toFixed(1)} px`);
        })""")


def cut_fields(page, form: str) -> list[str]:
    """The fields of `form` whose shown text (chosen option or placeholder) does not fit."""
    return page.evaluate("""(form) => {
        const context = document.createElement('canvas').getContext('2d');
        return [...document.querySelectorAll(`${form} select, ${form} input[placeholder]`)]
            .filter(field => {
                const style = getComputedStyle(field);
                context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                const text = field.tagName === 'SELECT'
                    ? field.options[field.selectedIndex].text : field.placeholder;
                const room = field.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight);
                return context.measureText(text).width > room;
            }).map(field => field.name);
    }""", form)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_fit_the_screen(page, live_server, network, width):
    site = network["site"]
    page.set_viewport_size(WIDTHS[width])
    for path, name in [("/", "home"), ("/evenements", "events"),
                       (f"/evenements/{network['event']}", "event"), ("/ressources", "library")]:
        visit(page, site + path, name, width)
    assert cut_fields(page, "form[role=search]") == []
    if width == "1366":
        header_on_one_line(page)

    page.context.add_cookies([member_cookie(live_server, network["anne"])])
    visit(page, f"{site}/espace", "member-space", width)
    expect(page.get_by_role("heading", name="Bonjour Anne")).to_be_visible()
    menu = page.get_by_role("navigation", name="Espace membre")
    assert box(menu)["height"] <= 3 * 45, "the member space's menu in three lines at most"
    # Signing out leads to the home page, whose hero comes after the message: in sight.
    page.get_by_role("button", name="Se déconnecter").click()
    message = page.get_by_role("status").filter(has_text="Vous êtes déconnecté")
    expect(message).to_be_visible()
    assert box(message)["y"] + box(message)["height"] <= WIDTHS[width]["height"] / 2
    assert box(message)["y"] < box(page.get_by_role("heading", level=1))["y"]
    shoot(page, f"home-flash-{width}")

    page.goto(f"{site}/admin/connexion")
    page.get_by_label("Adresse e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()
    visit(page, f"{site}/admin/", "admin-dashboard", width)
    assert small_chart_text(page) == []
    if width == "1366":
        header_on_one_line(page)
        # The header's edges are the page's: the brand above the title, the menu's last item
        # above the content's right edge.
        content = box(page.locator("main .container-fluid").last)
        title = box(page.get_by_role("heading", name="Tableau de bord", level=1))
        assert abs(box(page.locator(".brand"))["x"] - title["x"]) <= 1
        last = box(page.locator(".site-menu .nav-item").last)
        assert abs(last["x"] + last["width"] - (content["x"] + content["width"] - 24)) <= 1

    visit(page, f"{site}/admin/membres?par_page=50", "admin-members", width)
    assert page.locator("tbody tr").count() == 50
    if width == "1366":
        # Every column in sight, « Membre depuis » included: the table needs no scrolling.
        table = page.locator(".table-responsive")
        assert table.evaluate("box => box.scrollWidth <= box.clientWidth")
        expect(page.get_by_role("columnheader", name="Membre depuis")).to_be_in_viewport()

    visit(page, f"{site}/admin/renouvellement", "admin-renewal", width)
    bar = box(page.get_by_role("progressbar", name="Réponses reçues"))
    label = page.locator(".campaign-progress-value")
    expect(label).to_have_text("1 %")
    assert box(label)["x"] >= bar["x"] + bar["width"], "beside the bar, never inside it"
    assert label.evaluate("label => parseFloat(getComputedStyle(label).fontSize)") >= 14


def test_the_phone_menu_opens_without_javascript(browser, live_server):
    site = live_server.config["BASE_URL"]
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{site}/evenements")
        toggle = page.locator("summary", has_text="Menu")
        events = page.get_by_role("link", name="Événements", exact=True)
        expect(toggle).to_be_visible()
        expect(events).to_be_hidden()
        header = box(page.locator(".site-header"))
        assert header["height"] <= 80, "a compact header: the brand and « Menu »"
        toggle.click()
        expect(events).to_be_visible()
        expect(page.get_by_role("link", name="Rejoindre le réseau")).to_be_visible()
        shoot(page, "menu-open-390")
        events.click()
        expect(page).to_have_url(f"{site}/evenements")
        # Wider, the same menu is open without a click, and « Menu » is gone.
        page.set_viewport_size(LAPTOP)
        page.goto(f"{site}/")
        expect(toggle).to_be_hidden()
        expect(events).to_be_visible()
    finally:
        context.close()
