"""The database's own limit (pgbench select-only) and the full read-model rebuild."""

from __future__ import annotations

import re
import shutil
import subprocess
import time

from . import database
from .results import Results


def pgbench(args, results: Results, seconds: float) -> None:
    """pgbench select-only on a scratch database: the database's own limit on this box."""
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
    tps = float(re.search(r"tps = ([\d.]+)", output).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    results.add(
        "reference", "pgbench select-only", per_s=tps, avg_ms=float(latency.group(1)) if latency else None, clients=8
    )


def rebuild_read_models(results: Results) -> None:
    """The whole rebuild, as `manage.py rebuild_read_models` and the maintenance page run it."""
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
