"""The GT QVT's texts of the automatic e-mails: the catalogue, the checks on save, and the outbox
taking an edited text through the code paths that queue each e-mail (both databases)."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, func, select

from network.emailtexts import markup
from network.emailtexts.catalogue import EMAILS
from network.emailtexts.models import EmailText, EmailTextDraft
from network.emailtexts.placeholders import BLOCK
from network.emailtexts.services import (
    TextRefused,
    keep_draft,
    reset_text,
    save_text,
)
from network.events.models import Audience
from network.events.services import (
    confirm_guest_registration,
    register_member,
    request_guest_registration,
    send_event_reminders,
)
from network.extensions import db
from network.mail.models import OutboxMessage
from network.membership import services
from tests.events.helpers import NOW as EVENTS_NOW
from tests.events.helpers import STARTS, make_event
from tests.factories import NOW, details, make_member
from tests.mail.every_email import TEMPLATES
from tests.support.typography import as_typed

EMAIL_TEMPLATES = Path(__file__).parents[2] / "templates" / "email"
ADMIN = "admin@gt-qvt.fr"
CHARTER = EMAILS["charter_link"]
REGISTERED = EMAILS["event_registered"]
CHARTER_BODY = """Bonjour {prenom},

Votre demande est bien arrivée. **Acceptez la charte** (version {version_charte}) :

[Lire et accepter la charte]({lien})

Ou copiez ce lien : {lien}, valable {duree_lien} jours.
"""


def queued(template: str) -> OutboxMessage:
    """The last e-mail queued from this template, its bodies read as typed (without the French
    typography's spaces: tests.support.typography)."""
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                 .order_by(OutboxMessage.id.desc())).first()
    db.session.expunge(message)
    message.body_text, message.body_html = map(as_typed, (message.body_text, message.body_html))
    return message


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- The catalogue --------------------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_editable_email_has_its_files_placeholders_with_samples_and_a_valid_start(app):
    for name, email in EMAILS.items():
        assert (EMAIL_TEMPLATES / f"{name}.txt").exists() and (
            EMAIL_TEMPLATES / f"{name}.html").exists(), name
        assert email.label and email.when and email.subject, name
        assert set(email.required_names) <= set(email.by_name), name
        for placeholder, _ in email.placeholders:
            assert re.fullmatch(r"[a-z_]+", placeholder.name), placeholder.name
            assert placeholder.description.endswith("."), (name, placeholder.name)
            if placeholder.kind == BLOCK:
                assert isinstance(placeholder.sample(), dict), (name, placeholder.name)
                for part in ("txt", "html"):
                    assert (EMAIL_TEMPLATES / f"_{placeholder.partial}.{part}").exists()
            else:
                assert placeholder.sample_value(), (name, placeholder.name)
                assert placeholder.value is not None, (name, placeholder.name)
        # The editor's starting text is itself a text the editor accepts.
        assert markup.problems(email, email.subject, email.starter()) == {}, name


def test_the_e_mails_left_out_are_the_mailings_the_team_s_notices_and_the_security_ones():
    assert set(EMAILS) <= set(TEMPLATES)
    left_out = set(TEMPLATES) - set(EMAILS)
    assert {name for name in left_out if not name.startswith("admin_")} == {
        "mailing", "sign_in_link", "confirm_email_change"}


# --- The checks on save ---------------------------------------------------------------------------

@pytest.mark.parametrize("subject, body, field, said", [
    ("Votre demande", CHARTER_BODY.replace("{prenom}", "{prenon}"), "body",
     "Repère inconnu pour cet e-mail : {prenon}."),
    ("Bonjour {Prénom}", CHARTER_BODY, "subject", "Repère inconnu pour cet e-mail : {Prénom}."),
    ("Votre demande", CHARTER_BODY.replace("{lien}", "le lien"), "body",
     "Le repère {lien} est obligatoire dans ce texte (le lien personnel pour accepter la "
     "charte)."),
    ("Votre demande", CHARTER_BODY.replace("{prenom}", "{{prenom}}"), "body",
     "entre accolades simples"),
    ("Votre demande : {lien}", CHARTER_BODY, "subject", "L'objet ne peut pas contenir {lien}"),
    ("Votre demande", CHARTER_BODY + "\nLa charte : {charte} à lire.", "body",
     "Le repère {charte} doit être seul sur sa ligne"),
    ("Votre demande", CHARTER_BODY + "\n[Votre prénom]({prenom})", "body",
     "Le repère {prenom} ne peut pas servir d'adresse de lien"),
])
def test_a_text_with_a_bad_placeholder_is_refused_and_nothing_is_saved(app, subject, body, field,
                                                                       said):
    with pytest.raises(TextRefused) as refused:
        save_text(CHARTER, subject, body, ADMIN, NOW)
    assert any(said in message for message in refused.value.problems[field]), refused.value
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EmailText)) == 0


