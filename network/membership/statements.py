"""What the accessibility statement (/accessibilite) says, from the settings an RGAA audit sets
(config.py, ACCESSIBILITY_*; production refuses a claim of compliance without its audit)."""

from datetime import date

from network.templating import french_date, paris_noon


def accessibility_statement(config) -> dict:
    """The state, the audit (its day and rate, in French) and the contents not accessible."""
    rate = config["ACCESSIBILITY_AUDIT_RATE"]
    return {
        "state": config["ACCESSIBILITY_COMPLIANCE"],
        "audit_date": _french_day(config["ACCESSIBILITY_AUDIT_DATE"]),
        "rate": f"{rate:g}".replace(".", ",") if isinstance(rate, int | float) else None,
        "statement_date": _french_day(config["ACCESSIBILITY_STATEMENT_DATE"]),
        "non_compliant": list(config["ACCESSIBILITY_NON_COMPLIANT"] or []),
        "burden": list(config["ACCESSIBILITY_DISPROPORTIONATE_BURDEN"] or []),
        "exempt": list(config["ACCESSIBILITY_EXEMPT_CONTENT"] or []),
    }


def _french_day(value) -> str | None:
    """« 15 mars 2027 » for 2027-03-15; a day that does not read as one shows as it is."""
    if not value:
        return None
    try:
        return french_date(paris_noon(date.fromisoformat(str(value))))
    except ValueError:
        return str(value)
