"""The environment that starts the application's processes with the production settings."""

import os
import secrets


def production_env(database_url: str, mail_port: int, **settings: str) -> dict:
    """NETWORK_CONFIG=production against this database and a local SMTP sink (no TLS), over the
    current environment; `settings` adds or overrides variables (FLASK_*, GUNICORN_*)."""
    return {**os.environ, "NETWORK_CONFIG": "production", "FLASK_APP": "wsgi",
            "FLASK_SECRET_KEY": secrets.token_hex(32),
            "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
            "FLASK_MAIL_SERVER": "127.0.0.1", "FLASK_MAIL_PORT": str(mail_port),
            "FLASK_MAIL_USE_TLS": "false", "FLASK_BASE_URL": "https://reseau.test",
            **{f"FLASK_{name}": value for name, value in LEGAL_NOTICE.items()}, **settings}


# What /mentions-legales names, which production refuses to leave as placeholders.
LEGAL_NOTICE = {
    "PUBLISHER_ADDRESS": "1 place de l'Éditeur, 31000 Toulouse",
    "PUBLISHER_PHONE": "05 61 00 00 01",
    "PUBLICATION_DIRECTOR": "Camille Durand, directrice de l'Aract Occitanie",
    "HOST_NAME": "Hébergeur Test SAS", "HOST_ADDRESS": "2 rue des Serveurs, 34000 Montpellier",
    "HOST_PHONE": "04 67 00 00 02",
}
