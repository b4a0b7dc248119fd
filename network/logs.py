"""Structured logs: one line per request and per job step, carrying ids and counts only.

A line is an event name and fields. In production (LOG_FORMAT = "json") each line is a JSON
object that journald and log collectors can index; in development it reads as
``12:00:00 INFO request method=GET rule=/evenements status=200 ms=12.5``. No names, e-mail
addresses, IP addresses, query strings or link tokens: requests are logged by their URL rule
and the numeric ids of their path.
"""

import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO,
              exc_info: bool = False, **fields) -> None:
    logger.log(level, event, exc_info=exc_info, extra={"fields": fields})


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line = {"at": moment.isoformat(timespec="milliseconds"), "level": record.levelname,
                "logger": record.name, "event": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextLineFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")

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


def register_request_log(app: Flask) -> None:
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
