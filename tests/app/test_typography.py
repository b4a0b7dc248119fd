"""French typography on every page and in every e-mail (network/typography.py): no-break spaces
before « : ; ! ? » and inside guillemets, curly apostrophes, and nothing else touched: tags and
their attributes, scripts, styles, preformatted text, URLs, e-mail addresses and times."""

import html as html_entities
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.mail.models import OutboxMessage, message_id
from network.scheduler.tick import deliver_all
from network.typography import french_typography, french_typography_html
from tests.mail.every_email import NOW, TEMPLATES, every_email
from tests.members_space.test_space import signed_in
from tests.support.bad_input import make_world, url

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize("typed, set_", [
    ("Adresse : Toulouse", f"Adresse{NBSP}: Toulouse"),
    ("Vraiment ? Oui ! Non ; peut-être.", f"Vraiment{NNBSP}? Oui{NNBSP}! Non{NNBSP}; peut-être."),
    ("Atelier « Télétravail »", f"Atelier «{NNBSP}Télétravail{NNBSP}»"),
    ("«Télétravail»", f"«{NNBSP}Télétravail{NNBSP}»"),
    # A no-break space already there becomes the right one.
    (f"Lieu{NBSP}? «{NBSP}x{NBSP}»", f"Lieu{NNBSP}? «{NNBSP}x{NNBSP}»"),
    ("l'adhésion d'Anne, aujourd'hui", "l’adhésion d’Anne, aujourd’hui"),
    ("75 %, 20 €, 20%", f"75{NBSP}%, 20{NBSP}€, 20{NBSP}%"),
    ("à 9 h, de 14 h 30 à 16 h", f"à 9{NBSP}h, de 14{NBSP}h{NBSP}30 à 16{NBSP}h"),
    ("25 Mo au plus, 12 octets", f"25{NBSP}Mo au plus, 12{NBSP}octets"),
    # Untouched: times written with a colon, URLs, addresses (an apostrophe is valid in one),
    # quotes that are not apostrophes, signs without a space before them.
    ("à 14:30, https://exemple.fr/?a=1&b=2#x:y", "à 14:30, https://exemple.fr/?a=1&b=2#x:y"),
    ("o'neil@exemple.fr et https://exemple.fr/l'atelier",
     "o'neil@exemple.fr et https://exemple.fr/l'atelier"),
    ("https://exemple.fr/?q=2%20x et 50 %", f"https://exemple.fr/?q=2%20x et 50{NBSP}%"),
    ("'cité' et 12'", "'cité' et 12'"),
    ("Quoi?!", "Quoi?!"),
    # Text e-mails keep their lines.
    ("Votre lien\n: https://exemple.fr", "Votre lien\n: https://exemple.fr"),
    ("3 habitants, 2 heures", "3 habitants, 2 heures"),
])
def test_plain_text(typed, set_):
    assert french_typography(typed) == set_
    assert french_typography(set_) == set_, "set twice, unchanged"


HTML = """<!doctype html>
<html lang="fr"><head><title>Atelier : inscription</title>
<style>a :hover { color: red; } q::before { content: "« "; }</style></head>
<body>
<!-- un commentaire : intact ! -->
<a href="/evenements?type=atelier&amp;annee=2026" title="Voir : les ateliers" data-x='a ; b'>
  Les ateliers d'Anne</a> !
<p>Adresse&nbsp;: <strong>Toulouse</strong>
   : salle « <em>Garonne</em> » ?</p>
<p>L&#39;équipe &amp; o&#39;neil@exemple.fr écrit à 14:30 : https://exemple.fr/?q=l'x</p>
<script>if (a ? b : c) { alert("l'été : !") }</script>
<pre>code : intact ?</pre><code>l'objet ; intact</code>
<textarea name="t">Texte tapé : intact !</textarea>
<input value="Valeur : l'été" placeholder="Par exemple : télétravail">
</body></html>"""


def test_html_text_only():
    out = french_typography_html(HTML)
    assert f"<title>Atelier{NBSP}: inscription</title>" in out
    assert f"\n  Les ateliers d’Anne</a>{NNBSP}!" in out
    assert f"Adresse{NBSP}: <strong>Toulouse</strong>{NBSP}: salle «{NNBSP}<em>Garonne</em>" \
           f"{NNBSP}»{NNBSP}?</p>" in out
    assert ("L’équipe &amp; o&#39;neil@exemple.fr écrit à 14:30\u00a0: https://exemple.fr/?q=l'x"
            in out)
    # Tags, attributes, comments, styles, scripts, preformatted text, code, typed text.
    assert tags(out) == tags(HTML)
    for raw in ('<style>a :hover { color: red; } q::before { content: "« "; }</style>',
                "<!-- un commentaire : intact ! -->",
                """<script>if (a ? b : c) { alert("l'été : !") }</script>""",
                "<pre>code : intact ?</pre>", "<code>l'objet ; intact</code>",
                '<textarea name="t">Texte tapé : intact !</textarea>'):
        assert raw in out
    assert french_typography_html(out) == out, "set twice, unchanged"


