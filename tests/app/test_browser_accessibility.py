"""Every page of the site through axe-core, in Chromium, as people see it (the real CSS, CSRF on,
the strict Content-Security-Policy): no violation of impact « serious » or « critical ».

The pages are the URL map's GET routes, their path parameters filled with the ids and signed
links of a small world (tests.support.bad_input.make_world, plus an import); the public site
anonymously, the member space signed in as a member, the back-office signed in as an admin, and
two refused forms. Every page at a desktop width (1366 px); at a phone width (390 px) the pages
of PHONE_PAGES, one of each kind of layout (NETWORK_AXE_EVERY_WIDTH=1: every page), which keeps
the run near a minute and a half. The summary of each page (violations by impact, each one
named) is printed and written to /tmp/axe-results.txt.
"""

import os
import time
from collections import Counter
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.admin.views import OPEN_ENDPOINTS
from network.events.models import Event
from network.events.services import register_member
from network.extensions import db, utcnow
from network.imports import uploads
from network.imports.plan import plan_import
from network.imports.reading import read_sheet
from network.imports.services import run_import
from network.membership.models import Person
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, browsing_as
from tests.imports.files import HEADERS, csv_file
from tests.imports.test_import_files import ROWS
from tests.support.bad_input import make_world, url
from tests.support.browser import sign_in_admin, sign_in_member

# What axe finds depends on the pages, not on the database: one run (SQLite), in make test.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
FAILING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
RESULTS = Path("/tmp/axe-results.txt")
MEMBER = "walk.member@exemple.fr"

# Not pages: files, feeds, exports, the health check, the downloads.
NOT_PAGES = {"static", "bootstrap.static", "health.healthz", "events.feed", "news.feed",
             "events.event_calendar", "resources.download", "members_space.my_data",
             "admin.members_export", "admin.mailing_list_export", "admin.events_export",
             "admin.renewal_export", "admin.members_import_errors",
             # The badge (an image) and the attestations (PDF).
             "attestations.badge", "attestations.download",
             "admin.report_pdf_file", "admin.report_xlsx_file",
             "admin.survey_export",
             # An e-mail, shown in a frame of /admin/courriels/<id>: served sandboxed, without
             # scripts, where axe cannot run (the e-mails' layout is checked by their own tests).
             "admin.outbox_message_html",
             # The sign-in's second step opens only after a password of an account with a
             # second factor: tests/admin/test_browser_two_factor.py runs axe on it (and on
             # the pages of an account that has one).
             "admin.login_code", "admin.email_text_preview"}
# The member space, seen signed in as a member (its sign-in pages are public).
MEMBER_PAGES = {"renewal.in_space", "attestations.membership_page", "themes.space",
                "themes.space_round"}
PUBLIC_IN_SPACE = {"members_space.sign_in", "members_space.sign_in_link"}
# Public pages that differ for a signed-in member (their registration, « Je libère ma place »).
ALSO_AS_MEMBER = {"events.index", "events.detail", "resources.index"}
# Checked at the phone width too: one page of each layout (home, long form, lists with filters,
# detail pages, the signed links' pages, the space's menu, the back-office's tables, charts,
# timeline, forms, import, e-mail).
PHONE_PAGES = {"membership.home", "membership.join", "membership.charter", "membership.legal",
               "events.index", "events.detail", "events.registration_page", "resources.index",
               "news.index",
               "resources.detail", "renewal.form", "members_space.sign_in",
               "members_space.space", "members_space.my_details", "members_space.directory",
               "members_space.my_events", "attestations.membership_page",
               "attestations.verify", "themes.space", "admin.dashboard", "admin.members",
               "admin.member",
               "admin.events_detail", "admin.events_edit", "admin.resources_edit",
               "admin.renewal", "admin.journal", "admin.outbox_message",
               "admin.members_import_preview", "admin.members_import_record",
               "admin.themes_round", "admin.report", "evaluations.answer",
               "admin.survey_results", "admin.two_factor", "admin.team_account",
               "admin.invitation", "admin.email_text"}
EVERY_WIDTH = os.environ.get("NETWORK_AXE_EVERY_WIDTH") == "1"


def role_of(endpoint: str) -> str:
    if endpoint.startswith("admin.") and endpoint not in OPEN_ENDPOINTS:
        return "admin"
    if (endpoint.startswith("members_space.") and endpoint not in PUBLIC_IN_SPACE
            or endpoint in MEMBER_PAGES):
        return "member"
    return "anonymous"


