# Two commands: `make run` (the service with its demo data, on SQLite) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/communs
DEMO_PASSWORD ?= communs-demo

.PHONY: run test lint pytest pytest-postgres install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo --password $(DEMO_PASSWORD)
	@echo "Service: http://127.0.0.1:8000/  API: http://127.0.0.1:8000/api/docs/  (comptes de démo : mot de passe $(DEMO_PASSWORD))"
	DEBUG=1 $(BIN)/python manage.py run_scheduler & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# ruff, then the import contracts of pyproject.toml: a module that imports a layer above
# its own (docs/architecture.md) fails here.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# The whole suite on SQLite, then again on PostgreSQL + Redis (skipped when they are not
# reachable, except under CI=true where they must run).
pytest: $(STAMP)
	$(BIN)/pytest -m "not postgres"

# The browser journeys, the LibreOffice conversions, the production server (gunicorn,
# check --deploy: on their own SQLite file; the engines the settings choose) and
# schemathesis over the whole API need not run on both databases: the SQLite pass runs
# them, the PostgreSQL pass leaves them out. The scale-out run
# (tests/config/test_scale_out.py, marked postgres) is the PostgreSQL pass's.
ONCE := --ignore=tests/e2e --ignore=tests/procurement/documents/test_pdf.py \
	--ignore=tests/config/test_gunicorn.py --ignore=tests/config/test_deploy_check.py \
	--ignore=tests/config/test_engines.py \
	--ignore=tests/config/test_lockout_processes.py --ignore=tests/api/test_schemathesis.py

pytest-postgres: $(STAMP)
	@if [ "$$CI" = "true" ] || $(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 user=postgres dbname=postgres connect_timeout=2').close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest $(ONCE); \
	else echo "PostgreSQL absent : passe PostgreSQL ignorée (elle est obligatoire sous CI=true)."; fi

test: lint pytest pytest-postgres

bench: $(STAMP)
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/cofunding.py
	$(BIN)/python bench/opendata.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) db.sqlite3* media
