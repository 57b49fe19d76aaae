# Traguardo's task runner. `make run` and `make test` work from a fresh clone on Debian.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Every package, the dependencies' dependencies too, pinned with its hashes (`make lock`).
LOCK := requirements.lock
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in two processes (pytest-xdist), each with its own test database and var
# directory (tests/settings.py); a file's tests stay in one process. `make test PYTEST_N=0`
# runs it in one. The files are handed out in the order tests/conftest.py gives them, the
# costliest first (--no-loadscope-reorder: not xdist's order by number of tests).
PYTEST_N ?= 2
PYTEST_XDIST := -n $(PYTEST_N) --dist loadfile --no-loadscope-reorder
# Each worker rewrites the asserts of every test module it collects; with the bytecode cache
# allowed (even where PYTHONDONTWRITEBYTECODE is set) the next run reads them from __pycache__:
# about 5 s of CPU a worker.
PYTEST_ENV := PYTHONDONTWRITEBYTECODE=

.PHONY: run test test-fast docs lint fmt lock bench bench-tenants check-deploy clean

# The packages come from the lock only (a package whose hash differs is refused), then
# Traguardo itself without resolving anything again.
$(INSTALLED): pyproject.toml $(LOCK)
	@scripts/system-deps run
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r $(LOCK)
	$(VENV)/bin/pip install --quiet --no-deps -e .
	@touch $@

## lock: after a change to the dependencies of pyproject.toml, pin them again in requirements.lock
## (runtime and dev, transitive, with hashes); the pins already there are kept unless
## UPGRADE=1 (every package to its newest version)
lock:
	@test -x $(VENV)/bin/pip-compile || { $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install --quiet pip-tools==7.7.0; }
	$(VENV)/bin/pip-compile --quiet --generate-hashes --extra dev --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links \
		$(if $(UPGRADE),--upgrade) --output-file $(LOCK) pyproject.toml

## run: set up everything (venv, migrations, demo plan, demo year and users) and serve on http://127.0.0.1:8000
## with one jobs worker (db_worker) beside gunicorn
run: $(INSTALLED)
	$(PY) -m traguardo migrate --noinput
	$(PY) -m traguardo collectstatic --noinput --verbosity 0
	$(PY) -m traguardo load_seed
	$(PY) -m traguardo create_demo_users
	$(PY) -m traguardo load_demo_year
	@echo "Traguardo: http://$(HOST):$(PORT)/ (elaborazioni: un db_worker accanto a gunicorn)"
	@# The jobs' worker (django-tasks-db) runs beside gunicorn and stops with it, whatever
	@# ends gunicorn (Ctrl+C, an error): the EXIT trap sends it SIGTERM and waits for it.
	@$(PY) -m traguardo db_worker --no-reload & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(VENV)/bin/gunicorn traguardo.wsgi -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2 --access-logfile -

## test: install what the tests need (browser, PDF tools) and run the whole suite
test: $(INSTALLED)
	@scripts/system-deps test
	$(PYTEST_ENV) $(PY) -m pytest $(PYTEST_XDIST)

## test-fast: the suite without the browser tests
test-fast: $(INSTALLED)
	$(PYTEST_ENV) $(PY) -m pytest $(PYTEST_XDIST) -m "not browser"

## docs: the guide's screenshots (docs/guida/img/), taken by Chromium from a throwaway copy of the
## demo (own temp database, gunicorn on a free port): run after a change to the pages it shows
docs: $(INSTALLED)
	@scripts/system-deps test
	$(PY) docs/guida/screenshots.py

## lint: ruff, the import contracts of docs/architecture.md (lint-imports, [tool.importlinter])
## and the types (mypy over src/, [tool.mypy]: the scoring engine strict)
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

fmt: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: speed and memory figures (printed, never asserted): scoring, monitoring (SQLite and a
## throwaway PostgreSQL), documents (500-scheda PDF against LibreOffice), imports and hostile
## files, then the pages under 8 concurrent clients through gunicorn (bench/load.py): 11 and
## 2,000 schede on SQLite, 2,000 on PostgreSQL, and two gunicorn nodes sharing PostgreSQL and Redis
bench: $(INSTALLED)
	@scripts/system-deps bench
	$(PY) bench/run.py
	bash bench/with-postgres $(PY) bench/monitoring.py
	$(PY) bench/documents.py
	$(PY) bench/imports.py
	$(PY) bench/load.py --schede 11
	$(PY) bench/load.py --schede 2000
	bash bench/with-postgres $(PY) bench/load.py --database postgres --schede 2000
	bash bench/with-postgres $(PY) bench/load.py --database postgres --schede 2000 --nodes 2

## bench-tenants: one authority's pages alone, then beside 299 others (300 × 200 schede, PostgreSQL)
## (apart from `bench`: building the 60,000 schede alone took 12 minutes on a busy 2-core machine)
bench-tenants: $(INSTALLED)
	@scripts/system-deps bench
	bash bench/with-postgres $(PY) bench/load.py --database postgres --tenants 300 --per-tenant 200

## check-deploy: Django's deployment checklist with production settings
check-deploy: $(INSTALLED)
	TRAGUARDO_PRODUCTION=1 TRAGUARDO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	TRAGUARDO_AUDIT_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))') \
	TRAGUARDO_ALLOWED_HOSTS=traguardo.example.it \
	$(PY) -m traguardo check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .pytest_cache .import_linter_cache .mypy_cache
