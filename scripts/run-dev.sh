#!/usr/bin/env bash
# `make run`: the web server, a background task worker and the projectors, all stopped together.
set -euo pipefail

cd "$(dirname "$0")/.."
entrypoint=scripts/entrypoint.sh

# Migrate, seed and create the superuser before the worker starts, so it never sees a bare database.
"$entrypoint" prepare

worker_pid=""
projectors_pid=""
web_pid=""
cleanup() {
    trap - EXIT INT TERM
    for pid in $web_pid $worker_pid $projectors_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The ledger and stock per location are projected by run_projectors, not in each command.
export PROJECTORS_IN_PROCESS=0
"$entrypoint" worker &
worker_pid=$!
"$entrypoint" projectors &
projectors_pid=$!

cat <<BANNER

  ┌──────────────────────────────────────────────────────────────┐
    CQRS inventory demo: http://localhost:${PORT:-9000}/
    Log in at http://localhost:${PORT:-9000}/accounts/login/ with
      admin   / admin     superuser (also /admin/)
      manager / manager   manages products and stock
      clerk   / clerk     receives, issues and counts stock
      viewer  / viewer    read only
    Press Ctrl-C to stop the server, the worker and the projectors.
  └──────────────────────────────────────────────────────────────┘

BANNER

"$entrypoint" serve &
web_pid=$!
wait "$web_pid"
