"""`make bench` in miniature: the harness seeds, measures in-process and judges targets (no HTTP)."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import commands, database, reads, references, scenarios
from bench.report import print_table
from bench.results import Results
from bench.targets import evaluate
from products.read.verify import verify

pytestmark = [pytest.mark.pg_only, pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def _db_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def test_bench_harness_runs_end_to_end_at_a_tiny_scale(capsys):
    info = database.seed(2_000, 2, log=lambda *_: None)
    assert (info.products, info.reused) == (2_000, False)
    assert database.recorded_seed(2_000, 2) == database.SeedInfo(
        info.products, info.events, info.movements, info.seconds, reused=True
    )

    results = Results({"scale": 2_000, "database": "test", "started_at": "now"})
    fx = scenarios.fixtures(results)
    assert fx["total"] == 2_000 and len(fx["page_one"]) == 25
    reads.in_process_reads(results, fx, _db_url())
    commands.measure(results, fx, _db_url(), seconds=0.5, username=scenarios.BENCH_USER)
    references.rebuild_read_models(results)
    targets = evaluate(results)

    sql = {row["name"]: row for row in results.rows if row["section"] == "sql"}
    assert sql["list page 1"]["status"] == 200 and sql["list page 1"]["queries"] > 0
    assert sql["badges unchanged"]["status"] == 204
    assert all(check["ok"] for check in results.checks), results.checks
    assert results.get("in-process hot (8 threads)")["per_s"] > 0
    assert results.get("raw SQL ledger ins+upd")["per_s"] > 0
    assert results.get("raw SQL command writes, rand")["per_s"] > 0
    assert results.get("rebuild all read models")["products"] == 2_000
    assert {t["target"] for t in targets} >= {"SQL queries per list page (max)", "rebuild, seconds per 5M events"}
    assert verify().total == 0, "the bench's commands and rebuild leave the read models consistent"

    print_table({"meta": results.meta, "rows": results.rows, "checks": results.checks})
    table = capsys.readouterr().out
    assert "list page 1" in table and "Targets" in table
