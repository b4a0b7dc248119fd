"""« Mes données » to read (/espace/mes-donnees): every part of the export, from the same dict as
the JSON file (/espace/mes-donnees.json), with French headings and values; signed-in only."""

import html
import re

from network.members_space.export import personal_data
from network.members_space.readable import LABELS, SECTIONS, readable
from tests.factories import member_session
from tests.members_space.test_personal_data import anne  # noqa: F401  (a member with everything)


def page_text(page: str) -> str:
    """What a reader sees: no tags, plain spaces and apostrophes (the typography sets them)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text)


def signed_in_client(app, person):
    client = app.test_client()
    with client.session_transaction() as session:
        member_session(session, person)
    return client


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_every_key_of_the_export_has_a_french_heading(app, anne):  # noqa: F811
    data = personal_data(anne)
    # Departments and QVT fields are shown as « 31 – Haute-Garonne », by their label.
    named_lists = {"code", "nom", "libelle"}
    missing = keys_of(data) - LABELS.keys() - SECTIONS.keys() - named_lists
    assert missing == set(), "give these parts of the export a heading in readable.py"


def test_the_page_shows_every_part_of_the_export(app, anne):  # noqa: F811
    client = signed_in_client(app, anne)
    response = client.get("/espace/mes-donnees")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    text = page_text(response.text)
    data = personal_data(anne)
    sections = readable(data)
    # Each part of the export is a section, or one line of « Mon adhésion ».
    assert {s.key for s in sections} - {"adhesion"} == {
        key for key, value in data.items() if isinstance(value, dict | list)
        or key in SECTIONS}
    for section in sections:
        assert section.title in text
        for item in section.items:
            assert len(item) == len(data[section.key][0])
        for fields in [section.fields, *section.items]:
            for field in fields:
                assert field.label in text, field.label
                for value in [field.value] if isinstance(field.value, str) else field.value:
                    shown = page_text(html.escape(value))
                    assert shown in text, f"{section.title} / {field.label}: {value!r}"
    # As many items as the export has, for each list.
    for key, value in data.items():
        if isinstance(value, list) and value:
            heading = re.search(rf'<h2 id="{key}"[^>]*>(.*?)</h2>', response.text, re.DOTALL)
            assert f"({len(value)})" in heading.group(1), key
    assert '<a class="btn btn-primary" href="/espace/mes-donnees.json" download>' in response.text


def test_the_values_are_in_french(app, anne):  # noqa: F811
    text = page_text(signed_in_client(app, anne).get("/espace/mes-donnees").text)
    for shown in (
            "Statut Membre", "Motif de sortie À sa demande",
            "Profil Consultant ou consultante", "Référencé·e sur Reflex QVT oui",
            "Reçoit les envois du réseau non", "31 – Haute-Garonne",
            "Manière cadre accepté par e-mail", "Fichier membres-2019.xlsx",
            "Action Coordonnées modifiées", "État Renouvelé", "État Inscrit·e",
            "Nouveau statut Membre", "Ancien statut aucun (nouvelle fiche)",
            "Présent·e non", "23 novembre 2026 à 11 h",
            "Appelée le 3 mars : changera de structure en juin.",
            "550 5.1.1 boîte inconnue", "Nouveau membre : Anne Martin"):
        assert shown in text, shown
    assert "applicant" not in text and "2026-11-23T" not in text


def test_the_file_says_the_same(app, anne):  # noqa: F811
    response = signed_in_client(app, anne).get("/espace/mes-donnees.json")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.json == personal_data(anne)


def test_strangers_are_sent_to_the_sign_in(client, anne):  # noqa: F811
    for path in ("/espace/mes-donnees", "/espace/mes-donnees.json"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/connexion"


def test_the_page_works_without_a_pending_sign_up_or_anything_else(app):
    from tests.factories import NOW, make_member

    newcomer = make_member(NOW, email="paul@exemple.fr", first_name="Paul")
    page = signed_in_client(app, newcomer).get("/espace/mes-donnees").text
    text = page_text(page)
    assert "Aucune demande en attente." in text and "Rien à ce jour." in text
    assert "Paul" in text and "Mes données" in text
    assert "<script" not in page and "style=" not in page
