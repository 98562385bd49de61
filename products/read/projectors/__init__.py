"""Checkpointed projectors: the read models fed from the log after the command, apart from its transaction.

The summary, the stats, reservations and locations are still projected in the command's transaction
(products/read/projections.py: what a clerk sees right after their redirect); the ledger with the details
history, and the stock per location, are fed by the projectors here, each with its checkpoint.
`manage.py run_projectors` runs them in the worker; with PROJECTORS_IN_PROCESS (tests, and development
without a worker) the bus runs the same catch-up right after each command commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from products.read import checkpoints
from products.read.projectors.base import Projector
from products.read.projectors.ledger import LEDGER, copy_states_from_summaries
from products.read.projectors.levels import LEVELS
from products.read.projectors.runner import catch_up, run_batch
from products.write.log import Event

logger = logging.getLogger(__name__)

PROJECTORS: dict[str, Projector] = {projector.name: projector for projector in (LEDGER, LEVELS)}

__all__ = ["PROJECTORS", "Projector", "after_command", "catch_up", "catch_up_all", "mark_caught_up", "run_batch"]


def catch_up_all() -> dict[str, int]:
    """Every projector to the horizon, one after the other; returns log rows each moved past."""
    return {name: catch_up(projector) for name, projector in PROJECTORS.items()}


def after_command(result) -> None:
    """The bus's after-commit hook (products/apps.py): catch up in-process unless a worker runs the projectors."""
    if not settings.PROJECTORS_IN_PROCESS or result.position is None:
        return
    catch_up_all()


def mark_caught_up() -> int:
    """A rebuild or a bulk seed filled the projectors' tables to the head: say so (caller's transaction, log locked)."""
    head = Event.objects.using(DEFAULT_DB_ALIAS).order_by("-position").values_list("position", flat=True).first() or 0
    checkpoints.set_all(PROJECTORS, head)
    copy_states_from_summaries()
    logger.info("projectors marked caught up at #%s", head)
    return head
