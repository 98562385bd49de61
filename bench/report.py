"""The run's table on stdout, and its JSON under bench-results/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path


def write_json(results: dict, folder: str) -> Path:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    target = path / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(results, indent=2, default=str))
    return target


def _fmt(value, digits=2) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


COLUMNS = [
    ("section", "section", 10),
    ("name", "measurement", 34),
    ("p50", "p50 ms", 9),
    ("p99", "p99 ms", 9),
    ("per_s", "per s", 10),
    ("queries", "SQL", 4),
    ("note", "notes", 40),
]


def _cells(row: dict) -> dict:
    p50 = row.get("server_p50_ms", row.get("p50_ms"))
    p99 = row.get("server_p99_ms", row.get("p99_ms"))
    notes = []
    if "client_p50_ms" in row:
        notes.append(f"client p50 {_fmt(row['client_p50_ms'])} ms")
    if row.get("statuses"):
        notes.append(row["statuses"])
    for key in ("products", "movements", "events", "seconds", "products_per_s", "events_per_s", "seconds_per_5m"):
        if key in row:
            notes.append(f"{key} {_fmt(row[key], 1)}")
    if "status" in row:
        notes.append(f"HTTP {row['status']}")
    if row.get("reused"):
        notes.append("seed reused")
    return {
        "section": row["section"],
        "name": row["name"],
        "p50": _fmt(p50),
        "p99": _fmt(p99),
        "per_s": _fmt(row.get("per_s"), 1),
        "queries": _fmt(row.get("queries")),
        "note": "; ".join(notes),
    }


def print_table(results: dict) -> None:
    meta = results["meta"]
    print(f"\nmake bench: {meta['scale']:,} products, database {meta['database']}, {meta['started_at']}")
    print("server times are the app's own per-request log (duration_ms); 'per s' is wrk's requests/s\n")
    header = " ".join(f"{title:<{width}}" for _, title, width in COLUMNS)
    print(header)
    print("-" * len(header))
    for row in results["rows"]:
        cells = _cells(row)
        print(" ".join(f"{cells[key]:<{width}}" for key, _, width in COLUMNS).rstrip())
    print("\nTargets")
    for target in meta.get("targets", []):
        mark = "met   " if target["met"] else "MISSED"
        print(f"  {mark} {target['target']:<48} {target['measured']:>10}  (goal {target['goal']})")
    failed = [c for c in results["checks"] if not c["ok"]]
    print(f"\nChecks: {len(results['checks']) - len(failed)} ok, {len(failed)} failed")
    for check in failed:
        print(f"  FAILED {check['name']}: {check['detail']}")
