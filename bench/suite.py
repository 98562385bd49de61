"""One bench run, section by section: in-process reads and pages, HTTP load, commands, pgbench, rebuild; targets."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from django.core.management import call_command

from . import commands, history, load, pages, projectors, reads, references, reservations, scenarios
from .results import Results
from .targets import evaluate


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
    fixtures = scenarios.fixtures(results)
    reads.in_process_reads(results, fixtures, db_url)
    history.history_reads(results, db_url)
    pages.in_process_pages(results, seconds)
    if "http" not in skip:
        load.measure(args, results, fixtures, db_url, seconds)
    if "commands" not in skip:
        commands.measure(results, fixtures, db_url, seconds, username=scenarios.BENCH_USER)
    if "reservations" not in skip:
        reservations.measure(results, fixtures, seconds, username=scenarios.BENCH_USER)
    if "projectors" not in skip:
        projectors.catch_up_backlog(results)
        projectors.fresh_projection(results)
        projectors.restore(skip)
    if "pgbench" not in skip:
        references.pgbench(args, results, seconds)
    if "rebuild" not in skip:
        references.rebuild_read_models(results)
    evaluate(results)
    return {
        "meta": results.meta,
        "rows": results.rows,
        "checks": results.checks,
        "ok": all(c["ok"] for c in results.checks),
    }