def test_every_problem_is_said_at_once_naming_the_placeholders_that_can_be_used(app):
    problems = markup.problems(REGISTERED, "{date} {lieux}", "Bonjour {prenon}")
    assert "Repères possibles : {prenom}, {nom_complet}, {evenement}" in problems["subject"][0]
    assert "{lieux}" in problems["subject"][0] and "{prenon}" in problems["body"][0]
    assert {"{carte_evenement}", "{lien_desinscription}"} <= set(
        re.findall(r"\{\w+\}", " ".join(problems["body"][1:])))


def test_a_preview_is_checked_as_a_save_is(app, admin):
    with pytest.raises(TextRefused):
        keep_draft(CHARTER, admin.id, "Objet", "Bonjour {prenon}", NOW)
    keep_draft(CHARTER, admin.id, "Objet", CHARTER_BODY, NOW)
    keep_draft(CHARTER, admin.id, "Objet 2", CHARTER_BODY, NOW)
    db.session.commit()
    assert db.session.scalars(select(EmailTextDraft.subject)).all() == ["Objet 2"]
    # Saved, the text has nothing left to preview apart.
    save_text(CHARTER, "Objet", CHARTER_BODY, ADMIN, NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(EmailTextDraft)) == 0


# --- The outbox takes the edited text -------------------------------------------------------------

def test_the_next_charter_link_takes_the_edited_text_and_its_link_works(app, client):
    save_text(CHARTER, "{prenom}, votre adhésion au réseau QVT", CHARTER_BODY, ADMIN, NOW)
    db.session.commit()
    services.join(details(first_name="Anne"), NOW)
    db.session.commit()
    message = queued("charter_link")
    assert message.subject == "Anne, votre adhésion au réseau QVT"
    link = re.search(r"http://reseau\.test/charte/[^\s)]+", message.body_text).group(0)
    assert message.body_text.startswith("Bonjour Anne,\n\nVotre demande est bien arrivée. "
                                        "Acceptez la charte (version 1) :")
    assert f"Lire et accepter la charte ({link})" in message.body_text
    assert "valable 30 jours" in message.body_text
    # The footer of an applicant's e-mail, as with the files.
    assert "Retirer la demande : http://reseau.test/quitter/" in message.body_text
    html = message.body_html
    assert "<strong>Acceptez la charte</strong>" in html
    # The link alone in its paragraph is the message's button; the bare one, a link to copy.
    assert re.search(rf'<a style="display:inline-block;[^"]*" href="{re.escape(link)}"'
                     r'[^>]*>Lire et accepter la charte</a>', html)
    assert f'style="color:#1d5856;overflow-wrap:anywhere;word-break:break-all;">{link}</a>' in html
    assert 'class="email-footer"' in html and "Retirer la demande" in html
    assert "{lien}" not in html + message.body_text
    charter_page = client.get(path_of(link))
    assert charter_page.status_code == 200 and "charte" in charter_page.text.lower()


def test_an_edited_event_e_mail_keeps_its_card_attachment_and_cancel_link(app, client):
    save_text(REGISTERED, "Votre place : {evenement} ({date})",
              "Bonjour {nom_complet},\n\n{carte_evenement}\n\n"
              "Un empêchement ? [Je libère ma place]({lien_desinscription})\n", ADMIN, NOW)
    db.session.commit()
    member = make_member(NOW, first_name="Paul", last_name="Durand",
                         email="paul.durand@exemple.fr")
    event = make_event()
    register_member(event, member, EVENTS_NOW)
    db.session.commit()
    message = queued("event_registered")
    assert message.subject == ("Votre place : Atelier « Télétravail et QVT » "
                               "(lundi 30 novembre 2026, 14 h – 16 h)")
    assert message.body_text.startswith("Bonjour Paul Durand,\n\nAtelier « Télétravail et QVT »")
    # The card, as the files draw it: the online link goes to who has a place.
    assert "Lien de connexion : https://visio.exemple.fr/atelier-qvt" in message.body_text
    assert 'border-left:4px solid #1d5856;' in message.body_html
    assert message.attachment_name == f"evenement-{event.id}.ics"
    cancel = re.search(r"Je libère ma place \((\S+)\)", message.body_text).group(1)
    assert f'href="{cancel}"' in message.body_html
    assert client.get(path_of(cancel)).status_code == 200


