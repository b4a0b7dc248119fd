"""gunicorn settings for production: `make serve-prod`, or the systemd unit in deploy/systemd.

Every value can be changed by an environment variable of the same name in capitals."""

import os

# Behind the reverse proxy, on the loopback interface.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core is gunicorn's rule of thumb; this machine class has two cores.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Requests are short; a stuck worker is replaced after this many seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The application logs one structured line per request itself (network/logs.py: URL rule, ids,
# status, duration; no query string, IP address or token), so gunicorn's access log stays off.
accesslog = None
errorlog = "-"
# The reverse proxy on the same machine sets X-Forwarded-For and X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
