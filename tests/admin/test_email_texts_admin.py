"""The back-office pages of the e-mails' texts: the list, the editor, the preview, the way back
to the default, the journal, and who may open them (pages: SQLite only)."""

import re

import pytest
from sqlalchemy import func, select

from network.admin.models import AuditEntry
from network.admin.roles import ANIMATION, LECTURE
from network.admin.services import create_admin
from network.emailtexts.catalogue import EMAILS
from network.emailtexts.models import EmailText, EmailTextDraft
from network.extensions import db

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PAGE = "/admin/courriels/textes/member_confirmed"
WELCOME = """Bonjour {prenom},

Bienvenue ! Votre espace : [espace membre]({lien_espace}).
"""
PREVIEW_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'self'")


def saved() -> int:
    return db.session.scalar(select(func.count()).select_from(EmailText))


def test_the_outbox_leads_to_the_list_of_texts_each_default_until_edited(admin_client):
    assert 'href="/admin/courriels/textes"' in admin_client.get("/admin/courriels").text
    page = admin_client.get("/admin/courriels/textes").text
    assert "Textes des e-mails automatiques" in page
    for email in EMAILS.values():
        assert f'href="/admin/courriels/textes/{email.name}"' in page
    assert page.count('email-text-state">texte par défaut') == len(EMAILS)
    admin_client.post(PAGE, data={"subject": "Bienvenue", "body": WELCOME, "save": "y"})
    page = admin_client.get("/admin/courriels/textes").text
    assert page.count('email-text-state">texte par défaut') == len(EMAILS) - 1
    assert re.search(r"modifié</span> le \d+ \w+ 2026 à [\d h]+ par admin@gt-qvt\.fr", page)


def test_the_editor_starts_from_the_default_in_markdown_beside_its_placeholders(admin_client):
    page = admin_client.get(PAGE).text
    assert 'value="Bienvenue dans le réseau des intervenants QVT en Occitanie"' in page
    assert "**Bienvenue dans le réseau régional des intervenants QVT en Occitanie !**" in page
    assert "<code>{prenom}</code>" in page and "<code>{lien_espace}</code>" in page
    assert "Le prénom de la personne." in page
    assert "Texte par défaut" in page and "Revenir au texte par défaut" not in page


def test_the_preview_shows_the_unsaved_text_to_a_sample_person(admin_client):
    response = admin_client.post(PAGE, data={"subject": "Bienvenue {prenom} !", "body": WELCOME,
                                             "preview": "y"})
    assert response.status_code == 200
    assert "Aperçu (texte non enregistré)" in response.text
    assert "Bienvenue Marie-Christine !" in response.text
    assert "Bonjour Marie-Christine," in response.text  # the text part
    frame = re.search(r'<iframe [^>]*sandbox[^>]*src="([^"]+)"', response.text).group(1)
    with admin_client.get(frame.replace("&amp;", "&")) as preview:
        html = preview.get_data(as_text=True)
        assert preview.headers["Content-Security-Policy"] == PREVIEW_POLICY
    assert "Bonjour Marie-Christine,</p>" in html
    assert 'href="http://reseau.test/connexion"' in html and 'class="email-footer"' in html
    # Nothing is saved, nothing in the journal: the preview's frame reads the admin's draft.
    assert saved() == 0 and db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert db.session.scalar(select(EmailTextDraft.subject)) == "Bienvenue {prenom} !"


def test_a_bad_placeholder_is_refused_next_to_its_field_and_nothing_saved(admin_client):
    for button in ("save", "preview"):
        response = admin_client.post(PAGE, data={"subject": "Bienvenue {Prenom}",
                                                 "body": WELCOME.replace("{prenom}", "{prénom}"),
                                                 button: "y"})
        assert response.status_code == 400
        subject_error = re.search(r'id="subject-erreur"[^>]*>(.*?)</div>', response.text, re.S)
        body_error = re.search(r'id="body-erreur"[^>]*>(.*?)</div>', response.text, re.S)
        assert "Repère inconnu pour cet e-mail : {Prenom}." in subject_error.group(1)
        assert "Repère inconnu pour cet e-mail : {prénom}." in body_error.group(1)
        # What was typed stays in the form, to correct.
        assert "{prénom}" in response.text and "Aperçu (texte non enregistré)" not in response.text
    assert saved() == 0 and db.session.scalar(select(func.count()).select_from(EmailTextDraft)) == 0


def test_a_missing_link_is_refused_naming_it(admin_client):
    response = admin_client.post("/admin/courriels/textes/renewal_form",
                                 data={"subject": "Renouvellement", "save": "y",
                                       "body": "Bonjour {prenom}, répondez avant le "
                                               "{date_limite}."})
    assert response.status_code == 400
    assert ("Le repère {lien} est obligatoire dans ce texte (le lien personnel vers le "
            "formulaire de renouvellement).") in response.text
    assert saved() == 0


def test_saving_and_going_back_to_the_default_are_in_the_journal(admin_client):
    response = admin_client.post(PAGE, data={"subject": "Bienvenue", "body": WELCOME,
                                             "save": "y"})
    assert response.status_code == 302
    page = admin_client.get(PAGE).text
    assert "Le texte « Bienvenue dans le réseau » est enregistré" in page
    assert "Texte modifié" in page and "Bienvenue ! Votre espace" in page
    # Back to the default: confirmed first, next to the box.
    refused = admin_client.post(f"{PAGE}/defaut", data={})
    assert refused.status_code == 400
    assert re.search(r'id="confirm-erreur"[^>]*>\s*<span>Cochez la case pour confirmer',
                     refused.text)
    assert saved() == 1
    admin_client.post(f"{PAGE}/defaut", data={"confirm": "y"})
    assert saved() == 0
    assert "reprend son texte par défaut" in admin_client.get(PAGE).text
    assert db.session.execute(select(AuditEntry.action, AuditEntry.detail, AuditEntry.admin_email)
                              .order_by(AuditEntry.id)).all() == [
        ("email_text.save", "member_confirmed", "admin@gt-qvt.fr"),
        ("email_text.reset", "member_confirmed", "admin@gt-qvt.fr")]
    journal = admin_client.get("/admin/journal").text
    assert "Texte d'un e-mail automatique enregistré" in journal
    assert "Texte d'un e-mail automatique remis par défaut" in journal
    # Nothing left to reset: nothing more in the journal.
    admin_client.post(f"{PAGE}/defaut", data={"confirm": "y"})
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_an_e_mail_nobody_may_edit_is_not_found(admin_client):
    for path in ("/admin/courriels/textes/sign_in_link", "/admin/courriels/textes/inconnu/apercu",
                 "/admin/courriels/textes/mailing/defaut"):
        method = admin_client.post if path.endswith("defaut") else admin_client.get
        assert method(path).status_code == 404, path


@pytest.mark.parametrize("role", [LECTURE, ANIMATION])
def test_the_texts_are_for_administrators_only(app, role):
    create_admin(f"{role}@gt-qvt.fr", "un-mot-de-passe-solide", role)
    db.session.commit()
    client = app.test_client()
    client.post("/admin/connexion", data={"email": f"{role}@gt-qvt.fr",
                                          "password": "un-mot-de-passe-solide"})
    for method, path in (("get", "/admin/courriels/textes"), ("get", PAGE),
                         ("post", PAGE), ("get", f"{PAGE}/apercu"), ("post", f"{PAGE}/defaut")):
        response = getattr(client, method)(path, data={"subject": "x", "body": WELCOME,
                                                       "save": "y", "confirm": "y"})
        assert response.status_code == 403, (role, method, path)
    assert saved() == 0

