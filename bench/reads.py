"""The in-process section: SQL per request, search plans, and queries timed beside raw SQL."""

from __future__ import annotations

from . import inprocess
from .results import Results
from .scenarios import BENCH_USER, SEARCHES, badge_paths, list_paths

PLANNER_SCALE = 100_000


def in_process_reads(results: Results, fx: dict, db_url: str) -> None:
    """SQL statements per page, the search plans, and each search as a query against raw SQL."""
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
    for kind, term in SEARCHES.items():
        sql, params = inprocess.raw_search_sql(term)
        raw = inprocess.time_raw_sql(db_url, sql, params)
        query = inprocess.time_query(term)
        results.add("query", f"search {kind} raw SQL", p50_ms=raw.p50_ms, p99_ms=raw.p99_ms, per_s=raw.per_second)
        results.add(
            "query", f"search {kind} ListProducts", p50_ms=query.p50_ms, p99_ms=query.p99_ms, per_s=query.per_second
        )
