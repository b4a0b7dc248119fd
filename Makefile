# The two commands of the README: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: install db run serve-prod test test-production lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

db: install
	$(BIN)/flask db upgrade

run: db
	$(BIN)/flask serve

# Production web service (NETWORK_CONFIG=production and the settings of deploy/env.example in
# the environment); run `flask scheduler` once beside it.
serve-prod: db
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

lint: install
	$(BIN)/ruff check .

# Test files shared between TEST_WORKERS processes (pytest-xdist), each with its own databases,
# PostgreSQL cluster, Dovecot and browser; a file's tests stay together, in their order.
TEST_WORKERS ?= 2

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The tests whose outcome the production settings can change (JSON logs, rate limits kept in the
# database, the proxy, no scheduler inside the web process), again on PostgreSQL with those
# settings. `make test` has run everything on both databases already; running all of it a third
# time took ten minutes of CI and found nothing the first two did not.
PRODUCTION_TESTS = tests/app/test_app.py tests/app/test_gunicorn.py tests/app/test_logs.py \
	tests/app/test_ratelimit.py tests/app/test_security_headers.py tests/app/test_bad_input_urls.py \
	tests/app/test_backup.py tests/scheduler tests/mail/test_outbox.py tests/mail/test_reliability.py \
	tests/admin/test_auth.py tests/admin/test_sessions.py tests/membership/test_join.py \
	tests/members_space/test_space.py
test-production: install
	NETWORK_TEST_SETTINGS=production $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -q \
		-k "not sqlite" $(PRODUCTION_TESTS)

clean:
	rm -rf $(VENV) instance *.egg-info .pytest_cache .ruff_cache