# Where a page's text is not: comments, raw elements, and every tag.
RAW = re.compile(r"<!--.*?-->|<(script|style|pre|code|textarea)\b[^>]*>.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[!/?]?[a-zA-Z][^>]*>")
# Tags within a line of text (the others separate texts that a page never shows side by side).
INLINE = re.compile(r"</?(?:a|abbr|b|em|i|small|span|strong|time|label|sup|sub)\b[^>]*>", re.I)
TIME = re.compile(r"\b\d{1,2}:\d\d\b")
ADDRESS = re.compile(r"https?://[^\s<>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def tags(html: str) -> list[str]:
    return TAG.findall(RAW.sub("", html)) + [match.group() for match in RAW.finditer(html)]


def visible_text(html: str) -> str:
    """The text a reader sees, as one string (inline tags dropped, the others a break)."""
    text = INLINE.sub("", RAW.sub("\n", html))
    return html_entities.unescape(TAG.sub("\n", text))


def faults(text: str) -> list[str]:
    """What French typography forbids in a text: an ordinary space (or a line break) before
    : ; ! ? or », after «, and a straight apostrophe between two letters."""
    found = re.finditer(r".{0,30}(?:[ \t\r\n][:;!?»]|«[ \t\r\n]|[^\W\d_]'[^\W\d_]).{0,30}",
                        text)
    return [match.group().replace("\n", "⏎") for match in found
            if not ADDRESS.search(match.group())]


def page_faults(raw: str, typeset: str) -> list[str]:
    problems = faults(visible_text(typeset))
    if tags(typeset) != tags(raw):
        problems.append("a tag, an attribute or a raw element changed")
    for name, pattern in (("times", TIME), ("addresses", ADDRESS)):
        if pattern.findall(visible_text(typeset)) != pattern.findall(visible_text(raw)):
            problems.append(f"{name} changed")
    return problems


def get_pages(clients: dict, app, world: dict, monkeypatch) -> dict:
    """Every page the GET routes show, by (identity, path): (as the templates wrote it, as it
    left with French typography)."""
    written = []

    def typeset(html: str) -> str:
        written.append(html)
        return french_typography_html(html)

    monkeypatch.setattr("network.typography.french_typography_html", typeset)
    pages = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        identities = (("anonymous",) if rule.endpoint == "admin.login" else ("admin",)
                      if rule.endpoint.startswith("admin.") else ("anonymous", "member"))
        for identity in identities:
            written.clear()
            with clients[identity].get(url(rule, world)) as response:
                if response.mimetype == "text/html":
                    assert len(written) == 1, f"{rule.rule}: set {len(written)} times"
                    pages[identity, url(rule, world)] = (written[0],
                                                         response.get_data(as_text=True))
    monkeypatch.undo()
    return pages


# The typography of the pages and the e-mails is the templates', whatever the database: once.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_in_french_typography(app, admin_client, smtp, monkeypatch, capsys):
    world = make_world(app)
    app.config["OUTBOX_DELIVER_AFTER_REQUEST"] = False
    member_client = app.test_client()
    signed_in(member_client, smtp, "walk.member@exemple.fr")
    clients = {"admin": admin_client, "member": member_client, "anonymous": app.test_client()}
    pages = get_pages(clients, app, world, monkeypatch)
    problems = {page: found for page, (raw, typeset) in pages.items()
                if (found := page_faults(raw, typeset))}
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())
    # The walk went through the public pages, the member space and the back-office.
    paths = {path for _, path in pages}
    assert {"/", "/evenements", "/ressources", "/espace", "/admin/", "/admin/membres",
            "/admin/renouvellement", "/admin/journal"} <= paths
    with capsys.disabled():
        print(f"\ntypography: {len(pages)} pages")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_email_in_french_typography(app, smtp):
    every_email()
    deliver_all(NOW + timedelta(days=30))
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {message.template for message in messages} == set(TEMPLATES)
    for message in messages:
        text = message.body_text
        problems = faults(text) + faults(visible_text(message.body_html))
        assert not problems, f"{message.template}: {problems}"
        assert not TIME.findall(ADDRESS.sub("", text)), f"{message.template}: a time with a colon"
        # The links of the text part are those of the HTML part, character for character.
        links = set(re.findall(r"https?://[^\s()]+", text))
        in_html = {html_entities.unescape(href)
                   for href in re.findall(r'href="([^"]+)"', message.body_html)}
        in_html |= set(re.findall(r"https?://[^\s()]+", visible_text(message.body_html)))
        assert links <= in_html, f"{message.template}: {links - in_html}"
    # As mail clients get them (quoted-printable UTF-8): the same text, no-break spaces and all.
    stored = {message_id(row.id, row.dedup_key): row.body_text for row in messages}
    delivered = [message for message in smtp.messages if message["Message-ID"] in stored]
    assert delivered
    texts = {message["Message-ID"]: message.get_body(preferencelist=("plain",)).get_content()
             for message in delivered}
    for key, text in texts.items():
        assert text.replace("\r\n", "\n").strip() == stored[key].replace("\r\n", "\n").strip()
    assert any(NNBSP in text for text in texts.values())
