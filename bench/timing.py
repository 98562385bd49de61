"""Small timing helpers: percentiles over samples, and a timed loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (samples need not be sorted)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class Timing:
    """Milliseconds per call and calls per second for one measured operation."""

    count: int
    p50_ms: float
    p99_ms: float
    per_second: float

    @classmethod
    def from_samples(cls, samples_s: list[float], elapsed_s: float | None = None) -> Timing:
        elapsed = elapsed_s if elapsed_s is not None else sum(samples_s)
        return cls(
            count=len(samples_s),
            p50_ms=percentile(samples_s, 0.5) * 1000,
            p99_ms=percentile(samples_s, 0.99) * 1000,
            per_second=len(samples_s) / elapsed if elapsed else float("nan"),
        )


def timed(fn: Callable[[], object], *, seconds: float = 2.0, warmup: int = 3, max_calls: int = 10_000) -> Timing:
    """Call fn repeatedly for about `seconds` (after a warm-up) and time each call."""
    for _ in range(warmup):
        fn()
    samples = []
    started = time.perf_counter()
    while len(samples) < max_calls and time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - begin)
    return Timing.from_samples(samples, time.perf_counter() - started)
