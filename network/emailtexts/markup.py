"""An edited e-mail's text: its placeholders checked, its Markdown rendered, its values put in.

The admin's text is Markdown, never a template: nothing in it is executed. Each placeholder is
swapped for an inert token before the Markdown is rendered and sanitised (nh3, as every Markdown
of the site); the values go in after that, in one pass over the result, escaped. A person's name
holding `{lien}`, `<script>` or `**` is only ever text.
"""

import functools
import re

import markdown
import nh3
from markupsafe import Markup, escape

from network.emailtexts.catalogue import EditableEmail
from network.emailtexts.placeholders import BLOCK, LINK, TEXT
from network.plain_text import html_to_text
from network.templating import ALLOWED_TAGS

# A placeholder as the admins write it: a word between single braces. A word the e-mail does not
# know is refused on save; braces around anything else (spaces, punctuation) are text.
PLACEHOLDER = re.compile(r"\{([\w-]{1,40})\}")
# Letters and digits only: Markdown and the sanitiser leave them as they are.
TOKEN = "QVTREPERE{}Z"
TOKENS = re.compile(r"QVTREPERE(\d+)Z")
# In the rendered HTML: a paragraph of one placeholder (a block's place), a tag, a placeholder.
PIECES = re.compile(r"<p>QVTREPERE(\d+)Z</p>|<[^>]*>|QVTREPERE(\d+)Z")
LINK_STYLE = "color:#1d5856;"
ADDRESS_STYLE = "color:#1d5856;overflow-wrap:anywhere;word-break:break-all;"
# As email/_macros.html draws the action of a message: a link alone in its paragraph.
BUTTON = ('<p style="margin:24px 0;text-align:center;"><a style="display:inline-block;max-width:'
          '100%;box-sizing:border-box;background:#1d5856;color:#ffffff;padding:12px 20px;'
          'border-radius:4px;text-decoration:none;font-weight:bold;line-height:1.3;" '
          'href="{href}" rel="noopener noreferrer">{label}</a></p>')
LONE_LINK = re.compile(r'<p><a href="(QVTREPERE\d+Z)" rel="noopener noreferrer">([^<]*)</a></p>')
STYLES = {"<h2>": '<h2 style="font-size:17px;color:#143f3e;">',
          "<h3>": '<h3 style="font-size:15px;color:#143f3e;">',
          "<h4>": '<h4 style="font-size:15px;color:#143f3e;">',
          "<blockquote>": '<blockquote style="margin:0 0 16px 0;padding:8px 16px;border-left:4px '
                          'solid #e0a43a;background:#f7f3ec;">',
          '<a href="': f'<a style="{LINK_STYLE}" href="'}


