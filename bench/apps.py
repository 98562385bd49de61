"""The bench as an app (bench.settings only): its templates, and a first visit on demand for its runs."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.cache import caches
from django.core.signals import request_started

# A request carrying this header finds the row-fragment cache empty: the list page as a first visit sees it.
FIRST_VISIT_HEADER = "X-Bench-First-Visit"
_ENVIRON_KEY = "HTTP_" + FIRST_VISIT_HEADER.upper().replace("-", "_")


def _empty_fragment_cache(sender, environ=None, **kwargs) -> None:
    """Before the request is handled, so the page itself runs exactly as it does for a visitor."""
    if environ and environ.get(_ENVIRON_KEY) == "1":
        from products.web.fragments import CACHE_ALIAS  # not at import: apps load before the product's modules

        caches[CACHE_ALIAS].clear()


class BenchConfig(AppConfig):
    name = "bench"
    label = "bench"

    def ready(self) -> None:
        request_started.connect(_empty_fragment_cache, dispatch_uid="bench-first-visit")
