"""The status chips' choices; the pages' parameters are FilterSets on the read side (products/read/filters)."""

from __future__ import annotations

from products.read.tables import STATUS_FILTERS

STATUS_CHOICES = list(STATUS_FILTERS.items())
