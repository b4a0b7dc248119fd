"""The statements a French public site owes: the legal notice (/mentions-legales), the
accessibility statement (/accessibilite) and its line in every page's footer, and production's
refusal to start while they name placeholders."""

import html
import re

import pytest

from config import Config, ProductionConfig, production_problems
from tests.support.production import LEGAL_NOTICE


def settings_of(config_class) -> dict:
    return {key: getattr(config_class, key) for key in dir(config_class) if key.isupper()}


def safe_production(**overrides) -> dict:
    return {**settings_of(ProductionConfig), "SECRET_KEY": "x" * 40,
            "MAIL_SERVER": "smtp.exemple.fr", "BASE_URL": "https://reseau-qvt.exemple.fr",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@db/reseau",
            **LEGAL_NOTICE, **overrides}


def test_production_refuses_the_placeholders_of_the_legal_notice():
    assert production_problems(safe_production()) == []
    problems = production_problems(settings_of(ProductionConfig))
    for name in LEGAL_NOTICE:
        assert any(f"FLASK_{name} " in problem for problem in problems), name
    # The publisher is known (the Aract Occitanie); a blank one is refused like a placeholder.
    assert Config.PUBLISHER_NAME == "Aract Occitanie"
    assert production_problems(safe_production(PUBLISHER_NAME="  ")) == [
        "FLASK_PUBLISHER_NAME must say who publishes the site for /mentions-legales "
        "(it is a placeholder)"]
    assert production_problems(safe_production(HOST_NAME="À compléter : l'hébergeur")) == [
        "FLASK_HOST_NAME must say who hosts the site for /mentions-legales (it is a placeholder)"]


def test_production_refuses_to_start_with_a_placeholder_host(monkeypatch):
    from network import create_app

    monkeypatch.setenv("NETWORK_CONFIG", "production")
    for name in ("SECRET_KEY", "MAIL_SERVER", "BASE_URL", "SQLALCHEMY_DATABASE_URI",
                 *LEGAL_NOTICE):
        monkeypatch.setenv(f"FLASK_{name}", safe_production()[name])
    monkeypatch.setenv("FLASK_HOST_ADDRESS", Config.HOST_ADDRESS)
    with pytest.raises(RuntimeError, match="FLASK_HOST_ADDRESS") as refusal:
        create_app()
    assert "FLASK_SECRET_KEY" not in str(refusal.value)


@pytest.mark.parametrize("settings, complaint", [
    ({"ACCESSIBILITY_COMPLIANCE": "conforme"}, "must be one of"),
    ({"ACCESSIBILITY_COMPLIANCE": "partiellement conforme"}, "give the RGAA audit's date"),
    ({"ACCESSIBILITY_COMPLIANCE": "partiellement conforme", "ACCESSIBILITY_AUDIT_RATE": 80,
      "ACCESSIBILITY_AUDIT_DATE": "le 3 mars"}, "give the RGAA audit's date"),
    ({"ACCESSIBILITY_COMPLIANCE": "partiellement conforme", "ACCESSIBILITY_AUDIT_RATE": 40,
      "ACCESSIBILITY_AUDIT_DATE": "2027-03-15"}, "does not match"),
    ({"ACCESSIBILITY_COMPLIANCE": "totalement conforme", "ACCESSIBILITY_AUDIT_RATE": 92.5,
      "ACCESSIBILITY_AUDIT_DATE": "2027-03-15"}, "does not match"),
])
def test_production_refuses_a_claim_of_compliance_without_its_audit(settings, complaint):
    [problem] = production_problems(safe_production(**settings))
    assert "FLASK_ACCESSIBILITY_" in problem and complaint in problem


def test_an_audited_state_or_none_at_all_is_accepted():
    assert Config.ACCESSIBILITY_COMPLIANCE == "non conforme", "no RGAA audit yet"
    assert production_problems(safe_production(
        ACCESSIBILITY_COMPLIANCE="partiellement conforme", ACCESSIBILITY_AUDIT_RATE=78.5,
        ACCESSIBILITY_AUDIT_DATE="2027-03-15")) == []
    assert production_problems(safe_production(
        ACCESSIBILITY_COMPLIANCE="totalement conforme", ACCESSIBILITY_AUDIT_RATE=100,
        ACCESSIBILITY_AUDIT_DATE="2027-03-15")) == []


