# Two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/requirements.stamp
# `make test`'s PostgreSQL pass (when it answers), and `make test-pg`; `PG_URL=... make test` points elsewhere.
PG_URL ?= postgres://postgres@127.0.0.1:5432/cqrs_demo

# Every recipe finds the virtualenv's python, pytest, ruff and lint-imports first.
export PATH := $(BIN):$(PATH)

# `make test`'s Django checks run with DEBUG off and no .env (like pytest), so Django needs some key.
CHECK_ENV := ENV_FILE= SECRET_KEY="$${SECRET_KEY:-test-secret-key-not-for-production}" SECURE_SSL="$${SECURE_SSL:-0}"

.PHONY: help venv run test test-pg lint audit format clean bench soak

help:
	@echo "make run      create the virtualenv and .env, migrate, seed demo data, serve http://localhost:9000"
	@echo "make test     the whole suite: ruff, import contracts, Django checks, pip-audit, pytest on SQLite and,"
	@echo "              when it answers, on PostgreSQL at PG_URL=$(PG_URL) (DATABASE_URL: that database only)"
	@echo "make test-pg  the suite against PostgreSQL at PG_URL only"
	@echo "make lint     ruff check, ruff format --check, lint-imports"
	@echo "make audit    pip-audit of the pinned requirements (AUDIT_STRICT=1: unauditable packages fail too)"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make clean    remove caches and collected static files (keeps .venv and db.sqlite3)"
	@echo "make bench    seed 1M products (SCALE=10000 for a quick run) and benchmark vs a naive baseline;"
	@echo "              BENCH_DB=name its own database (default cqrs_bench; name_<scale> below 1M), BENCH_PORT=first of 2"
	@echo "make soak     8 clients for 60 s under database cuts and killed workers; checks nothing is lost or untrue"

venv: $(STAMP)

# Python 3.13: pyenv's if present, else python3.13 on PATH.
$(PY):
	@py=""; \
	if command -v pyenv >/dev/null 2>&1; then \
		py="$$(pyenv which python3.13 2>/dev/null || true)"; \
		if [ -z "$$py" ]; then \
			py="$$(ls -d "$$(pyenv root)"/versions/3.13*/bin/python 2>/dev/null | sort -V | tail -n 1)"; \
		fi; \
	fi; \
	if [ -z "$$py" ]; then py="$$(command -v python3.13 || true)"; fi; \
	if [ -z "$$py" ]; then \
		echo "Python 3.13 not found. Install it (e.g. 'pyenv install 3.13') and run make again." >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt -c constraints.txt
	@touch $@

# .env: the development settings manage.py reads when nothing is exported (scripts/dev_env.py; kept once made).
.env: | $(PY)
	$(PY) scripts/dev_env.py $@

run: venv .env
	DEBUG=1 SECURE_SSL=0 SEED_DEMO=1 \
	DJANGO_SUPERUSER_USERNAME="$${DJANGO_SUPERUSER_USERNAME:-admin}" \
	DJANGO_SUPERUSER_PASSWORD="$${DJANGO_SUPERUSER_PASSWORD:-admin}" \
	DJANGO_SUPERUSER_EMAIL="$${DJANGO_SUPERUSER_EMAIL:-admin@example.com}" \
	scripts/run-dev.sh

lint: venv
	ruff check .
	ruff format --check .
	lint-imports

# Known vulnerabilities fail the build; see scripts/audit.py for packages the service cannot check.
audit: venv
	python scripts/audit.py

# Chromium is found or installed (scripts/system-packages.sh); pytest runs on SQLite, then on PostgreSQL at
# PG_URL when it answers (scripts/pytest-passes.sh). A failing pass fails `make test`.
test: lint audit
	scripts/system-packages.sh chromium
	$(CHECK_ENV) python manage.py check
	$(CHECK_ENV) python manage.py makemigrations --check --dry-run
	PG_URL="$(PG_URL)" scripts/pytest-passes.sh

test-pg:
	DATABASE_URL=$(PG_URL) $(MAKE) test

format: venv
	ruff format .
	ruff check --fix .

# `make bench` on PostgreSQL (BENCH_PG): seeds the catalogue once per scale (reused after), needs wrk and
# pgbench on PATH (Debian: apt-get install wrk postgresql-contrib); the table prints, JSON goes to bench-results/.
# Several people on one machine each pick a database (BENCH_DB, scale-suffixed below 1M) and two free ports.
SCALE ?= 1000000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= cqrs_bench
BENCH_PORT ?= 9103
BENCH_ARGS ?=
bench: venv
	python -m bench --scale $(SCALE) --pg $(BENCH_PG) --db $(BENCH_DB) --port $(BENCH_PORT) $(BENCH_ARGS)

# `make soak` on PostgreSQL: its own database (created and migrated), gunicorn on SOAK_PORT and a private proxy
# on SOAK_PORT+3 that it cuts; prints the figures, JSON goes to bench-results/, exit 1 if anything is off.
SOAK_DB ?= postgres://postgres@127.0.0.1:5432/cqrs_soak
SOAK_PORT ?= 9050
SOAK_ARGS ?=
soak: venv
	python -m bench.soak --db $(SOAK_DB) --port $(SOAK_PORT) --proxy-port $$(( $(SOAK_PORT) + 3 )) $(SOAK_ARGS)

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache .hypothesis .import_linter_cache test-results bench-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
