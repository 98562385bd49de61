"""Reservation commands in-process, 8 clients at once, on one hot product and on random ones.

ReserveStock and FulfilReservation take the product's row lock like a stock command and write one
more row (the reservation), so they sit beside ReceiveStock's rates in the table. Each run first
receives enough stock through the bus that no reservation is refused for want of it (every
figure stays a real, verified command), then reserves for the run's length, then fulfils what
it reserved until the time or the reservations run out.
"""

from __future__ import annotations

import collections
import random
import threading
import time

from django.db import connections

from products.read.tables import ProductSummary
from products.write import bus
from products.write.commands import FulfilReservation, ReceiveStock, ReserveStock

from .commands import THREADS, _run_threads
from .timing import Timing

STOCK_PER_PRODUCT = 1_000_000
RANDOM_PRODUCTS = 500


def _stock_up(product_ids, actor) -> None:
    for product_id in product_ids:
        bus.dispatch(ReceiveStock(product_id=product_id, quantity=STOCK_PER_PRODUCT, note="bench stock"), actor=actor)


def _reserve(product_ids, *, seconds: float, actor) -> tuple[Timing, collections.deque]:
    made: collections.deque = collections.deque()

    def worker(stop_at, samples, errors):
        rng = random.Random()  # noqa: S311
        try:
            while time.perf_counter() < stop_at:
                command = ReserveStock(product_id=rng.choice(product_ids), quantity=1, reference="bench")
                begin = time.perf_counter()
                bus.dispatch(command, actor=actor)
                samples.append(time.perf_counter() - begin)
                made.append(command.reservation_id)
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)
        finally:
            connections.close_all()

    _, elapsed, samples = _run_threads(worker, THREADS, seconds)
    return Timing.from_samples(samples, elapsed), made


def _fulfil(reservation_ids: collections.deque, *, seconds: float, actor) -> Timing:
    lock = threading.Lock()

    def worker(stop_at, samples, errors):
        try:
            while time.perf_counter() < stop_at:
                with lock:
                    if not reservation_ids:
                        return
                    reservation_id = reservation_ids.popleft()
                begin = time.perf_counter()
                bus.dispatch(FulfilReservation(reservation_id=reservation_id), actor=actor)
                samples.append(time.perf_counter() - begin)
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)
        finally:
            connections.close_all()

    started = time.perf_counter()
    _, _, samples = _run_threads(worker, THREADS, seconds)
    # Threads that ran out of reservations stop early: the rate is over the time the work took.
    return Timing.from_samples(samples, time.perf_counter() - started)


def measure(results, fx: dict, seconds: float, *, username: str) -> None:
    """Rows 'reserve/fulfil in-process hot|random', beside the stock commands' rows."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(username=username)
    active = set(ProductSummary.objects.filter(pk__in=fx["sample_ids"], archived=False).values_list("pk", flat=True))
    sample = [pk for pk in fx["sample_ids"] if pk in active][:RANDOM_PRODUCTS]
    hot = fx["hot"] if fx["hot"] in active else sample[0]
    for label, ids in (("hot", [hot]), ("random", sample)):
        _stock_up(ids, actor)
        reserved, made = _reserve(ids, seconds=seconds, actor=actor)
        fulfilled = _fulfil(made, seconds=seconds, actor=actor)
        for name, timing in (("reserve", reserved), ("fulfil", fulfilled)):
            results.add(
                "commands",
                f"{name} in-process {label} (8 thr)",
                p50_ms=timing.p50_ms,
                p99_ms=timing.p99_ms,
                per_s=timing.per_second,
            )
