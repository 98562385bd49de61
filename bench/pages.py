"""The list page beside the floor a user would recognise, in-process: a plain template of the same 50 rows.

Each page is asked for through Django's test client with the bench user's session, so the middleware,
the session and the user load are in every figure, as they are over HTTP (load.py serves the same paths).
The pages take turns, one request each, so a shared box's drift lands on all of them alike.
"""

from __future__ import annotations

import html
import re
import time

from . import inprocess
from .apps import FIRST_VISIT_HEADER
from .results import Results
from .scenarios import BENCH_USER
from .timing import Timing

FIRST_VISIT = {FIRST_VISIT_HEADER: "1"}
# (name, path, headers): the floor, the list page on a first visit (its row-fragment cache emptied before the
# request) and on a repeat one, and the list page's own template with every row rendered fresh through
# django-tables2 and no database work.
PAGES = (
    ("plain template floor", "/bench/plain/", {}),
    ("list page, first visit", "/products/", FIRST_VISIT),
    ("list page, repeat visit", "/products/", {}),
    ("list template, fresh tables2 rows", "/bench/render/", {}),
)
# `python -m bench --profile NAME`: the same pages by a short name.
PROFILE_NAMES = dict(zip(("floor", "first-visit", "repeat-visit", "fresh-rows"), PAGES, strict=True))
PROFILE_REQUESTS = 50
SECTION = "in-process"
WARM_UP = 3


def in_process_pages(results: Results, seconds: float) -> None:
    """About `seconds` of requests per page, taking turns (no server, no network)."""
    client = inprocess.client_for(BENCH_USER)
    floor, page = (_table_text(client.get(path).content.decode()) for path in ("/bench/plain/", "/products/"))
    same = bool(page[1]) and floor == page
    shown = f"{len(page[1])} rows of {len(page[0])} columns" if same else f"{floor!r:.300} vs {page!r:.300}"
    results.check("plain template shows the list page's rows", same, shown)
    pages = []
    for name, path, headers in PAGES:
        statuses = {client.get(path, headers=headers).status_code for _ in range(WARM_UP)}
        if statuses != {200}:
            results.check(f"{name}: response", False, f"HTTP {sorted(statuses)} from {path}")
        else:
            pages.append((name, path, headers, []))
    deadline = time.perf_counter() + seconds * len(pages)
    while pages and time.perf_counter() < deadline:
        for _, path, headers, samples in pages:
            begin = time.perf_counter()
            client.get(path, headers=headers)
            samples.append(time.perf_counter() - begin)
    for name, _, _, samples in pages:
        timing = Timing.from_samples(samples)
        results.add(SECTION, name, p50_ms=timing.p50_ms, p99_ms=timing.p99_ms, per_s=timing.per_second)


def _table_text(page: str) -> tuple[list[str], list[list[str]]]:
    """The headers and each row's cell texts (a time by its timestamp, which does not tick between two requests)."""

    def text(cell: str) -> str:
        cell = re.sub(r'<time datetime="([^"]*)"[^>]*>.*?</time>', r"\1", cell, flags=re.S)
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())

    head = re.search(r"<thead.*?</thead>", page, re.S)
    body = re.search(r"<tbody.*?</tbody>", page, re.S)
    headers = [text(cell) for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(0) if head else "", re.S)]
    rows = re.findall(r"<tr\b.*?</tr>", body.group(0) if body else "", re.S)
    return headers, [[text(cell) for cell in re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def profile(name: str) -> str:
    """pyinstrument's call tree over PROFILE_REQUESTS requests of one page, in this process (where the time goes)."""
    from pyinstrument import Profiler  # a development tool (requirements-dev.txt), only for --profile

    _, path, headers = PROFILE_NAMES[name]
    client = inprocess.client_for(BENCH_USER)
    for _ in range(WARM_UP):
        client.get(path, headers=headers)
    profiler = Profiler(interval=0.001)
    with profiler:
        for _ in range(PROFILE_REQUESTS):
            client.get(path, headers=headers)
    return profiler.output_text(unicode=True, color=False)
