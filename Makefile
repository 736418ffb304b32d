# Workgate: `make run` starts the whole portal; `make test` lints, then runs every test, browser
# tests included, on SQLite and then the database tests again on a throwaway PostgreSQL
# (`make test-postgres`): what CI runs. `make test-fast` is the parallel non-browser inner loop.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast test-postgres lint outdated bench mutation install install-dev chromium postgres migrate clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Workgate needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runstack

chromium:
	@scripts/ensure-chromium

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

postgres:
	@scripts/ensure-postgres

# What production's database does differently from SQLite (locks, column limits, NUL bytes) is
# tested here: the portal's database tests, browser tests aside, on a fresh PostgreSQL cluster.
POSTGRES_TESTS ?= tests/portal

test: lint chromium postgres
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-postgres

test-postgres: install-dev postgres
	scripts/with-postgres $(PY) -m pytest -m "not browser" $(POSTGRES_TESTS)

# Inner loop: everything but the browser tests, spread over the cores by pytest-xdist.
test-fast: install-dev
	$(PY) -m pytest -m "not browser" -n auto -q

# What could be bumped next: pinned requirements first, then what they pull in.
outdated: install-dev
	@$(PY) scripts/outdated.py

# Not part of `test`: mutates four core modules and runs each against its own tests (long).
mutation: install-dev
	$(PY) scripts/mutation.py

# `make bench ONLY=doors` runs one group (pull, push, directory, doors, timecards, api).
bench: install-dev postgres
	$(PY) -m benchmarks $(ONLY)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