def test_a_person_s_data_is_never_interpreted(app):
    hostile = "{lien} <script>alert(1)</script> **gras** [x](javascript:alert(1)) &amp;"
    save_text(CHARTER, "Pour {prenom}", CHARTER_BODY, ADMIN, NOW)
    db.session.commit()
    services.join(details(first_name=hostile, email="hostile@exemple.fr"), NOW)
    db.session.commit()
    message = queued("charter_link")
    assert message.subject == f"Pour {hostile}"
    assert message.body_text.startswith(f"Bonjour {hostile},")
    html = message.body_html
    assert "<script" not in html and "javascript:" not in html.replace("[x](javascript:", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **gras** [x](javascript:alert(1)) " \
           "&amp;amp;" in html
    assert "<strong>gras" not in html and 'href="javascript' not in html
    # The name's {lien} stays text: the link is where the text puts it, and only there.
    assert html.count("Bonjour {lien}") == 1
    assert len(re.findall(r"http://reseau\.test/charte/", message.body_text)) == 2


def test_back_to_the_default_the_files_write_the_e_mail_again(app):
    save_text(CHARTER, "Objet modifié", CHARTER_BODY, ADMIN, NOW)
    db.session.commit()
    assert reset_text(CHARTER) and not reset_text(CHARTER)
    db.session.commit()
    services.join(details(), NOW)
    db.session.commit()
    message = queued("charter_link")
    assert message.subject == ("Votre demande d'adhésion au réseau des intervenants QVT en "
                               "Occitanie")
    assert "LES MODALITÉS DE FONCTIONNEMENT DU RÉSEAU" in message.body_text


def test_a_second_sign_up_while_waiting_keeps_the_default_text(app):
    pending = EMAILS["admission_pending"]
    save_text(pending, "Candidature reçue", "Bonjour {prenom}, nous examinons votre candidature.",
              ADMIN, NOW)
    db.session.commit()
    app.config["ADMISSION_REVIEW"] = True
    person = make_member(NOW)
    services.join(details(), NOW)
    db.session.commit()
    first, again = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "admission_pending").order_by(OutboxMessage.id)).all()
    assert first.person_id == again.person_id == person.id
    assert first.subject == "Candidature reçue"
    assert again.subject == "Votre candidature est en attente de validation"


def test_a_batch_reads_the_edited_text_once(app):
    save_text(EMAILS["event_reminder"], "À demain : {evenement}",
              "Bonjour {prenom},\n\n{carte_evenement}\n\n{lien_desinscription}", ADMIN, NOW)
    workshop = make_event(audience=Audience.PUBLIC)
    for number in range(4):
        person = make_member(NOW, email=f"membre{number}@exemple.fr")
        register_member(workshop, person, EVENTS_NOW)
    guest = request_guest_registration(workshop, "Jean Invité", "jean@exemple.fr", "",
                                       EVENTS_NOW)
    confirm_guest_registration(guest, EVENTS_NOW)
    db.session.commit()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert send_event_reminders(STARTS - timedelta(hours=12)) == 5
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([s for s in statements if "FROM email_text" in s]) == 1
    reminders = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "event_reminder")).all()
    assert len(reminders) == 5 and {r.subject for r in reminders} == {
        "À demain : Atelier « Télétravail et QVT »"}
    assert any(r.body_text.startswith("Bonjour Jean Invité,") for r in reminders)


def test_an_edited_text_that_cannot_be_rendered_leaves_the_default_words_and_says_why(
        app, monkeypatch, caplog):
    save_text(CHARTER, "Objet modifié", CHARTER_BODY, ADMIN, NOW)
    db.session.commit()

    def broken(*args):
        raise KeyError("charter_url")

    monkeypatch.setattr("network.mail.services.render_edited", broken)
    services.join(details(), NOW)
    db.session.commit()
    message = queued("charter_link")
    assert message.subject.startswith("Votre demande d'adhésion")
    assert "LES MODALITÉS DE FONCTIONNEMENT DU RÉSEAU" in message.body_text
    assert [record.getMessage() for record in caplog.records
            if record.levelname == "ERROR"] == ["mail.edited_text_failed"]