def pages_to_check(app, world: dict) -> dict[str, list[tuple[str, bool]]]:
    """(path, checked at the phone width too) of each role's pages, from the URL map."""
    pages = {"anonymous": [], "member": [], "admin": []}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        path, phone = url(rule, world), EVERY_WIDTH or rule.endpoint in PHONE_PAGES
        roles = [role_of(rule.endpoint)] + (["member"] if rule.endpoint in ALSO_AS_MEMBER else [])
        for role in roles:
            # /admin/membres/<id>/<any(…)> is one page for its two actions
            if path not in (known for known, _ in pages[role]):
                pages[role].append((path, phone))
    return pages


def make_import(app) -> dict:
    """A finished import (its record) and a file waiting on its preview, with an error row and a
    column the application does not know."""
    content = csv_file([HEADERS] + ROWS)
    plan = plan_import(read_sheet("membres.csv", content), "membres.csv", utcnow().date())
    record = run_import(plan, by=ADMIN_EMAIL, now=utcnow())
    db.session.commit()
    waiting = csv_file([HEADERS + ["Qualité"]]
                       + [row + ["Consultante"] for row in ROWS]
                       + [["Anne", "Durand", "anne@", "X", "consultant", "75", "", "", "", "",
                           "", "", ""]])
    token = uploads.keep("nouveaux membres.csv", waiting, ADMIN_EMAIL)
    return {"import_id": record.id, "admin.members_import_preview": token}


# What axe leaves to the HTML validator, checked on every page the same way: an id given twice
# (the CSRF fields of a page of several forms), a required drop-down list whose first option is
# not an empty one (the Nu checker's error).
HTML_CHECKS = """() => {
  const found = [];
  const byId = new Map();
  for (const element of document.querySelectorAll("[id]")) {
    byId.set(element.id, [...(byId.get(element.id) || []), element]);
  }
  const repeated = [...byId.values()].filter(elements => elements.length > 1).flat();
  const selects = [...document.querySelectorAll("select[required]:not([multiple])")].filter(
    select => !(select.size > 1) && !(select.options[0] && select.options[0].value === ""
                                      && select.options[0].parentElement === select));
  for (const [id, elements] of [["html-duplicate-id", repeated],
                                ["html-required-select-without-empty-option", selects]]) {
    if (elements.length) {
      found.push({id, impact: "serious",
                  nodes: elements.map(element => ({html: element.outerHTML}))});
    }
  }
  return found;
}"""
# The menus are <details>, open from 992 px through CSS that axe does not read (it would skip
# their links as hidden); opened, they are checked at both widths, as a phone shows them opened.
OPEN_MENUS = "() => { for (const menu of document.querySelectorAll('details.site-menu')) " \
             "menu.open = true; }"


def check(page, axe: Axe, label: str, results: list, phone: bool = True) -> None:
    """Run axe on the page as it is now, at each width; keep what it found."""
    page.evaluate(axe.axe_script)
    page.evaluate(OPEN_MENUS)
    for width, viewport in (("1366", DESKTOP), ("390", PHONE))[:2 if phone else 1]:
        page.set_viewport_size(viewport)
        found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        results.append((label, width, found["violations"] + page.evaluate(HTML_CHECKS)))


def summary(results: list) -> str:
    lines = []
    for label, width, violations in results:
        counts = Counter(violation["impact"] for violation in violations)
        figures = ", ".join(f"{impact} {counts[impact]}" for impact in IMPACTS if counts[impact])
        lines.append(f"{label} [{width} px] : {figures or 'aucune violation'}")
        for violation in violations:
            lines.append(f"    {violation['impact']} {violation['id']} "
                         f"({len(violation['nodes'])}) : "
                         + " | ".join(node["html"][:120] for node in violation["nodes"][:3]))
    return "\n".join(lines)


@pytest.fixture
def world(live_server, smtp, tmp_path):
    with live_server.app_context():
        live_server.config["IMPORT_FOLDER"] = str(tmp_path)
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        world = make_world(live_server)
        # The member who signs in holds a place: « Je libère ma place » on the event's page.
        member = db.session.scalar(select(Person).where(Person.email == MEMBER))
        register_member(db.session.get(Event, world["event_id"]), member, utcnow())
        db.session.commit()
        world.update(make_import(live_server))
    return world


