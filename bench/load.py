"""The HTTP section: the app under gunicorn driven by wrk, beside the naive baseline and the reference views."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.utils.crypto import get_random_string

from . import http, inprocess
from .apps import FIRST_VISIT_HEADER
from .results import Results
from .scales import SMALL_SCALE, database_name
from .scenarios import BENCH_USER, badge_paths, list_paths, naive_paths

WARM_UP_S = 1.0


def _session_cookie(username: str) -> str:
    return inprocess.client_for(username).cookies[settings.SESSION_COOKIE_NAME].value


def _server_env(db_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": db_url, "LOG_LEVEL": "INFO", "DJANGO_SETTINGS_MODULE": "bench.settings"}


def measure(args, results: Results, fx: dict, db_url: str, seconds: float) -> None:
    """The pages, the naive baseline, the reference views and the HTTP commands under wrk."""
    csrf = get_random_string(32)
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session_cookie(BENCH_USER)}; csrftoken={csrf}"
    headers = {"Cookie": cookie}
    post_headers = {"Cookie": cookie, "X-CSRFToken": csrf}
    try:
        if args.scale != SMALL_SCALE:
            # First, so it runs in the same conditions as the big catalogue's list pages right after it
            # (after the commands, checkpoints and a colder box skewed this 3 ms comparison).
            _http_small(args, results, seconds)
        with http.Server(port=args.port, env=_server_env(db_url)) as server:
            for name, path in {**list_paths(fx), **badge_paths(fx)}.items():
                _load(results, "http", name, server, path, seconds, headers=headers)
            etag = _etag(server, "/products/", headers)
            conditional = {**headers, "If-None-Match": etag}
            _load(results, "http", "list page 1 (304)", server, "/products/", seconds, headers=conditional)
            # The list page against its floor: a repeat visit (rows from the fragment cache), a first visit (the
            # cache emptied before each request) and the plain template, in turns.
            first_visit = {**headers, FIRST_VISIT_HEADER: "1"}
            _load_in_turns(
                results,
                server,
                seconds,
                [
                    ("http", "list page, repeat visit", "/products/", headers),
                    ("http", "list page, first visit", "/products/", first_visit),
                    ("reference", "plain template floor", "/bench/plain/", headers),
                ],
            )
            for name, path in naive_paths(fx).items():
                _load(results, "http", name, server, path, seconds, headers=headers)
            _load(results, "reference", "trivial view", server, "/bench/ping/", seconds)
            _load(results, "reference", "list template, fresh tables2 rows", server, "/bench/render/", seconds)
            if "commands" not in set(args.skip):
                _http_commands(results, fx, server, seconds, post_headers)
    except http.LoadToolMissing as exc:
        results.check("load generator", False, str(exc))


def _etag(server, path: str, headers: dict) -> str:
    """The ETag the list page answers this session with (for the conditional-request run)."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.headers["ETag"]


def _load(
    results, section, name, server, path, seconds, *, headers=None, script="get_status.lua", script_env=None, clients=2
):
    """One wrk run; reads use one connection per worker (no queueing), commands 8 concurrent clients.

    A short unmeasured run first, so worker start-up and first renders do not land in the figures.
    """
    kwargs = {"headers": headers, "script": script, "script_env": script_env, "connections": clients}
    http.wrk(server, path, seconds=min(WARM_UP_S, seconds), **kwargs)
    return _add(results, section, name, http.wrk(server, path, seconds=seconds, **kwargs))


def _load_in_turns(results, server, seconds, runs, *, rounds: int = 3) -> None:
    """Runs compared with each other: `rounds` short wrk runs of each in turn, so a shared box's drift lands on all.

    runs: (section, name, path, headers). Each gets `seconds` in all (at least a second per round).
    """
    reads = {"script": "get_status.lua", "connections": 2}
    for _, _, path, headers in runs:
        http.wrk(server, path, seconds=min(WARM_UP_S, seconds), headers=headers, **reads)
    parts: dict[str, list] = {name: [] for _, name, _, _ in runs}
    for _ in range(rounds):
        for _, name, path, headers in runs:
            parts[name].append(http.wrk(server, path, seconds=seconds / rounds, headers=headers, **reads))
    for section, name, _, _ in runs:
        _add(results, section, name, http.LoadResult.merged(parts[name]))


def _add(results, section, name, run):
    """One wrk result as a row of the table; error answers or no requests at all fail a check."""
    failed = {code for code in run.statuses.split() if code.split("=")[0] >= "400"}
    if failed or not run.requests:
        results.check(f"{name}: responses", False, run.statuses or "no requests completed")
    return results.add(
        section,
        name,
        server_p50_ms=run.server_p50_ms,
        server_p99_ms=run.server_p99_ms,
        client_p50_ms=run.client_p50_ms,
        client_p99_ms=run.client_p99_ms,
        per_s=run.per_second,
        requests=run.requests,
        statuses=run.statuses,
    )


def _http_commands(results, fx, server, seconds, post_headers) -> None:
    hot = {"BENCH_PATH": f"/products/{fx['hot']}/stock/receive/", "BENCH_PATH_PREFIX": "/products/"}
    rand = {"BENCH_PATHS_FILE": str(fx["cqrs_paths"]), "BENCH_PATH_PREFIX": "/products/"}
    naive_hot = {"BENCH_PATH": f"/baseline/products/{fx['naive_hot']}/stock/", "BENCH_PATH_PREFIX": "/baseline/"}
    naive_rand = {"BENCH_PATHS_FILE": str(fx["naive_paths"]), "BENCH_PATH_PREFIX": "/baseline/"}
    for name, env in (
        ("http command hot", hot),
        ("http command random", rand),
        ("naive http stock hot", naive_hot),
        ("naive http stock random", naive_rand),
    ):
        _load(
            results,
            "commands",
            name,
            server,
            "/",
            seconds,
            headers=post_headers,
            script="post_form.lua",
            script_env=env,
            clients=8,
        )


def _http_small(args, results: Results, seconds: float) -> None:
    """The same first page over a 10k catalogue, for the 'independent of size' target."""
    small_db = database_name(args.db, SMALL_SCALE)
    small_url = f"{args.pg}/{small_db}"
    base = [sys.executable, "-m", "bench", "--scale", str(SMALL_SCALE), "--pg", args.pg, "--db", args.db]
    subprocess.run([*base, "--seed-only"], check=True)  # noqa: S603
    session = (
        subprocess.run(  # noqa: S603
            [*base, "--session-for", BENCH_USER], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    with http.Server(port=args.port + 1, env=_server_env(small_url)) as server:
        _load(results, "http", "list page 1 @10k", server, "/products/", seconds, headers=headers)
