"""The issue's targets, judged from one run's rows (a miss is reported, not fatal)."""

from __future__ import annotations

import math


def _num(row: dict, *keys):
    for key in keys:
        value = row.get(key)
        if isinstance(value, (int, float)) and not math.isnan(value):
            return value
    return None


def _ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def evaluate(results) -> list[dict]:
    get = results.get
    targets = []

    def target(name: str, value, goal: str, ok_when, unit: str = "x") -> None:
        met = value is not None and ok_when(value)
        shown = "n/a" if value is None else f"{value:.2f}{unit}"
        targets.append({"target": name, "measured": shown, "goal": goal, "met": met})

    server = {
        name: _num(get(name), "server_p50_ms")
        for name in ("list page 1", "list deep page", "list page 1 @10k", "search selective")
    }
    # The list page against the plain-template floor (bench/pages.py in-process, load.py over HTTP), in req/s.
    for label, section, floor_section in (("HTTP", "http", "reference"), ("in-process", "in-process", "in-process")):
        floor = _num(get("plain template floor", floor_section), "per_s")
        for visit, goal in (("first visit", 0.5), ("repeat visit", 1.0)):
            target(
                f"list page, {visit} vs plain template ({label})",
                _ratio(_num(get(f"list page, {visit}", section), "per_s"), floor),
                f">= {goal:.2f}x",
                lambda v, goal=goal: v >= goal,
            )
    target(
        "list page, 304 revisit vs plain template (HTTP)",
        _ratio(_num(get("list page 1 (304)"), "per_s"), _num(get("plain template floor", "reference"), "per_s")),
        ">= 1.00x",
        lambda v: v >= 1.0,
    )
    sizes = [v for k, v in server.items() if k != "search selective" and v]
    target(
        "page 1 / deep / @10k spread",
        max(sizes) / min(sizes) if len(sizes) == 3 else None,
        "<= 1.20x",
        lambda v: v <= 1.2,
    )
    list_queries = [
        row["queries"] for row in results.rows if row["section"] == "sql" and row["name"].startswith("list")
    ]
    target("SQL queries per list page (max)", max(list_queries) if list_queries else None, "<= 4", lambda v: v <= 4, "")
    target(
        "search plans without Seq Scan",
        float(all(c["ok"] for c in results.checks if c["name"].startswith("no seq scan"))),
        "1 (all)",
        lambda v: v == 1,
        "",
    )
    target(
        "selective search query vs raw SQL",
        _ratio(_num(get("search selective ListProducts"), "p50_ms"), _num(get("search selective raw SQL"), "p50_ms")),
        "<= 2.00x",
        lambda v: v <= 2,
    )
    raw_same = _num(get("raw SQL same-row UPDATE"), "per_s")
    raw_ledger = _num(get("raw SQL ledger ins+upd"), "per_s")
    target(
        "hot commands vs raw same-row UPDATE",
        _ratio(_num(get("in-process hot (8 threads)"), "per_s"), raw_same),
        ">= 0.60x",
        lambda v: v >= 0.6,
    )
    target(
        "random commands vs raw ledger+update",
        _ratio(_num(get("in-process random (8 thr)"), "per_s"), raw_ledger),
        ">= 0.60x",
        lambda v: v >= 0.6,
    )
    target(
        "rebuild, seconds per 5M events",
        _num(get("rebuild all read models"), "seconds_per_5m"),
        "<= 60 s",
        lambda v: v <= 60,
        " s",
    )
    for label, naive, ours, goal in (
        ("list vs naive", "naive list page 1", "list page 1", 10),
        ("deep page vs naive", "naive deep page", "list deep page", 100),
        ("search vs naive", "naive search selective", "search selective", 20),
    ):
        value = _ratio(_num(get(naive), "server_p50_ms"), _num(get(ours), "server_p50_ms"))
        target(f"{label} (server p50)", value, f">= {goal}x", lambda v, goal=goal: v >= goal)
    chart = next(
        (row for row in results.rows if row["section"] == "history" and row["name"].startswith("chart all")), {}
    )
    target(
        "stock chart of the busiest product (query + SVG), p50",
        _num(chart, "p50_ms"),
        "<= 50 ms",
        lambda v: v <= 50,
        " ms",
    )
    results.meta["targets"] = targets
    return targets
