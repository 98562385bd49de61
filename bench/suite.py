"""The measurements of one run, in order: reads, baseline, references, commands, rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils.crypto import get_random_string

from . import commands, database, http, inprocess
from .scales import SMALL_SCALE, database_name
from .targets import evaluate

SEARCHES = {
    "selective": "heavy-duty torque wrench, steel",
    "broad": "cable",
    "sku_fragment": "acc-0012",
}
BENCH_USER = "clerk"
WARM_UP_S = 1.0
PLANNER_SCALE = 100_000


class Results:
    """Rows for the table and the JSON, grouped by section."""

    def __init__(self, meta: dict):
        self.meta = meta
        self.rows: list[dict] = []
        self.checks: list[dict] = []

    def add(self, section: str, name: str, **values) -> dict:
        row = {"section": section, "name": name, **values}
        self.rows.append(row)
        print(f"  {section:<10} {name:<28} " + ", ".join(f"{k}={_short(v)}" for k, v in values.items()), flush=True)
        return row

    def get(self, name: str) -> dict:
        """Every value measured under this name (SQL count and HTTP timings share a name)."""
        merged: dict = {}
        for row in self.rows:
            if row["name"] == name:
                merged.update(row)
        return merged

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append({"name": name, "ok": ok, "detail": detail})
        print(f"  check      {name:<28} {'ok' if ok else 'FAILED'}: {detail}", flush=True)


def _short(value):
    return f"{value:.2f}" if isinstance(value, float) else value


def run_suite(args, db_url: str, seed_info) -> dict:
    seconds = args.duration
    skip = set(args.skip)
    results = Results(
        {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scale": args.scale,
            "database": db_url.rsplit("/", 1)[-1],
            "seed": seed_info.as_dict(),
            "duration_per_run_s": seconds,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        }
    )
    results.add(
        "seed",
        "bulk seed",
        products=seed_info.products,
        movements=seed_info.movements,
        events=seed_info.events,
        seconds=round(seed_info.seconds, 1),
        products_per_s=round(seed_info.products / seed_info.seconds) if seed_info.seconds else None,
        reused=seed_info.reused,
    )
    call_command("collectstatic", interactive=False, verbosity=0)  # pages render with DEBUG off (manifest)
    fixtures = _fixtures(results)
    _in_process_reads(results, fixtures, db_url)
    if "http" not in skip:
        _http(args, results, fixtures, db_url, seconds)
    if "commands" not in skip:
        commands.measure(results, fixtures, _dsn(db_url), seconds, username=BENCH_USER)
    if "pgbench" not in skip:
        _pgbench(args, results, seconds)
    if "rebuild" not in skip:
        _rebuild(results)
    evaluate(results)
    return {
        "meta": results.meta,
        "rows": results.rows,
        "checks": results.checks,
        "ok": all(c["ok"] for c in results.checks),
    }


def _fixtures(results: Results) -> dict:
    """Ids, cursors and the baseline table the scenarios need."""
    from baseline.models import NaiveProduct
    from products.read.queries import _encode_cursor
    from products.read.tables import ProductSummary
    from products.write.log import Event

    total = ProductSummary.objects.filter(archived=False).count()
    if NaiveProduct.objects.count() != ProductSummary.objects.count():
        started = time.perf_counter()
        loaded = database.load_baseline()
        results.add("seed", "baseline table", rows=loaded, seconds=round(time.perf_counter() - started, 1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE products_productsummary")  # plans as a settled database would make them
        cursor.execute(
            "SELECT name, product_id FROM products_productsummary WHERE NOT archived "
            "ORDER BY name, product_id OFFSET %s LIMIT 1",
            [total // 2],
        )
        name, middle_id = cursor.fetchone()
        cursor.execute("SELECT product_id FROM products_productsummary TABLESAMPLE SYSTEM (1) LIMIT 5000")
        sample_ids = [row[0] for row in cursor.fetchall()]
        if len(sample_ids) < 100:
            cursor.execute("SELECT product_id FROM products_productsummary ORDER BY random() LIMIT 5000")
            sample_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT min(id), max(id) FROM baseline_naiveproduct")
        naive_min, naive_max = cursor.fetchone()
    page_one = list(
        ProductSummary.objects.filter(archived=False)
        .order_by("name", "product_id")
        .values_list("product_id", flat=True)[:25]
    )
    hot = next(i for i in sample_ids if i not in page_one)
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    cqrs_paths = folder / "cqrs-paths.txt"
    cqrs_paths.write_text("".join(f"/products/{i}/stock/receive/\n" for i in sample_ids))
    naive_paths = folder / "naive-paths.txt"
    rng_ids = range(naive_min, naive_max + 1, max(1, (naive_max - naive_min) // 5000))
    naive_paths.write_text("".join(f"/baseline/products/{i}/stock/\n" for i in rng_ids))
    return {
        "total": total,
        "deep_cursor": _encode_cursor(["next", name, str(middle_id)]),
        "deep_page": max(1, total // 2 // 50),
        "sample_ids": sample_ids,
        "hot": hot,
        "page_one": page_one,
        "max_position": Event.objects.order_by("-position").values_list("position", flat=True).first() or 0,
        "cqrs_paths": cqrs_paths,
        "naive_paths": naive_paths,
        "naive_ids": list(rng_ids),
        "naive_hot": naive_min,
    }


def list_paths(fx: dict) -> dict[str, str]:
    return {
        "list page 1": "/products/",
        "list deep page": f"/products/?cursor={fx['deep_cursor']}",
        "list status=low": "/products/?status=low",
        "list sort=on_hand": "/products/?sort=on_hand",
        **{f"search {kind}": f"/products/?q={term.replace(' ', '+')}" for kind, term in SEARCHES.items()},
    }


def naive_paths(fx: dict) -> dict[str, str]:
    return {
        "naive list page 1": "/baseline/products/",
        "naive deep page": f"/baseline/products/?page={fx['deep_page']}",
        "naive status=low": "/baseline/products/?status=low",
        "naive sort=on_hand": "/baseline/products/?sort=on_hand",
        **{
            f"naive search {kind}": f"/baseline/products/?q={term.replace(' ', '+')}" for kind, term in SEARCHES.items()
        },
    }


def badge_paths(fx: dict) -> dict[str, str]:
    ids = "&".join(f"ids={i}" for i in fx["page_one"])
    return {
        "badges unchanged": f"/products/badges/?{ids}&since={fx['max_position']}",
        "badges changed": f"/products/badges/?{ids}&since=0",
    }


def _in_process_reads(results: Results, fx: dict, db_url: str) -> None:
    client = inprocess.client_for(BENCH_USER)
    for name, path in {**list_paths(fx), **badge_paths(fx)}.items():
        status, count = inprocess.queries_per_request(client, path)
        results.add("sql", name, status=status, queries=count)
    for kind, term in SEARCHES.items():
        plan = inprocess.search_plan(term)
        results.meta.setdefault("plans", {})[kind] = plan
        scan = next((line.strip() for line in plan.splitlines() if "Scan" in line), plan[:90])
        if "Seq Scan" in plan and fx["total"] < PLANNER_SCALE:
            # Small tables are cheaper to scan; prove the index serves the query when it matters.
            forced = inprocess.search_plan(term, seqscan=False)
            usable = "Seq Scan" not in forced
            results.check(
                f"no seq scan: {kind}", usable, f"below {PLANNER_SCALE:,} rows the planner scans; index usable"
            )
        else:
            results.check(f"no seq scan: {kind}", "Seq Scan" not in plan, scan[:100])
    dsn = _dsn(db_url)
    for kind, term in SEARCHES.items():
        sql, params = inprocess.raw_search_sql(term)
        raw = inprocess.time_raw_sql(dsn, sql, params)
        query = inprocess.time_query(term)
        results.add("query", f"search {kind} raw SQL", p50_ms=raw.p50_ms, p99_ms=raw.p99_ms, per_s=raw.per_second)
        results.add(
            "query", f"search {kind} ListProducts", p50_ms=query.p50_ms, p99_ms=query.p99_ms, per_s=query.per_second
        )


def _dsn(db_url: str) -> str:
    return db_url


def _session_cookie(username: str) -> str:
    return inprocess.client_for(username).cookies[settings.SESSION_COOKIE_NAME].value


def _server_env(db_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": db_url, "LOG_LEVEL": "INFO", "BENCH_BASELINE": "1"}


def _http(args, results: Results, fx: dict, db_url: str, seconds: float) -> None:
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
            for name, path in naive_paths(fx).items():
                _load(results, "http", name, server, path, seconds, headers=headers)
            _load(results, "reference", "trivial view", server, "/bench/ping/", seconds)
            _load(results, "reference", "render without DB", server, "/bench/render/", seconds)
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
    run = http.wrk(server, path, seconds=seconds, **kwargs)
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


def _pgbench(args, results: Results, seconds: float) -> None:
    """pgbench select-only on a scratch database: the database's own limit on this box."""
    import shutil

    binary = shutil.which("pgbench")
    if binary is None:
        results.check("pgbench", False, "pgbench not installed (postgresql-contrib)")
        return
    name = f"{args.db}_pgbench"
    url = f"{args.pg}/{name}"
    import dj_database_url

    parts = dj_database_url.parse(url)
    database.ensure_database(parts)
    common = ["-h", parts["HOST"], "-p", str(parts["PORT"] or 5432), "-U", parts["USER"]]
    subprocess.run([binary, "-i", "-q", "-s", "10", *common, name], check=True, capture_output=True)  # noqa: S603
    output = subprocess.run(  # noqa: S603
        [binary, "-S", "-c", "8", "-j", "2", "-T", str(int(seconds)), *common, name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import re

    tps = float(re.search(r"tps = ([\d.]+)", output).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    results.add(
        "reference", "pgbench select-only", per_s=tps, avg_ms=float(latency.group(1)) if latency else None, clients=8
    )


def _rebuild(results: Results) -> None:
    from products.read.replay import rebuild

    started = time.perf_counter()
    counts = rebuild()  # the code path of `manage.py rebuild_read_models` and the maintenance page
    elapsed = time.perf_counter() - started
    results.add(
        "rebuild",
        "rebuild all read models",
        events=counts.events,
        products=counts.products,
        method=counts.method,
        seconds=round(elapsed, 1),
        replay_seconds=counts.replay_seconds,  # the rest: index builds and ANALYZE
        events_per_s=round(counts.events / elapsed),
        seconds_per_5m=round(elapsed * 5_000_000 / max(1, counts.events), 1),
    )
