# Workgate: `make run` starts the whole portal; `make test` lints, then runs every test, browser
# tests included (what CI runs); `make test-fast` is the parallel non-browser inner loop.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast lint outdated bench install install-dev chromium migrate clean

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

test: lint chromium
	$(PY) -m pytest

# Inner loop: everything but the browser tests, spread over the cores by pytest-xdist.
test-fast: install-dev
	$(PY) -m pytest -m "not browser" -n auto -q

# What could be bumped next: pinned requirements first, then what they pull in.
outdated: install-dev
	@$(PY) scripts/outdated.py

bench: install-dev
	$(PY) -m benchmarks.pull_biotime
	$(PY) -m benchmarks.worker_crash

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
