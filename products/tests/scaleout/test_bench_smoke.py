"""`make bench` in miniature: the harness run as `make bench` runs it, in its own process and database.

`python -m bench` with bench.settings (the runner sets them) at 2,000 products, without the sections that
need wrk or pgbench: it seeds, measures in-process, runs commands and a rebuild, judges the targets and
writes its JSON. The product's tests run under the product's settings; only this process sees the bench's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection

from bench import database
from bench.scales import database_name

pytestmark = [pytest.mark.pg_only, pytest.mark.bench]

SCALE = 2_000
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def bench_db(django_db_setup):
    """A database of this checkout's (and xdist worker's) own for the harness (`--db`), dropped afterwards.
    django_db_setup: named after the test database (test_<name>_gw0) even when this test runs first."""
    s = connection.settings_dict
    server = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    base = re.sub(r"^test_", "", s["NAME"]) + "_bench_smoke"
    parts = dj_database_url.parse(f"{server}/{database_name(base, SCALE)}")
    database.drop_database(parts)
    yield server, base, parts
    database.drop_database(parts)


def _bench(server: str, base: str, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "bench", "--scale", str(SCALE), "--pg", server, "--db", base, *args]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603


def test_the_bench_harness_runs_end_to_end_at_a_tiny_scale(bench_db, tmp_path):
    server, base, parts = bench_db
    run = _bench(
        server,
        base,
        *("--movements-per-product", "2", "--duration", "0.5", "--out", str(tmp_path)),
        *("--skip", "http", "--skip", "pgbench"),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [path] = tmp_path.glob("*.json")
    report = json.loads(path.read_text())
    rows = {(row["section"], row["name"]): row for row in report["rows"]}

    assert report["meta"]["database"] == parts["NAME"] and report["meta"]["seed"]["products"] == SCALE
    assert not report["meta"]["seed"]["reused"]
    assert rows["sql", "list page 1"]["status"] == 200 and rows["sql", "list page 1"]["queries"] > 0
    assert rows["sql", "badges unchanged"]["status"] == 204
    for name in ("plain template floor", "list page, first visit", "list page, repeat visit"):
        assert rows["in-process", name]["per_s"] > 0, name
    assert rows["commands", "in-process hot (8 threads)"]["per_s"] > 0
    assert rows["reference", "raw SQL command writes, rand"]["per_s"] > 0
    assert rows["rebuild", "rebuild all read models"]["products"] == SCALE
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["plain template shows the list page's rows"]["ok"], checks
    assert all(check["ok"] for check in checks.values()), checks
    targets = {target["target"]: target for target in report["meta"]["targets"]}
    for visit in ("first visit", "repeat visit"):
        assert targets[f"list page, {visit} vs plain template (in-process)"]["measured"].endswith("x")
    assert targets["list page, first visit vs plain template (HTTP)"]["measured"] == "n/a", "HTTP was skipped"
    assert "Targets" in run.stdout and "plain template floor" in run.stdout

    again = _bench(server, base, "--movements-per-product", "2", "--seed-only")
    assert again.returncode == 0 and f"Reusing {parts['NAME']}: {SCALE:,} products" in again.stdout

    profiled = _bench(server, base, "--movements-per-product", "2", "--profile", "first-visit")
    assert profiled.returncode == 0, profiled.stderr[-3000:]
    assert "product_list" in profiled.stdout and "render_rows" in profiled.stdout, "the page's call tree"

    verify = subprocess.run(  # noqa: S603 (the commands and the rebuild left the read models consistent)
        [sys.executable, "manage.py", "verify_read_models"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": f"{server}/{parts['NAME']}"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]
