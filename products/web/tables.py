"""django-tables2 tables over read-model rows; sorting and paging belong to the query classes."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils.html import format_html

from products.read.tables import MovementKind
from products.web.fragments import LIVE
from products.web.templatetags.inventory import signed, stock_badge_html, when

# How a ledger row names its partner: (is a reversal, was reversed) -> (words, the field with the position).
LINK_WORDS = {(True, False): ("of", "reverses"), (False, True): ("reversed by", "reversed_by")}
NUMERIC = {"th": {"class": "text-end"}, "td": {"class": "text-end font-tabular"}}


class KeysetTable(tables.Table):
    """A table of one keyset page: header links set `sort`, the pager follows cursors (no count)."""

    # Column name -> public sort key understood by the query class.
    sort_keys: dict[str, str] = {}
    # Row fragments (see fragments.py): a table caches its rows when it names what identifies a record
    # (identity, version) and every other record attribute its row shows.
    fragment_identity: tuple[str, ...] = ()
    fragment_fields: tuple[str, ...] = ()

    def __init__(self, page, *, sort: str = "", fragment_cache: bool = True, **kwargs):
        super().__init__(page.rows, **kwargs)
        self.keyset_page = page
        self.current_sort = sort
        self.fragment_cache = fragment_cache and bool(self.fragment_identity)
        self.rows_rendered_fresh = 0
        for column in self.columns:
            key = self.sort_keys.get(column.name)
            column.sort_key = key
            column.sort_state = None
            if key and sort.lstrip("-") == key:
                column.sort_state = "descending" if sort.startswith("-") else "ascending"
            column.next_sort = f"-{key}" if column.sort_state == "ascending" else key

    def live_texts(self, record) -> tuple[str, ...]:
        """Per-request texts for the LIVE slots the row's cells wrote, in order (they are never cached)."""
        return ()

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
    # A projection sets version from the event stream on every change; the other fields guard against a
    # restored or rebuilt read model reusing a version for different values.
    fragment_identity = ("product_id", "version")
    fragment_fields = (
        "sku",
        "name",
        "price",
        "on_hand",
        "reserved",
        "available",
        "reorder_level",
        "status",
        "archived",
        "updated_at",
    )

    sku = tables.Column(verbose_name="SKU", attrs={"td": {"class": "sku"}})
    name = tables.Column()
    price = tables.Column(attrs=NUMERIC)
    on_hand = tables.Column(verbose_name="On hand", attrs=NUMERIC)
    reorder_level = tables.Column(verbose_name="Reorder at", attrs=NUMERIC)
    status = tables.Column(verbose_name="Stock")
    updated_at = tables.Column(verbose_name="Updated")

    class Meta(KeysetTable.Meta):
        empty_text = "No products match. Clear the search or pick another status."
        # The list's poll swaps a changed row whole by this id (on hand, badge and updated together).
        row_attrs = {"id": lambda record: f"product-row-{record.product_id}"}

    # Cells render in Python: a template per cell costs more than the whole query at 25 rows.
    def render_sku(self, record):
        return format_html('<a href="{}">{}</a>', reverse("product_detail", args=[record.product_id]), record.sku)

    def render_name(self, value):
        """Two lines at most, broken anywhere (a 200-letter word included); the whole name on hover."""
        return format_html('<span class="list-name" title="{}">{}</span>', value, value)

    def render_price(self, value):
        return f"{value:,.2f}"

    def render_on_hand(self, value):
        return f"{value:,}"

    def render_reorder_level(self, value):
        return f"{value:,}"

    def render_status(self, record):
        return stock_badge_html(record)

    def render_updated_at(self, value):
        return when(value, relative=LIVE)

    def live_texts(self, record) -> tuple[str, ...]:
        """Relative words ("3 minutes ago") stop being true, so each request fills them in, outside the cache."""
        return (naturaltime(record.updated_at),) if record.updated_at else ()


class MovementTable(KeysetTable):
    occurred_at = tables.Column(verbose_name="Time")
    sku = tables.Column(verbose_name="Product", attrs={"td": {"class": "sku"}})
    kind = tables.Column()
    location = tables.Column(verbose_name="Where", attrs={"td": {"class": "font-monospace small"}})
    quantity = tables.Column(verbose_name="± Qty", attrs=NUMERIC)
    on_hand_after = tables.Column(verbose_name="On hand after", attrs=NUMERIC)
    actor = tables.Column(verbose_name="Who")
    note = tables.Column(default="")
    reverse = tables.Column(verbose_name="", accessor="position", attrs={"td": {"class": "text-end"}})

    class Meta(KeysetTable.Meta):
        empty_text = "No stock movements match."

    def __init__(self, page, *, can_reverse: bool = False, **kwargs):
        """`can_reverse`: the viewer may reverse movements, so reversible rows offer "Reverse…"."""
        if not can_reverse:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "reverse")
        super().__init__(page, **kwargs)

    def render_reverse(self, record):
        if record.kind == MovementKind.REVERSAL or record.reversed_by:
            return ""
        return format_html(
            '<a class="btn btn-sm btn-outline-secondary reverse-link" href="{}">Reverse…'
            '<span class="visually-hidden"> #{}</span></a>',
            reverse("movement_reverse", args=[record.position]),
            record.position,
        )

    def render_occurred_at(self, value):
        return when(value, exact=True)

    def render_sku(self, record):
        return format_html(
            '<a href="{}">{}</a><span class="d-block small text-body-secondary text-truncate product-name">{}</span>',
            reverse("product_detail", args=[record.product_id]),
            record.sku,
            record.product_name,
        )

    def render_kind(self, record):
        kind = format_html('<span class="kind kind-{}">{}</span>', record.kind, record.get_kind_display())
        if record.reverses:
            return format_html('{} <span class="small text-body-secondary">of #{}</span>', kind, record.reverses)
        if record.reversed_by:
            return format_html(
                '{} <span class="small text-body-secondary">reversed by #{}</span>', kind, record.reversed_by
            )
        return kind

    def render_location(self, record):
        """A transfer shows both ends and how many moved."""
        if record.to_location:
            return format_html(
                '{} → {} <span class="text-body-secondary">({} moved)</span>',
                record.location,
                record.to_location,
                record.moved,
            )
        return record.location

    def render_quantity(self, value):
        return signed(value)

    def render_on_hand_after(self, value):
        return f"{value:,}"


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
