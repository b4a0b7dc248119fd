"""Structured logs: one line per request and per job step, carrying ids and counts only.

A line is an event name and fields. In production (LOG_FORMAT = "json") each line is a JSON
object that journald and log collectors can index; in development it reads as
``12:00:00 INFO request method=GET rule=/evenements status=200 ms=12.5``. No names, e-mail
addresses, IP addresses, query strings or link tokens: requests are logged by their URL rule
and the numeric ids of their path. A traceback keeps its frames and its SQL statements, never what
an exception carried about people: SQL parameters are hidden by the engine (hide_parameters) and
each message of the chain is scrubbed here, so that an error is no leak.
"""

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request
from sqlalchemy.exc import StatementError


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO,
              exc_info=False, **fields) -> None:
    logger.log(level, event, exc_info=exc_info, extra={"fields": fields})


# What an exception message may carry about a person: an e-mail address, a signed link or a
# nonce (long runs of letters and digits), a value the database quotes back.
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TOKEN = re.compile(r"(?<![\w-])(?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])[\w-]{16,}(?:\.[\w-]+)*")
QUOTED_VALUE = re.compile(r"""(:\s*)("[^"]*"|'[^']*')""")
DRIVERS = ("psycopg", "psycopg2", "sqlite3")


def scrub(text: str) -> str:
    """An exception message without the e-mail addresses and tokens it may hold."""
    return TOKEN.sub("<jeton>", EMAIL_ADDRESS.sub("<adresse>", text))


def safe_message(error: BaseException) -> str:
    """What a log may say of an exception. A database error keeps its kind, its first line and
    its statement: its detail quotes the values (« Key (email)=(…) already exists »)."""
    if isinstance(error, StatementError):
        orig = error.orig
        kind = f"({type(orig).__module__}.{type(orig).__qualname__}) " if orig else ""
        summary = _driver_summary(orig) if orig else ""
        return scrub(f"{kind}{summary}\n[SQL: {error.statement}]")
    if type(error).__module__.split(".")[0] in DRIVERS:
        return scrub(_driver_summary(error))
    return scrub(str(error))


def _driver_summary(error: BaseException) -> str:
    first_line = (str(error).strip().splitlines() or [""])[0]
    return QUOTED_VALUE.sub(r"\1<valeur>", first_line)


def format_exception(exc_info) -> str:
    """The traceback of an exception and of those it came from, each message made safe."""
    chain, error, seen = [], exc_info[1], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    parts = []
    for position, error in enumerate(reversed(chain)):
        if position:
            parts.append("\nThe above exception was the direct cause of the following exception:"
                         "\n\n" if error.__cause__ is not None else
                         "\nDuring handling of the above exception, another exception "
                         "occurred:\n\n")
        if error.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(error.__traceback__))
        name = type(error).__qualname__
        module = type(error).__module__
        if module not in ("builtins", "__main__"):
            name = f"{module}.{name}"
        message = safe_message(error)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
    return "".join(parts).rstrip("\n")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line = {"at": moment.isoformat(timespec="milliseconds"), "level": record.levelname,
                "logger": record.name, "event": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)

    def formatException(self, exc_info) -> str:
        return format_exception(exc_info)


class TextLineFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        # Never a traceback another formatter wrote for the record, unscrubbed.
        record.exc_text = None
        return super().format(record)

    def formatException(self, exc_info) -> str:
        return format_exception(exc_info)

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{key}={value}" for key, value in getattr(record, "fields", {}).items())
        return f"{super().formatMessage(record)} {fields}".rstrip()


FORMATTERS = {"json": JsonLineFormatter, "text": TextLineFormatter}


class StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr (systemd hands it to journald; test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def configure_logging(log_format: str) -> None:
    """The application's logs, one line each, on stderr (called by every app and command)."""
    handler = StderrHandler()
    handler.setFormatter(FORMATTERS[log_format]())
    logger = logging.getLogger("network")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)


request_log = logging.getLogger("network.request")


def log_failed_request(exc_info) -> None:
    """An unhandled error, by its URL rule (Flask's own line names the path, tokens included)."""
    log_event(request_log, "request.failed", logging.ERROR, exc_info=exc_info,
              trace_id=g.get("trace_id"), method=request.method,
              rule=request.url_rule.rule if request.url_rule else "(aucune)",
              member_id=g.get("member_id"), admin_id=g.get("admin_id"))


def register_request_log(app: Flask) -> None:
    app.log_exception = log_failed_request

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        # The reverse proxy's id (nginx $request_id) ties its log to ours.
        g.trace_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        path_ids = {name: value for name, value in (request.view_args or {}).items()
                    if isinstance(value, int)}
        log_event(request_log, "request", **{
            **path_ids, "trace_id": g.get("trace_id"), "method": request.method,
            "rule": request.url_rule.rule if request.url_rule else "(aucune)",
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "member_id": g.get("member_id"), "admin_id": g.get("admin_id")})
        return response