def axe_version(page) -> str:
    return page.evaluate("typeof axe === 'undefined' ? '?' : axe.version")


def sent_empty(page, site: str, path: str, button: str):
    """The page of a form sent empty: its error summary and its fields in error."""
    page.set_viewport_size(DESKTOP)
    page.goto(site + path)
    page.get_by_role("button", name=button).click()
    expect(page.locator("#erreurs")).to_be_visible()
    return page


def test_every_page_has_no_serious_accessibility_violation(live_server, world, browser, page,
                                                           smtp, capsys):
    site = live_server.config["BASE_URL"]
    pages = pages_to_check(live_server, world)
    axe = Axe()
    results = []
    started = time.monotonic()
    with browsing_as(browser) as member_page, browsing_as(browser) as admin_page:
        sign_in_member(member_page, site, smtp, MEMBER)
        sign_in_admin(admin_page, site)
        for role, tab in (("anonymous", page), ("member", member_page), ("admin", admin_page)):
            for path, phone in pages[role]:
                tab.set_viewport_size(DESKTOP)
                tab.goto(site + path)
                check(tab, axe, f"{role} {path}", results, phone)
        check(sent_empty(page, site, "/rejoindre", "Envoyer ma demande"), axe,
              "anonymous /rejoindre (envoyé vide)", results)
        check(sent_empty(admin_page, site, "/admin/evenements/nouveau", "Enregistrer"), axe,
              "admin /admin/evenements/nouveau (envoyé vide)", results)
        # Attendance: the page of an event not started yet (the walk's is under way), the
        # members found for someone who came without registering, the guest form sent empty.
        ahead = f"/admin/evenements/{world['event_id']}/presences"
        admin_page.goto(site + ahead)
        check(admin_page, axe, f"admin {ahead} (pas encore commencé)", results)
        walk_in = f"/admin/evenements/{world[('admin.events_walk_in', 'event_id')]}" \
                  "/presences/sur-place"
        admin_page.goto(f"{site}{walk_in}?q=walk")
        expect(admin_page.get_by_text("membres trouvés")).to_be_visible()
        check(admin_page, axe, f"admin {walk_in}?q=walk (membres trouvés)", results)
        check(sent_empty(admin_page, site, walk_in, "Ajouter comme présent·e"), axe,
              f"admin {walk_in} (envoyé vide)", results)
    elapsed = time.monotonic() - started
    checked = len({label for label, _, _ in results})
    report = (f"axe-core {axe_version(page)} in Chromium: {checked} pages, {len(results)} "
              f"checks (1366 px: every page; 390 px: "
              f"{'every page' if EVERY_WIDTH else 'PHONE_PAGES'}) in {elapsed:.0f} s\n"
              + summary(results))
    RESULTS.write_text(report + "\n")
    with capsys.disabled():
        print("\n" + report)
    failing = [(label, width, violation["id"]) for label, width, violations in results
               for violation in violations if violation["impact"] in FAILING]
    assert not failing, f"{len(failing)} serious or critical violations, see {RESULTS}"


def test_a_refused_form_puts_the_focus_on_its_error_summary(live_server, page):
    site = live_server.config["BASE_URL"]
    page.goto(f"{site}/rejoindre")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.locator("#erreurs")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    # A keyboard user goes on from there to the first field in error, through the summary.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#erreurs') !== null")


# What a keyboard reaches on these pages, each showing where the focus is: an outline of 2 px at
# least (Bootstrap's buttons, links and fields trade it for a faint shadow or a colour shift).
FOCUS_PAGES = ["/", "/rejoindre", "/evenements", "/admin/connexion"]
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {html: element.outerHTML.slice(0, 100), body: element === document.body,
          outline: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0};
}"""


def test_every_element_a_keyboard_reaches_shows_its_focus(live_server, page):
    site = live_server.config["BASE_URL"]
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in FOCUS_PAGES:
            page.goto(site + path)
            seen = set()
            for _ in range(120):
                page.keyboard.press("Tab")
                focused = page.evaluate(FOCUSED)
                if focused["body"] or focused["html"] in seen:
                    break
                seen.add(focused["html"])
                assert focused["outline"] >= 2, f"{path} {viewport['width']} px: {focused}"
            assert len(seen) > 5, f"{path}: the keyboard reached {len(seen)} elements"
