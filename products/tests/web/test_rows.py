"""Rows rendered in one pass (web/rows.py) are the HTML django-tables2's own row template gives, cell for cell."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.utils.html import format_html
from django_tables2.rows import BoundRow
from django_tables2.utils import AttributeDict, computed_values

from products.read.queries import ListProducts, ListStockMovements
from products.read.tables import ProductSummary
from products.web.rows import RowRenderer
from products.web.tables import HistoryTable, MovementTable, ProductTable

pytestmark = pytest.mark.django_db

# The product list's row template before rows.py, driven by django-tables2's BoundRow: the reference.
TABLES2_ROW = Template(
    "{% load l10n %}<tr{% if row_attrs %} {{ row_attrs }}{% endif %}>{% for column, cell in row.items %}"
    "<td {{ column.attrs.td.as_html }}>{% if column.localize == None %}{{ cell }}{% elif column.localize %}"
    "{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}</td>{% endfor %}</tr>"
)


def _tables2_row(table, record) -> str:
    attrs = AttributeDict(computed_values(table.row_attrs, kwargs={"table": table, "record": record}))
    return TABLES2_ROW.render(Context({"row": BoundRow(record, table=table), "row_attrs": attrs.as_html()}))


def _both_ways(table, records) -> list[tuple[str, str]]:
    renderer = RowRenderer(table)
    return [(renderer.render(record, Context()), _tables2_row(table, record)) for record in records]


def test_product_rows_match_django_tables2(make_product):
    make_product(sku="ACC-001", name="Blue <widget> & co", price="1234.50", reorder_level=5, on_hand=30)
    make_product(sku="ACC-002", name="Low one", reorder_level=5, on_hand=3)
    make_product(sku="ACC-003", name="Out one", on_hand=0)
    archived = make_product(sku="ACC-004", name="Gone")
    ProductSummary.objects.filter(pk=archived.product_id).update(archived=True)
    rows = ListProducts().execute().rows + ListProducts(status="archived").execute().rows
    assert len(rows) == 4
    pairs = _both_ways(ProductTable(ListProducts().execute()), rows)
    assert [ours for ours, _ in pairs] == [reference for _, reference in pairs]
    html = "".join(ours for ours, _ in pairs)
    assert "Blue &lt;widget&gt; &amp; co" in html and "1,234.50" in html
    assert {"In stock · 30", "Low · 3", "Out · 0", "Archived · 0"} <= {key for key in _badges(html)}


def test_movement_and_history_rows_match_django_tables2(product, clerk_client):
    from products.write import bus
    from products.write.commands import IssueStock

    bus.dispatch(IssueStock(product_id=product.product_id, quantity=3, note="to <site> 7"))
    movements = ListStockMovements().execute()
    history = ListStockMovements(product_id=product.product_id).execute()
    assert len(movements.rows) == 2
    for table, page in ((MovementTable(movements), movements), (HistoryTable(history), history)):
        pairs = _both_ways(table, page.rows)
        assert [ours for ours, _ in pairs] == [reference for _, reference in pairs]
        assert "to &lt;site&gt; 7" in pairs[0][0] and "\u22123" in pairs[0][0]


class Everything(tables.Table):
    """Column features the keyset tables do not use today, so a new column renders as tables2 would too."""

    name = tables.Column(attrs={"td": {"class": "b a", "data-value": lambda value: value}})
    price = tables.Column(localize=True)
    code = tables.Column(localize=False)
    missing = tables.Column(default="none here")
    nested = tables.Column(accessor="owner__name", default="—")
    linked = tables.Column(accessor="name", linkify=lambda record: f"/items/{record['id']}/")
    when = tables.Column()
    flag = tables.BooleanColumn()
    row_no = tables.Column(accessor="id")

    class Meta:
        row_attrs = {"data-id": lambda record: record["id"], "class": "row"}
        attrs = {"td": {"title": "cell"}}

    def render_code(self, value, bound_column):
        return format_html("<code>{}:{}</code>", bound_column.name, value)

    def render_row_no(self, bound_row, **kwargs):
        return f"{kwargs['value']}/{bound_row.record['id']}"

    def get_column_class_names(self, classes_set, bound_column):
        return classes_set | {f"col-{bound_column.name}"}


def test_every_column_feature_matches_django_tables2(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    records = [
        {
            "id": 1,
            "name": "<b>one</b>",
            "price": Decimal("12345.5"),
            "code": 1234567,
            "owner": {"name": "Ann"},
            "when": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
            "flag": True,
        },
        {"id": 2, "name": "", "price": None, "code": 0, "owner": None, "when": None, "flag": False},
        {"id": 3, "name": uuid.UUID(int=3), "price": 7, "code": -5, "owner": {}, "when": dt.date(2026, 5, 6)},
    ]
    pairs = _both_ways(Everything(records), records)
    assert [ours for ours, _ in pairs] == [reference for _, reference in pairs]
    first, second, _ = (ours for ours, _ in pairs)
    assert 'data-value="&lt;b&gt;one&lt;/b&gt;"' in first and "12,345.5" in first
    assert "<code>code:1234567</code>" in first
    assert 'class="a b col-name"' in first and 'href="/items/1/"' in first and "1/1" in first
    assert "none here" in second and '<tr data-id="2" class="row">' in second


def _badges(html: str) -> list[str]:
    return re.findall(r'aria-live="polite">([^<]*)</span>', html)


def test_a_choice_field_shows_its_display_text(make_product):
    """django-tables2 shows get_FOO_display() for a model field with choices; so do rows.py's cells."""

    class Status(tables.Table):
        status = tables.Column()

    make_product(sku="ACC-001", on_hand=0)
    [row] = ListProducts().execute().rows
    [(ours, reference)] = _both_ways(Status([row]), [row])
    assert ours == reference == "<tr><td >Out</td></tr>"
