"""From the invitation e-mail to a place, a cancellation, and the promotion, in Chromium."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from network.events.services import InvitationSegment, request_invitation
from network.extensions import db, utcnow
from network.scheduler.tick import run_tick
from network.templating import PARIS
from tests.events.helpers import make_event
from tests.factories import make_member
from tests.membership.test_browser_journey import shoot, wait_for_mail
from tests.support.smtp import text_of
from tests.support.typography import fr

LINK = "https://visio.exemple.fr/atelier-qvt"
TITLE = "Atelier « Télétravail et QVT »"


def link_in(message, site, path) -> str:
    return re.search(rf"{re.escape(site)}/evenements/{path}\S*", text_of(message)).group(0)


def said(page, text: str) -> None:
    """A status message of the page (a flash or the page's own) says `text`."""
    expect(page.get_by_role("status").filter(has_text=fr(text))).to_be_visible()


def person_page(browser):
    """Each person in their own browser profile (cookies apart), closed with the browser."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_invitation_registration_cancellation_and_promotion(browser, live_server, smtp):
    site = live_server.config["BASE_URL"]
    live_server.config["RENEWAL_OPENS"] = "06-01"  # no renewal e-mail in this story
    starts = (utcnow() + timedelta(days=7)).astimezone(PARIS).replace(
        hour=14, minute=0, second=0, microsecond=0)
    with live_server.app_context():
        event = make_event(capacity=1, starts=starts)
        anne = make_member(email="anne@exemple.fr", first_name="Anne")
        basile = make_member(email="basile@exemple.fr", first_name="Basile")
        request_invitation(event, InvitationSegment([], []), "gt@exemple.fr", utcnow())
        db.session.commit()
        run_tick(utcnow())
        anne_email, basile_email, event_id = anne.email, basile.email, event.id

    # Anne takes the only place from her invitation.
    anne_page = person_page(browser)
    [invitation] = wait_for_mail(smtp, anne_email, "Invitation")
    anne_page.goto(link_in(invitation, site, "invitation/"))
    expect(anne_page.get_by_role("heading", level=1)).to_have_text("Bonjour Anne")
    shoot(anne_page, "event-invitation")
    anne_page.get_by_role("button", name=fr("Je m'inscris")).click()
    said(anne_page, "Votre inscription est confirmée.")
    expect(anne_page.get_by_role("link", name=LINK)).to_be_visible()
    [confirmation] = wait_for_mail(smtp, anne_email, "Inscription confirmée")
    [ics] = [part for part in confirmation.iter_attachments()]
    assert ics.get_content_type() == "text/calendar"
    assert "BEGIN:VEVENT" in ics.get_content() and "TZID=Europe/Paris" in ics.get_content()

    # Basile comes second: the waiting list, without the online link.
    basile_page = person_page(browser)
    [invitation] = wait_for_mail(smtp, basile_email, "Invitation")
    basile_page.goto(link_in(invitation, site, "invitation/"))
    basile_page.get_by_role("button", name=fr("Je m'inscris")).click()
    said(basile_page, "Vous êtes sur la liste d'attente, en position 1.")
    expect(basile_page.get_by_text(LINK)).to_have_count(0)
    shoot(basile_page, "event-waiting")
    [waiting] = wait_for_mail(smtp, basile_email, "Liste d'attente")
    assert LINK not in text_of(waiting)

    # Anne cannot come after all: the link of her e-mail gives her place up.
    anne_page.goto(link_in(confirmation, site, "inscription/"))
    expect(anne_page.get_by_role("heading", level=1)).to_have_text("Libérer ma place")
    anne_page.get_by_role("button", name="Je libère ma place").click()
    said(anne_page, "Votre inscription est annulée.")
    shoot(anne_page, "event-cancelled")

    # Basile is promoted, told by e-mail, and now sees the link.
    [promotion] = wait_for_mail(smtp, basile_email, "Une place s'est libérée")
    assert LINK in text_of(promotion)
    basile_page.reload()
    said(basile_page, "Votre inscription est confirmée.")
    expect(basile_page.get_by_role("link", name=LINK)).to_be_visible()

    # The event page says the event is full again; cancelling twice changes nothing.
    anne_page.goto(link_in(confirmation, site, "inscription/"))
    said(anne_page, "déjà annulée")
    anne_page.goto(f"{site}/evenements/{event_id}")
    expect(anne_page.get_by_text(fr("Complet : les nouvelles inscriptions vont sur la liste "
                                    "d'attente"))).to_be_visible()
    shoot(anne_page, "event-page")
    anne_page.goto(f"{site}/evenements")
    expect(anne_page.get_by_role("heading", name=TITLE)).to_be_visible()
    shoot(anne_page, "events-list")