def names_in(text: str) -> list[str]:
    """The placeholders written in a text, each once, in order."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def _braces(name: str) -> str:
    return "{" + name + "}"


def _listed(names) -> str:
    return ", ".join(_braces(name) for name in names)


def problems(email: EditableEmail, subject: str, body: str) -> dict[str, list[str]]:
    """What is wrong with a subject and a body, in French, by field ({} when they are fine)."""
    found = {"subject": _placeholder_problems(email, subject),
             "body": _placeholder_problems(email, body)}
    not_text = [name for name in names_in(subject)
                if name in email.by_name and email.by_name[name].kind != TEXT]
    if not_text:
        found["subject"].append(f"L'objet ne peut pas contenir {_listed(not_text)} : un objet "
                                "n'est que du texte, sans lien ni cadre.")
    written = names_in(body)
    for name in email.required_names:
        if name not in written:
            description = email.by_name[name].description.rstrip(".")
            found["body"].append(f"Le repère {_braces(name)} est obligatoire dans ce texte "
                                 f"({description[0].lower()}{description[1:]}).")
    found["body"] += _block_problems(email, body) + _link_target_problems(email, body)
    return {field: messages for field, messages in found.items() if messages}


def _placeholder_problems(email: EditableEmail, text: str) -> list[str]:
    messages = []
    if "{{" in text or "}}" in text:
        messages.append("Écrivez chaque repère entre accolades simples, par exemple {prenom} : "
                        "les doubles accolades ne sont pas reconnues.")
    unknown = [name for name in names_in(text) if name not in email.by_name]
    if unknown:
        messages.append(f"{'Repère inconnu' if len(unknown) == 1 else 'Repères inconnus'} "
                        f"pour cet e-mail : {_listed(unknown)}. Repères possibles : "
                        f"{_listed(email.by_name)}.")
    return messages


def _block_problems(email: EditableEmail, body: str) -> list[str]:
    """A block (the event's card…) is a part of the message: alone on its line."""
    alone = {match.group(1) for line in body.splitlines()
             if (match := re.fullmatch(r"\{([\w-]+)\}\s*", line))}
    return [f"Le repère {_braces(name)} doit être seul sur sa ligne (c'est un cadre entier)."
            for name in names_in(body)
            if name in email.by_name and email.by_name[name].kind == BLOCK and name not in alone]


def _link_target_problems(email: EditableEmail, body: str) -> list[str]:
    """Only a link placeholder may be where an address goes, as in [texte]({lien})."""
    html, names = skeleton(email, body)
    in_tags = {names[int(index)] for tag in re.findall(r"<[^>]*>", html)
               for index in TOKENS.findall(tag)}
    links = [name for name, placeholder in email.by_name.items() if placeholder.kind == LINK]
    return [f"Le repère {_braces(name)} ne peut pas servir d'adresse de lien"
            + (f" : seuls {_listed(links)} le peuvent." if links else ".")
            for name in names if name in in_tags and email.by_name[name].kind != LINK]


@functools.lru_cache(maxsize=128)
def skeleton(email: EditableEmail, body: str) -> tuple[str, tuple[str, ...]]:
    """The body's sanitised HTML with a token for each placeholder, and the names the tokens
    stand for. The same for every message of a batch: rendered once."""
    names = tuple(name for name in names_in(body) if name in email.by_name)
    index = {name: number for number, name in enumerate(names)}

    def token(match):
        name = match.group(1)
        return TOKEN.format(index[name]) if name in index else match.group(0)

    lines = []
    for line in body.splitlines():
        marked = PLACEHOLDER.sub(token, line)
        alone = re.fullmatch(r"\{([\w-]+)\}\s*", line)
        if alone and alone.group(1) in index and email.by_name[alone.group(1)].kind == BLOCK:
            # Its own paragraph, whatever the lines around it.
            marked = f"\n{marked.strip()}\n"
        lines.append(marked)
    html = nh3.clean(markdown.markdown("\n".join(lines)), tags=ALLOWED_TAGS,
                     attributes={"a": {"href", "title"}})
    html = LONE_LINK.sub(lambda match: _lone_link(match, email, names), html)
    for plain, styled in STYLES.items():
        html = html.replace(plain, styled)
    return html, names


def _lone_link(match, email: EditableEmail, names) -> str:
    """A link placeholder's link alone in its paragraph is the message's button."""
    name = names[int(TOKENS.fullmatch(match.group(1)).group(1))]
    if email.by_name[name].kind != LINK:
        return match.group(0)
    return BUTTON.format(href=match.group(1), label=match.group(2))


def fill_subject(email: EditableEmail, subject: str, values: dict[str, str]) -> str:
    """A header: plain text on one line."""
    def value(match):
        name = match.group(1)
        if name not in email.by_name or email.by_name[name].kind != TEXT:
            return match.group(0)
        return " ".join(str(values[name]).split())
    return PLACEHOLDER.sub(value, subject).strip()


def fill_html(email: EditableEmail, body: str, values: dict[str, str],
              blocks: dict[str, tuple[str, str]]) -> Markup:
    """The body's HTML, the values escaped, in one pass (a value is never read again)."""
    html, names = skeleton(email, body)
    in_link = False

    def inline(name: str) -> str:
        placeholder, value = email.by_name[name], str(values.get(name, ""))
        if placeholder.kind == BLOCK:
            return ""
        if placeholder.kind == LINK and not in_link:
            return (f'<a href="{escape(placeholder.href(value))}" style="{ADDRESS_STYLE}">'
                    f"{escape(value)}</a>")
        return str(escape(value)).replace("\n", "<br>\n")

    def attribute(match) -> str:
        placeholder = email.by_name[names[int(match.group(1))]]
        value = str(values.get(placeholder.name, ""))
        return str(escape(placeholder.href(value))) if placeholder.kind == LINK else ""

    def piece(match) -> str:
        nonlocal in_link
        if match.group(1) is not None:
            name = names[int(match.group(1))]
            if email.by_name[name].kind == BLOCK:
                return blocks[name][1]
            return f"<p>{inline(name)}</p>"
        if match.group(2) is not None:
            return inline(names[int(match.group(2))])
        tag = match.group(0)
        if tag.startswith(("<a ", "<a>")):
            in_link = True
        elif tag.startswith("</a"):
            in_link = False
        return TOKENS.sub(attribute, tag)

    return Markup(PIECES.sub(piece, html))


@functools.lru_cache(maxsize=128)
def _text_skeleton(email: EditableEmail, body: str) -> str:
    return html_to_text(skeleton(email, body)[0])


def fill_text(email: EditableEmail, body: str, values: dict[str, str],
              blocks: dict[str, tuple[str, str]]) -> str:
    """The text part: the Markdown as plain text, as the mailings' (network.plain_text: no
    Markdown mark, links as « texte (adresse) »), the values as they are."""
    names = skeleton(email, body)[1]
    lines = []
    for line in _text_skeleton(email, body).split("\n"):
        alone = TOKENS.fullmatch(line.strip())
        if alone and email.by_name[names[int(alone.group(1))]].kind == BLOCK:
            lines.append(blocks[names[int(alone.group(1))]][0].rstrip("\n"))
            continue

        def value(match):
            placeholder = email.by_name[names[int(match.group(1))]]
            return "" if placeholder.kind == BLOCK else str(values.get(placeholder.name, ""))
        lines.append(TOKENS.sub(value, line))
    return "\n".join(lines)
