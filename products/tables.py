"""django-tables2 tables over read-model rows; sorting and paging belong to the query classes."""

from __future__ import annotations

import django_tables2 as tables

NUMERIC = {"th": {"class": "text-end"}, "td": {"class": "text-end font-tabular"}}


class KeysetTable(tables.Table):
    """A table of one keyset page: header links set `sort`, the pager follows cursors (no count)."""

    # Column name -> public sort key understood by the query class.
    sort_keys: dict[str, str] = {}

    def __init__(self, page, *, sort: str = "", **kwargs):
        super().__init__(page.rows, **kwargs)
        self.keyset_page = page
        self.current_sort = sort
        for column in self.columns:
            key = self.sort_keys.get(column.name)
            column.sort_key = key
            column.sort_state = None
            if key and sort.lstrip("-") == key:
                column.sort_state = "descending" if sort.startswith("-") else "ascending"
            column.next_sort = f"-{key}" if column.sort_state == "ascending" else key

    htmx_target = None
    previous_label, next_label = "Previous", "Next"
    previous_url = next_url = None

    def link_pages(self, query, *, previous: dict, next: dict, htmx_target: str | None = None) -> None:
        """Pager links keep the current filters and swap only the paging parameters."""
        self.htmx_target = htmx_target
        page = self.keyset_page
        if page.previous_cursor:
            self.previous_url = _with_params(query, previous)
        if page.next_cursor:
            self.next_url = _with_params(query, next)

    class Meta:
        orderable = False
        template_name = "django_tables2/keyset_bootstrap5.html"
        attrs = {"class": "table table-hover align-middle mb-0"}


class ProductTable(KeysetTable):
    sort_keys = {
        "sku": "sku",
        "name": "name",
        "price": "price",
        "on_hand": "on_hand",
        "updated_at": "updated",
    }

    sku = tables.TemplateColumn(
        template_name="products/cells/sku.html", verbose_name="SKU", attrs={"td": {"class": "sku"}}
    )
    name = tables.Column()
    price = tables.TemplateColumn("{{ value|floatformat:'2g' }}", attrs=NUMERIC)
    on_hand = tables.TemplateColumn("{{ value|floatformat:'g' }}", verbose_name="On hand", attrs=NUMERIC)
    reorder_level = tables.TemplateColumn("{{ value|floatformat:'g' }}", verbose_name="Reorder at", attrs=NUMERIC)
    status = tables.TemplateColumn(template_name="products/cells/badge.html", verbose_name="Stock")
    updated_at = tables.TemplateColumn("{% load inventory %}{% when value %}", verbose_name="Updated")

    class Meta(KeysetTable.Meta):
        empty_text = "No products match. Clear the search or pick another status."


class MovementTable(KeysetTable):
    previous_label, next_label = "Newer", "Older"

    occurred_at = tables.TemplateColumn("{% load inventory %}{% when value %}", verbose_name="Time")
    sku = tables.TemplateColumn(
        template_name="products/cells/movement_product.html", verbose_name="Product", attrs={"td": {"class": "sku"}}
    )
    kind = tables.TemplateColumn(template_name="products/cells/kind.html")
    quantity = tables.TemplateColumn("{% load inventory %}{{ value|signed }}", verbose_name="± Qty", attrs=NUMERIC)
    on_hand_after = tables.TemplateColumn("{{ value|floatformat:'g' }}", verbose_name="On hand after", attrs=NUMERIC)
    actor = tables.Column(verbose_name="Who")
    note = tables.Column(default="")

    class Meta(KeysetTable.Meta):
        empty_text = "No stock movements match."


class HistoryTable(MovementTable):
    """A product's own history: the product column would only repeat the header."""

    class Meta(MovementTable.Meta):
        exclude = ("sku",)
        empty_text = "No stock movements yet."


def _with_params(current, params: dict) -> str:
    query = current.copy()
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}"
