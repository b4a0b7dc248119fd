"""Pages that once carried inline styles, under the strict Content-Security-Policy, in Chromium:
nothing refused (the `page` fixture fails on any CSP report), and they still look right."""

from playwright.sync_api import expect
from sqlalchemy import select

from network.admin.services import create_admin
from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.membership.services import BY_THE_PERSON
from network.renewal.services import current_request, renew
from tests.admin.test_browser_admin import shoot, sign_in
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.renewal.test_pages import members, open_campaign_now
from tests.support.typography import fr

DESKTOP = {"width": 1366, "height": 900}


def test_the_campaign_progress_and_an_e_mail_preview(page, live_server):
    with live_server.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        anne = members(3)[0]
        open_campaign_now(live_server)
        # One member of three answers: the campaign's bar shows a third.
        renew(current_request(anne, utcnow()), BY_THE_PERSON, utcnow())
        db.session.commit()
        message_id = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.body_html != "").order_by(OutboxMessage.id))
    site = live_server.config["BASE_URL"]
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)
    page.goto(f"{site}/admin/renouvellement")
    bar = page.get_by_role("progressbar", name="Réponses reçues")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box["height"] >= 20 and box["width"] > 600
    shoot(page, "csp-admin-renewal")

    page.goto(f"{site}/admin/courriels/{message_id}")
    preview = page.frame_locator("iframe[title='Version HTML du message']")
    expect(preview.locator("body")).to_contain_text("Bonjour")
    frame = page.locator("iframe[title='Version HTML du message']")
    assert frame.bounding_box()["height"] >= 400
    # The e-mail keeps its own inline styles inside the frame (its policy allows them there).
    button = preview.get_by_role("link", name=fr("J'accepte la charte et je rejoins le réseau"))
    assert button.evaluate("link => getComputedStyle(link).color") == "rgb(255, 255, 255)"
    shoot(page, "csp-admin-outbox-message")
    # Headless Chromium leaves a sandboxed frame blank in screenshots: the preview on its own.
    page.goto(f"{site}/admin/courriels/{message_id}/html")
    expect(page.get_by_text("Bonjour Anne")).to_be_visible()
    shoot(page, "csp-admin-outbox-preview")
