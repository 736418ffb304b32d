# Workgate: `make run` starts the whole portal; `make test` runs every test, browser tests included.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test bench mutation install install-dev chromium migrate clean

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

test: install-dev chromium
	$(PY) -m pytest

# Not part of `test`: mutates four core modules and runs each against its own tests (long).
mutation: install-dev
	$(PY) scripts/mutation.py

bench: install-dev
	$(PY) -m benchmarks.pull_biotime
	$(PY) -m benchmarks.worker_crash

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
