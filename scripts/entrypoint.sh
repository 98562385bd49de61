#!/usr/bin/env bash
# One entry point for the container and for `make run`, so both follow the same steps.
#
#   entrypoint.sh web       wait for the database, prepare, then serve with gunicorn
#   entrypoint.sh worker    wait for the database and its migrations, then run db_worker
#   entrypoint.sh projectors  wait for the database and its migrations, then run run_projectors
#   entrypoint.sh migrate   wait for the database, then apply migrations
#   entrypoint.sh prepare   the web steps without serving (migrate, collectstatic, seed, superuser)
#   entrypoint.sh serve     gunicorn only (assumes `prepare` already ran)
#   entrypoint.sh <cmd...>  anything else is executed as given (e.g. `python manage.py shell`)
#
# Environment: DATABASE_URL, DEBUG, PORT (9000), WEB_CONCURRENCY (2), SEED_DEMO=1 to seed an
# empty database (SEED_DEMO_PRODUCTS=N for its size), DJANGO_SUPERUSER_USERNAME/_EMAIL/_PASSWORD
# to ensure a superuser, DB_WAIT_TIMEOUT (60 s), MIGRATION_WAIT_TIMEOUT (120 s).
# `python` is whatever comes first on PATH: the virtualenv locally, the image's Python in Docker.
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf '[entrypoint] %s\n' "$*" >&2; }

is_true() {
    case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]')" in
        1 | true | yes | on) return 0 ;;
        *) return 1 ;;
    esac
}

wait_for_db() {
    case "${DATABASE_URL:-}" in
        postgres://* | postgresql://* | pgsql://*) ;;
        *) return 0 ;; # SQLite: nothing to wait for
    esac
    log "waiting for PostgreSQL (up to ${DB_WAIT_TIMEOUT:-60}s)"
    python - <<'PY'
import os
import sys
import time

import psycopg2

timeout = float(os.environ.get("DB_WAIT_TIMEOUT", "60"))
deadline = time.monotonic() + timeout
url = os.environ["DATABASE_URL"].replace("pgsql://", "postgres://", 1)
while True:
    try:
        psycopg2.connect(url, connect_timeout=3).close()
        break
    except psycopg2.OperationalError as exc:
        if time.monotonic() >= deadline:
            sys.exit(f"[entrypoint] database not reachable after {timeout:.0f}s: {exc}".strip())
        time.sleep(1)
PY
    log "database is up"
}

wait_for_migrations() {
    local timeout="${MIGRATION_WAIT_TIMEOUT:-120}" waited=0
    until python manage.py migrate --check >/dev/null 2>&1; do
        if [ "$waited" -ge "$timeout" ]; then
            log "migrations still unapplied after ${timeout}s; run 'entrypoint.sh migrate' first"
            python manage.py migrate --check
            exit 1
        fi
        [ "$waited" -eq 0 ] && log "waiting for migrations to be applied (up to ${timeout}s)"
        sleep 2
        waited=$((waited + 2))
    done
}

migrate() {
    log "applying migrations"
    python manage.py migrate --noinput
}

ensure_superuser() {
    [ -n "${DJANGO_SUPERUSER_USERNAME:-}" ] || return 0
    local output
    if output="$(python manage.py createsuperuser --noinput 2>&1)"; then
        log "superuser '${DJANGO_SUPERUSER_USERNAME}' created"
    elif printf '%s' "$output" | grep -qiE 'already (taken|exists)'; then
        log "superuser '${DJANGO_SUPERUSER_USERNAME}' already exists"
    else
        printf '%s\n' "$output" >&2
        exit 1
    fi
}

prepare() {
    wait_for_db
    migrate
    if ! is_true "${DEBUG:-}"; then
        log "collecting static files"
        python manage.py collectstatic --noinput -v 0
    fi
    if is_true "${SEED_DEMO:-}"; then
        log "seeding demo data if the database is empty"
        python manage.py seed_demo --if-empty ${SEED_DEMO_PRODUCTS:+--products "$SEED_DEMO_PRODUCTS"}
    fi
    ensure_superuser
}

serve() {
    log "serving on http://0.0.0.0:${PORT:-9000}"
    exec gunicorn cqrs_demo.wsgi:application \
        --bind "0.0.0.0:${PORT:-9000}" \
        --workers "${WEB_CONCURRENCY:-2}" \
        --access-logfile -
}

command="${1:-web}"
case "$command" in
    web)
        prepare
        serve
        ;;
    serve) serve ;;
    prepare) prepare ;;
    worker)
        wait_for_db
        wait_for_migrations
        # Work a dead worker left half done (commands, imports, rebuilds) is queued again; it applies once.
        python manage.py requeue_stalled_commands
        log "starting the background task worker"
        exec python manage.py db_worker
        ;;
    projectors)
        wait_for_db
        wait_for_migrations
        log "starting the projectors (ledger, stock per location)"
        exec python manage.py run_projectors
        ;;
    migrate)
        wait_for_db
        migrate
        ;;
    *) exec "$@" ;;
esac
