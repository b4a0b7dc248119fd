"""Every e-mail in Chromium: on a phone (390 px) nothing is wider than the screen, on a desktop
(1366 px) the message keeps to its 600 px column, and nothing sticks out of that column."""

import re

import pytest

from tests.mail.every_email import TEMPLATES, every_email
from tests.membership.test_browser_journey import shoot

PHONE, DESKTOP, COLUMN = 390, 1366, 600
# The page's width, the message column's, and what sticks out of that column: a box beyond its
# edge, or a box whose content overflows it (a word too long for its paragraph).
MEASURE = """() => {
  const column = document.querySelector('.email-column');
  const edge = column.getBoundingClientRect().right + 0.5;
  const outside = [column, ...column.querySelectorAll('*')]
    .filter(element => element.getBoundingClientRect().right > edge
            || (element.clientWidth && element.scrollWidth > element.clientWidth + 1))
    .map(element => `<${element.tagName}> ${element.textContent.trim().slice(0, 60)}`);
  return {page: document.documentElement.scrollWidth,
          column: column.getBoundingClientRect().width, outside};
}"""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_email_fits_a_phone_and_keeps_to_its_column_on_a_desktop(app, request):
    messages = every_email()
    assert sorted(messages) == TEMPLATES, "a template no flow of every_email() sends"
    # A link whose address its flow forgot to give (the invitations' « Voir l'événement » once).
    empty = [template for template, message in messages.items()
             if re.search(r'href=["\']\s*["\']', message.body_html)]
    assert not empty, f"links without an address in {empty}"
    # Asked for only now: without Chromium the flows above still run.
    browser = request.getfixturevalue("browser")
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, locale="fr-FR")
    try:
        problems = list(measure_every_email(context.new_page(), messages))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def measure_every_email(page, messages):
    """What does not fit, template by template (a screenshot of each at 390 px, when asked)."""
    for template, message in sorted(messages.items()):
        page.set_viewport_size({"width": PHONE, "height": 844})
        page.set_content(message.body_html)
        phone = page.evaluate(MEASURE)
        shoot(page, f"email-{template}")
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        desktop = page.evaluate(MEASURE)
        if phone["page"] > PHONE or phone["outside"]:
            yield (f"{template} at {PHONE} px: {phone['page']} px wide, "
                   f"sticking out: {phone['outside'][-3:]}")
        if desktop["column"] > COLUMN or desktop["outside"]:
            yield (f"{template} at {DESKTOP} px: a column of {desktop['column']} px, "
                   f"sticking out: {desktop['outside'][-3:]}")
