"""Settings of the network's application.

Every setting below can be overridden by an environment variable named ``FLASK_<NAME>``
(values are parsed as JSON when they can be: ``FLASK_CHARTER_LINK_DAYS=45``,
``FLASK_ADMIN_NOTIFICATION_EMAILS='["a@exemple.fr"]'``).
``NETWORK_CONFIG=production`` selects the production settings.
"""

from datetime import date

DEV_SECRET_KEY = "dev-only-secret-key-change-me"


class Config:
    SECRET_KEY = DEV_SECRET_KEY
    # None means: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = None
    # hide_parameters: an error's message never carries the values of its statement (addresses,
    # names, link nonces) into the logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    # Public address of the site, used to build the links written in e-mails.
    BASE_URL = "http://127.0.0.1:5000"
    NETWORK_NAME = "Réseau des intervenants QVT en Occitanie"
    CONTACT_EMAIL = "intervenants-qvt-occitanie@anact.fr"
    # Who is told of each new member until admin accounts exist.
    ADMIN_NOTIFICATION_EMAILS = ["intervenants-qvt-occitanie@anact.fr"]

    # /mentions-legales: who publishes the site and who hosts it (LCEN, article 6). A value
    # holding "à compléter" is a placeholder: production refuses to start while one is left.
    PUBLISHER_NAME = "Aract Occitanie"
    PUBLISHER_ADDRESS = "À compléter : adresse du siège de l'Aract Occitanie"
    PUBLISHER_PHONE = "À compléter : téléphone de l'Aract Occitanie"
    PUBLICATION_DIRECTOR = ("À compléter : nom et fonction du directeur ou de la directrice de "
                            "la publication")
    HOST_NAME = "À compléter : nom ou raison sociale de l'hébergeur"
    HOST_ADDRESS = "À compléter : adresse de l'hébergeur"
    HOST_PHONE = "À compléter : téléphone de l'hébergeur"

    # /accessibilite, the accessibility statement (RGAA), and the footer's « Accessibilité : … ».
    # Without an RGAA audit the state is « non conforme » (the RGAA's rule); an audit sets
    # « partiellement conforme » (at least 50 % of the criteria met) or « totalement conforme »
    # (all of them), its date (YYYY-MM-DD), its rate (the percentage of criteria met) and who
    # made it. The statement's date is the day it was written or last updated.
    ACCESSIBILITY_COMPLIANCE = "non conforme"
    ACCESSIBILITY_AUDIT_DATE = None
    ACCESSIBILITY_AUDIT_RATE = None
    ACCESSIBILITY_AUDITOR = None
    ACCESSIBILITY_STATEMENT_DATE = "2026-11-28"
    # What is not accessible, one sentence each: the criteria not met, the exemptions for a
    # disproportionate burden, the contents outside the obligation.
    ACCESSIBILITY_NON_COMPLIANT = []
    ACCESSIBILITY_DISPROPORTIONATE_BURDEN = []
    ACCESSIBILITY_EXEMPT_CONTENT = []

    # Membership rules.
    CHARTER_LINK_DAYS = 30
    APPLICATION_EXPIRY_DAYS = 30
    # On: an applicant who accepted the charter waits « en attente de validation » until an
    # admin admits or refuses them; the admins are reminded after this many days.
    ADMISSION_REVIEW = False
    ADMISSION_REVIEW_REMINDER_DAYS = 7

    # Calls for workshop themes: how many themes a member may propose in one call.
    THEME_PROPOSALS_PER_MEMBER = 3

    # Import of the network's former files: the day the network was launched (a member without
    # « Membre depuis » has been one since then), the largest file, and how long an import can
    # be cancelled.
    NETWORK_LAUNCH_DATE = "2019-11-22"
    # Where an uploaded file waits between its preview and its import (at most a day; None:
    # instance/imports).
    IMPORT_FOLDER = None
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_CANCEL_HOURS = 24

    # E-mail. "console" writes every message to the log; "smtp" sends through MAIL_SERVER.
    MAIL_BACKEND = "console"
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = (
        "Réseau des intervenants QVT Occitanie <intervenants-qvt-occitanie@anact.fr>")
    MAIL_TIMEOUT = 10.0
    MAIL_SUPPRESS_SEND = False
    OUTBOX_BATCH_SIZE = 100
    # A sender's claim on its batch (at least 4 × MAIL_TIMEOUT), renewed when half of it is gone;
    # a sender killed mid-batch leaves its messages for that long.
    OUTBOX_LEASE_SECONDS = 60
    # A message the relay refuses for a while (4xx) is tried again, less and less often, for
    # this long before it is "failed". An outage of the relay spends none of it.
    OUTBOX_RETRY_WINDOW_HOURS = 72
    # A message in flight when the connection died this many times fails alone.
    OUTBOX_MAX_CONNECTION_DROPS = 3
    # /healthz says smtp_failing (503) once the relay has refused connections this long.
    SMTP_FAILING_ALERT_MINUTES = 30
    # Quotas of the relay, shared by every process (Microsoft 365: 30 a minute, 10,000 a day).
    MAIL_RATE_PER_MINUTE = None
    MAIL_RATE_PER_DAY = None
    # Deliver right after a request the e-mails it queued, within this many seconds; the
    # scheduler, which looks for new messages every OUTBOX_POLL_SECONDS, takes the rest.
    OUTBOX_DELIVER_AFTER_REQUEST = True
    OUTBOX_WEB_BUDGET_SECONDS = 2.0
    OUTBOX_POLL_SECONDS = 5
    # List-Id of the mailings (RFC 2919).
    MAILING_LIST_ID = "Réseau des intervenants QVT Occitanie <reseau.intervenants-qvt-occitanie.fr>"

    # Bounces. Each e-mail leaves with its own envelope sender (Return-Path) on this address,
    # bounces+<id>-<tag>@domain, that names its outbox row; the mail server must deliver
    # "bounces+anything" to "bounces" (Postfix: recipient_delimiter = +), and the relay must
    # accept it as sender. None: the address of MAIL_DEFAULT_SENDER, as it is (bounces are then
    # recognised by the Message-ID they quote).
    MAIL_BOUNCE_ADDRESS = None
    # The mailbox the bounces arrive in, read by every tick over IMAP (None: not read). A mailbox
    # or folder of its own: every message read there is marked seen.
    BOUNCE_IMAP_HOST = None
    BOUNCE_IMAP_PORT = 993
    # True: IMAPS (TLS from the start); False: plain IMAP, with STARTTLS if the server offers it.
    BOUNCE_IMAP_SSL = True
    BOUNCE_IMAP_USER = None
    BOUNCE_IMAP_PASSWORD = None
    BOUNCE_IMAP_FOLDER = "INBOX"

    # Scheduler: one short tick on an interval. In development it runs inside `flask serve`.
    SCHEDULER_TICK_SECONDS = 60
    SCHEDULER_IN_APP = True

    # Anti-spam on the sign-up, sign-in and guest forms. "memory://" counts per process (one
    # process in development); "database://" counts in the database, shared by every worker.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    JOIN_RATE_LIMIT_PER_IP = "20 per hour"
    JOIN_RATE_LIMIT_PER_ADDRESS = "5 per hour"

    # Yearly renewal, on the network's anniversary (launched on 22 November 2019).
    RENEWAL_OPENS = "11-22"
    RENEWAL_OPENS_AT = "09:00"
    RENEWAL_MIN_TENURE_DAYS = 60
    RENEWAL_WINDOW_DAYS = 30
    RENEWAL_REMINDER_DAYS_BEFORE = [14, 3]
    # The GT QVT reviews who has not answered this many days before the deadline (the seed: the
    # exit for no answer is « à l'initiative du GT QVT PRST »).
    RENEWAL_REVIEW_DAYS_BEFORE = 7
    RENEWAL_BATCH_SIZE = 500

    # Member space: sign-in links, sessions, and how long the data of people who left is kept.
    SIGN_IN_LINK_MINUTES = 30
    MEMBER_SESSION_IDLE_MINUTES = 30
    # However active, a session ends this long after its sign-in (a copied cookie too).
    MEMBER_SESSION_MAX_HOURS = 12
    SIGN_IN_RATE_LIMIT_PER_IP = "20 per hour"
    SIGN_IN_RATE_LIMIT_PER_ADDRESS = "5 per hour"
    RETENTION_MONTHS = 12
    # Guests of public events (not members): their name, address and organisation are erased
    # this many days after the event, with the e-mails sent to them.
    GUEST_RETENTION_DAYS = 90
    DIRECTORY_PAGE_SIZE = 20

    # Events: the reminder to the registered, this many hours before the start.
    EVENT_REMINDER_HOURS_BEFORE = 24
    EVENTS_PAGE_SIZE = 12
    # The sign-in sheet (« feuille d'émargement ») ends with this many empty rows, for the people
    # who come without registering.
    SIGN_IN_SHEET_BLANK_ROWS = 8
    # Evaluations: the questionnaire goes to the people marked present this many hours after
    # the event's end; its personal link (and the needs survey's) can be answered this long.
    EVALUATION_DELAY_HOURS = 2
    EVALUATION_LINK_DAYS = 30

    # Resource library: uploads up to this size, stored here (None: instance/ressources).
    RESOURCE_MAX_UPLOAD_MB = 25
    RESOURCE_STORAGE_DIR = None
    RESOURCES_PAGE_SIZE = 20

    # News: items (and newsletters) per page of /actualites; entries of each kind in its feed.
    NEWS_PAGE_SIZE = 10
    NEWS_FEED_ENTRIES = 20

    # Logs on stderr, one line per request and per job step: "text" to read, "json" to index.
    LOG_FORMAT = "text"

    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_FIX_HOPS = 0

    # The back-office signs an admin out after this much inactivity, and in any case this long
    # after the sign-in.
    ADMIN_SESSION_IDLE_MINUTES = 60
    ADMIN_SESSION_MAX_HOURS = 12
    # Days an invitation to the back-office (sent from /admin/equipe) can be accepted: the link
    # sets the account's first password, so it does not wait for ever in a mailbox.
    ADMIN_INVITATION_DAYS = 7
    # Failed sign-ins to the back-office: per client address, per account from one address, and
    # per account from everywhere (a short window: a slow-down, not a lock; the browsers the
    # admin signed in with before are spared it).
    ADMIN_SIGN_IN_RATE_LIMIT_PER_IP = "20 per 15 minutes"
    ADMIN_SIGN_IN_RATE_LIMIT_PER_ACCOUNT_AND_IP = "5 per 15 minutes"
    ADMIN_SIGN_IN_RATE_LIMIT_PER_ACCOUNT = "10 per minute"
    # Wrong second-factor codes per account in a day, from everywhere but the browsers the admin
    # signed in with before: the slow-down above alone lets ten a minute through, days on end.
    ADMIN_TWO_FACTOR_RATE_LIMIT_PER_ACCOUNT = "20 per day"
    # On: an account without a second factor (a code from an authenticator app) that signs in
    # with its password opens only the page that sets one up, until it has one. On in
    # production: the back-office holds every member's details.
    ADMIN_TWO_FACTOR_REQUIRED = False

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Requests are refused (413) from their Content-Length, before being read (the resource
    # upload form is allowed RESOURCE_MAX_UPLOAD_MB more).
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024


class ProductionConfig(Config):
    SCHEDULER_IN_APP = False
    # Behind one reverse proxy (deploy/nginx.conf): trust its X-Forwarded-* headers once.
    PROXY_FIX_HOPS = 1
    RATELIMIT_STORAGE_URI = "database://"
    LOG_FORMAT = "json"
    MAIL_BACKEND = "smtp"
    MAIL_USE_TLS = True
    MAIL_PORT = 587
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    ADMIN_TWO_FACTOR_REQUIRED = True


def production_problems(config):
    """Return what makes a production configuration unsafe to start, in plain words."""
    problems = []
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET_KEY:
        problems.append("FLASK_SECRET_KEY must be set to a long random value, shared by every "
                        "worker")
    uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri or uri.startswith("sqlite"):
        problems.append("FLASK_SQLALCHEMY_DATABASE_URI must name the PostgreSQL database "
                        "(postgresql+psycopg://user:password@host/dbname)")
    if config.get("MAIL_BACKEND") != "smtp" or not config.get("MAIL_SERVER"):
        problems.append("FLASK_MAIL_SERVER must name the SMTP relay (MAIL_BACKEND=smtp)")
    if (config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory"):
        problems.append("FLASK_RATELIMIT_STORAGE_URI must be shared by every worker "
                        "(database://)")
    if (config.get("BASE_URL") or "").startswith("http://127.0.0.1"):
        problems.append("FLASK_BASE_URL must be the public address of the site")
    problems += [f"FLASK_{name} must say {what} for /mentions-legales (it is a placeholder)"
                 for name, what in LEGAL_NOTICE_SETTINGS.items()
                 if is_placeholder(config.get(name))]
    problems += accessibility_problems(config)
    return problems


# What /mentions-legales must name, which production refuses to leave as placeholders.
LEGAL_NOTICE_SETTINGS = {
    "PUBLISHER_NAME": "who publishes the site", "PUBLISHER_ADDRESS": "the publisher's address",
    "PUBLISHER_PHONE": "the publisher's phone number",
    "PUBLICATION_DIRECTOR": "who is the director of publication",
    "HOST_NAME": "who hosts the site", "HOST_ADDRESS": "the host's address",
    "HOST_PHONE": "the host's phone number",
}
ACCESSIBILITY_STATES = ("non conforme", "partiellement conforme", "totalement conforme")


def is_placeholder(value) -> bool:
    return not str(value or "").strip() or "à compléter" in str(value).lower()


def _is_day(value) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def accessibility_problems(config) -> list[str]:
    """A claim of compliance needs the audit that measured it (the RGAA's rule): « partiellement
    conforme » at least 50 % of the criteria, « totalement conforme » all of them."""
    state, rate = config.get("ACCESSIBILITY_COMPLIANCE"), config.get("ACCESSIBILITY_AUDIT_RATE")
    if state not in ACCESSIBILITY_STATES:
        return ["FLASK_ACCESSIBILITY_COMPLIANCE must be one of: "
                + ", ".join(ACCESSIBILITY_STATES)]
    if state == "non conforme":
        return []
    if not _is_day(config.get("ACCESSIBILITY_AUDIT_DATE")) or not isinstance(rate, int | float):
        return [f"FLASK_ACCESSIBILITY_COMPLIANCE says « {state} »: give the RGAA audit's date "
                "(FLASK_ACCESSIBILITY_AUDIT_DATE, YYYY-MM-DD) and rate "
                "(FLASK_ACCESSIBILITY_AUDIT_RATE, the percentage of criteria met)"]
    if (state == "totalement conforme") != (rate >= 100) or rate < 50:
        return [f"FLASK_ACCESSIBILITY_AUDIT_RATE ({rate} %) does not match « {state} » "
                "(partially: 50 % to less than 100 %; totally: 100 %)"]
    return []


CONFIGS = {"development": Config, "production": ProductionConfig}
