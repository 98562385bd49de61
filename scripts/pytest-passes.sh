#!/usr/bin/env bash
# `make test`'s pytest: on SQLite, and on PostgreSQL too when it answers, so no test is left skipped.
#
#   DATABASE_URL set     one pass, against that database only
#   PG_URL answers       SQLite with the pg_only tests deselected, then the whole suite on PG_URL
#                        (its database is created when missing; pytest-django makes test_<name>_gw0... from it);
#                        the browser tests' width x DEBUG matrix is split: its DEBUG-on half runs on SQLite,
#                        its DEBUG-off half on PostgreSQL (UI_MATRIX=all in the environment: all of it in both)
#   PG_URL unreachable   SQLite only, the pg_only tests skipped with a reason (PG_REQUIRED=1: fail instead)
#   PG_URL empty         SQLite only, likewise
#
# Each pass runs in PYTEST_WORKERS pytest-xdist processes (default 3: on a 2-core box the PostgreSQL pass waits on
# the server, so a third process keeps both cores busy; `auto`: one per core; 0: in pytest's own process), and
# lists its 10 slowest tests (products/tests/run_order.py starts those first). Arguments go to every pytest run,
# after ours (`-n 0` wins). Every pass runs even when one fails; the exit
# status is non-zero when any failed, and the closing lines repeat each pass's pytest summary line and duration.
set -uo pipefail

cd "$(dirname "$0")/.."
[ -d .venv/bin ] && PATH="$PWD/.venv/bin:$PATH" # what `make test` puts first, for runs without make

summaries=()
status=0
workers="${PYTEST_WORKERS:-3}"

header() {
    printf '\n==================== %s ====================\n\n' "$*"
}

# run_pass LABEL DATABASE_URL PYTEST_ARGS...   (an empty DATABASE_URL means the embedded SQLite)
run_pass() {
    local label="$1" url="$2" log code summary started seconds
    shift 2
    header "pytest: $label"
    log="$(mktemp)"
    local color=()
    [ -t 1 ] && color=(--color=yes)
    started="$SECONDS"
    if [ -n "$url" ]; then
        DATABASE_URL="$url" pytest "${color[@]}" -n "$workers" --durations=10 "$@" 2>&1 | tee "$log"
    else
        env -u DATABASE_URL pytest "${color[@]}" -n "$workers" --durations=10 "$@" 2>&1 | tee "$log"
    fi
    code="${PIPESTATUS[0]}"
    seconds=$((SECONDS - started))
    printf '\n%s: %dm %02ds\n' "$label" $((seconds / 60)) $((seconds % 60))
    # pytest's closing line, e.g. "===== 790 passed, 36 deselected in 41.20s =====" (-q: the last line).
    summary="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^=+ .+ =+$' | tail -n 1)"
    [ -n "$summary" ] || summary="$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)"
    rm -f "$log"
    [ "$code" -eq 0 ] || status=1
    summaries+=("$label (exit status $code, $((seconds / 60))m $((seconds % 60))s):" "${summary:-no output}")
}

if [ -n "${DATABASE_URL:-}" ]; then
    run_pass "DATABASE_URL=${DATABASE_URL##*@} only" "$DATABASE_URL" "$@"
elif [ -z "${PG_URL:-}" ]; then
    echo "PG_URL is empty: SQLite pass only; the pg_only tests are skipped."
    run_pass "SQLite, the whole suite" "" "$@"
elif python scripts/pg_database.py "$PG_URL"; then
    UI_MATRIX="${UI_MATRIX:-debug}" run_pass "SQLite, pg_only deselected (the PostgreSQL pass runs them)" "" -m "not pg_only" "$@"
    UI_MATRIX="${UI_MATRIX:-production}" run_pass "PostgreSQL at ${PG_URL##*@}, the whole suite" "$PG_URL" "$@"
elif [ "${PG_REQUIRED:-0}" = "1" ]; then
    echo "PG_REQUIRED=1: the PostgreSQL pass must run, and PostgreSQL cannot be used at ${PG_URL##*@}." >&2
    exit 1
else
    echo "SQLite pass only: the pg_only tests are skipped. Start PostgreSQL there, or set PG_URL, to run them."
    run_pass "SQLite, the whole suite" "" "$@"
fi

header "make test: pytest summary"
printf '%s\n' "${summaries[@]}"
exit "$status"
