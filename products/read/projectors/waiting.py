"""Read-your-writes by position: wait (bounded) until the projectors have applied a given event."""

from __future__ import annotations

import time

from products.read import checkpoints

POLL = 0.02


def reached(position: int, names) -> bool:
    """Has every named projector applied the event at `position` (and all before it)?"""
    at = checkpoints.positions()
    return all(at.get(name, 0) >= position for name in names)


def wait_for_position(position: int | None, names, *, timeout: float) -> bool:
    """True once every named projector is at or past `position`, polling for at most `timeout` seconds."""
    if not position:
        return True
    deadline = time.monotonic() + timeout
    while not reached(position, names):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True