def page_text(page: str) -> str:
    """What a reader sees: no tags, plain spaces and apostrophes (the typography sets them)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text)


def test_the_legal_notice_names_the_publisher_the_director_and_the_host(make_app):
    app = make_app(**LEGAL_NOTICE, CONTACT_EMAIL="contact@reseau.test")
    with app.app_context():
        text = page_text(app.test_client().get("/mentions-legales").text)
    assert "édité par Aract Occitanie pour le groupe de travail" in text
    assert "Plan régional santé travail (PRST) Occitanie" in text
    for value in LEGAL_NOTICE.values():
        assert page_text(value) in text, value
    assert "Directeur·rice de la publication : Camille Durand" in text
    assert "contact@reseau.test" in text and "déclaration d'accessibilité" in text


def test_the_legal_notice_shows_its_placeholders_until_they_are_filled(client):
    text = page_text(client.get("/mentions-legales").text)
    assert "À compléter : nom ou raison sociale de l'hébergeur" in text


def test_the_accessibility_statement_without_an_audit(client):
    response = client.get("/accessibilite")
    assert response.status_code == 200
    text = page_text(response.text)
    for part in ("Déclaration d'accessibilité", "article 47 de la loi n° 2005-102",
                 "est non conforme avec le référentiel général d'amélioration de "
                 "l'accessibilité (RGAA), version 4.1 : il n'a pas encore fait l'objet d'un audit",
                 "Résultats des tests", "Aucun audit de conformité au RGAA",
                 "axe-core", "1366 pixels", "390 pixels", "au clavier",
                 "Contenus non accessibles", "la liste des contenus non accessibles n'est pas "
                 "encore établie", "Technologies utilisées", "HTML5", "CSS",
                 "n'utilise pas JavaScript", "Environnement de test", "Chromium",
                 "Retour d'information et contact", "intervenants-qvt-occitanie@anact.fr",
                 "Voies de recours", "Défenseur des droits", "Libre réponse 71120",
                 "75342 Paris CEDEX 07", "ne pas mettre de timbre",
                 "Cette déclaration a été établie le 28 novembre 2026"):
        assert part in text, part
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in response.text
    assert "<script" not in response.text and "style=" not in response.text


def test_the_accessibility_statement_follows_an_audit(make_app):
    app = make_app(ACCESSIBILITY_COMPLIANCE="partiellement conforme",
                   ACCESSIBILITY_AUDIT_DATE="2027-03-15", ACCESSIBILITY_AUDIT_RATE=78.5,
                   ACCESSIBILITY_AUDITOR="Cabinet Accès",
                   ACCESSIBILITY_NON_COMPLIANT=["Les graphiques n'ont pas d'alternative."],
                   ACCESSIBILITY_EXEMPT_CONTENT=["Les replays des partenaires."])
    with app.app_context():
        client = app.test_client()
        text = page_text(client.get("/accessibilite").text)
        footer = page_text(client.get("/").text)
    assert "est partiellement conforme avec le référentiel" in text
    assert "en raison des non-conformités et des dérogations énumérées ci-dessous" in text
    assert ("L'audit de conformité réalisé le 15 mars 2027 par Cabinet Accès révèle que "
            "78,5 % des critères du RGAA version 4.1 sont respectés") in text
    assert "Non-conformités Les graphiques n'ont pas d'alternative." in text
    assert ("Contenus non soumis à l'obligation d'accessibilité Les replays des partenaires."
            in text)
    assert "Dérogations pour charge disproportionnée" not in text, "none listed"
    assert "Accessibilité : partiellement conforme" in footer


@pytest.mark.parametrize("path", ["/", "/rejoindre", "/evenements", "/ressources", "/connexion",
                                  "/confidentialite", "/mentions-legales", "/accessibilite",
                                  "/nulle-part"])
def test_every_page_says_its_accessibility_in_the_footer(client, path):
    page = client.get(path).text
    footer = page[page.index("<footer"):]
    assert '<a href="/accessibilite">Accessibilité : non conforme</a>' in footer.replace(
        "\u00a0", " ")


def test_the_member_space_and_the_back_office_say_it_too(app, admin_client):
    from network.extensions import db
    from tests.factories import make_member, member_session

    member = make_member()
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        member_session(session, member)
    for page in (client.get("/espace").text, client.get("/espace/mes-donnees").text,
                 admin_client.get("/admin/").text):
        assert "Accessibilité : non conforme" in page.replace("\u00a0", " ")
