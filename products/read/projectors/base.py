"""What a checkpointed projector is: a name, the event types it reads, and how it applies a batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Model

from products.write.events import RecordedEvent


@dataclass(frozen=True)
class Projector:
    """Feeds `tables` from the log; `apply` writes one batch (in position order) inside the caller's transaction.

    `apply` starts from the tables as the checkpoint left them and never from anything newer,
    so applying the same events again from the same checkpoint gives the same rows.
    """

    name: str
    types: frozenset[str]
    apply: Callable[[Sequence[RecordedEvent]], None]
    tables: tuple[type[Model], ...]
