"""The keyset tables' rows, served from the row-fragment cache (see products/web/fragments.py)."""

from __future__ import annotations

from django import template

from products.web import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """All rows of the page in one cache round trip; only rows whose data changed are rendered."""
    return fragments.render_rows(table, context)


@register.simple_tag(takes_context=True)
def oob_table_rows(context, table):
    """The same rows as out-of-band swaps (the product list's poll replaces a changed row whole)."""
    return fragments.render_oob_rows(table, context)
