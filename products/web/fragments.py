"""Russian-doll row fragments: a table row's HTML is rendered once per version of its read-model row.

A page fetches all its rows' fragments in one `get_many` and renders only the misses (stored with
`set_many`). A key names the record (its identity, version and a digest of every value the row shows)
and everything else the HTML depends on (the code that renders rows, the table's columns, language,
time zone, URL prefix), so changed data or a deploy means a new key: a key never points at stale HTML,
and old keys simply age out of the bounded cache.

Text that goes stale by itself (relative times) never enters the cache: cells write the LIVE marker in
its place, the fragment is stored split around the marker, and each request fills in fresh words.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from pathlib import Path

import django
import django_tables2
from django.conf import settings
from django.core.cache import caches
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from products.web.rows import RowRenderer

CACHE_ALIAS = "fragments"
# Private-use characters around a per-process secret: never part of data, never stored in the cache.
LIVE = f"\ue000{secrets.token_hex(8)}\ue000"
# Files that shape a row's HTML; their contents are part of every key, so a deploy never reuses old rows.
ROW_CODE = (
    "products/web/fragments.py",
    "products/web/rows.py",
    "products/web/tables.py",
    "products/web/templatetags/inventory.py",
)


def render_rows(table, context) -> SafeString:
    """Every row of the table, from the cache where possible; `table.rows_rendered_fresh` counts the rest."""
    records = list(table.data)
    store = caches[CACHE_ALIAS] if table.fragment_cache else None
    keys = row_keys(table, records) if store is not None else [None] * len(records)
    found = store.get_many(keys) if store is not None else {}
    missing = {}
    html = []
    renderer = None
    for record, key in zip(records, keys, strict=True):
        parts = found.get(key)
        if parts is None:
            renderer = renderer or RowRenderer(table)
            # Split where the live texts go; no even/odd class: a row's place on a page is not part of it.
            parts = tuple(renderer.render(record, context).split(LIVE))
            table.rows_rendered_fresh += 1
            if key is not None:
                missing[key] = parts
        html.append(_fill(parts, table.live_texts(record)))
    if missing:
        store.set_many(missing)
    return mark_safe("".join(html))  # noqa: S308 - escaped by the row template and _fill


def render_oob_rows(table, context) -> SafeString:
    """The rows as out-of-band swaps, each replacing the row with its id (cells escape `<`, so only rows match)."""
    return mark_safe(render_rows(table, context).replace("<tr ", '<tr hx-swap-oob="true" '))  # noqa: S308


def row_keys(table, records) -> list[str]:
    """One key per record: identity and version in the clear, then a digest of everything else."""
    base = hashlib.blake2b(_render_context(table).encode(), digest_size=12)
    identity, fields = table.fragment_identity, table.fragment_fields
    keys = []
    for record in records:
        digest = base.copy()
        digest.update(repr([getattr(record, name) for name in fields]).encode())
        ids = ":".join(str(getattr(record, name)) for name in identity)
        keys.append(f"row:{ids}:{digest.hexdigest()}")
    return keys


def _render_context(table) -> str:
    """What a row's HTML depends on besides its record (not the sort: cells do not show it)."""
    return "|".join(
        (
            _code_version(),
            type(table).__qualname__,
            ",".join(column.name for column in table.columns),
            get_language() or "",
            timezone.get_current_timezone_name(),
            get_script_prefix(),
        )
    )


@cache
def _code_version() -> str:
    digest = hashlib.blake2b(f"{django.__version__}|{django_tables2.__version__}".encode(), digest_size=12)
    for name in ROW_CODE:
        digest.update((Path(settings.BASE_DIR) / name).read_bytes())
    return digest.hexdigest()


def _fill(parts: tuple[str, ...], live: tuple[str, ...]) -> str:
    if len(parts) != len(live) + 1:
        raise ValueError(f"A row has {len(parts) - 1} live slots but {len(live)} live texts.")
    out = [parts[0]]
    for text, part in zip(live, parts[1:], strict=True):
        out += (conditional_escape(text), part)
    return "".join(out)
