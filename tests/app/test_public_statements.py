"""The statements a French public site owes: the legal notice (/mentions-legales), the
accessibility statement (/accessibilite) and its line in every page's footer, and production's
refusal to start while they name placeholders."""

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
