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

test: lint
	$(BIN)/pytest

# The PostgreSQL half of the suite again, with the production settings a test harness can keep.
test-production: install
	NETWORK_TEST_SETTINGS=production $(BIN)/pytest -q -k "not sqlite"

clean:
	rm -rf $(VENV) instance *.egg-info .pytest_cache .ruff_cache
