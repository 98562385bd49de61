"""Table rows as HTML in one pass: django-tables2's cell rules, with each column's fixed parts worked out once.

django-tables2 renders a row through a template and, for every cell, builds an accessor, inspects the
render method's signature and recomputes the cell's attributes: that was two thirds of a list page
rendered fresh. The rules below are django-tables2 3.0's (`BoundRow._get_and_render_with` and
`_call_render`, `call_with_appropriate`, `BoundColumn.attrs`, and the row template's localize switch);
`products/tests/web/test_rows.py` renders every keyset table both ways and fails on any difference.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django_tables2 import Table
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import A, AttributeDict, computed_values, signature

# What django-tables2 offers a render method, by argument name.
CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})
_UNSET = object()


class RowRenderer:
    """Renders one table's rows; built once per table, so per-column work is not repeated per row."""

    def __init__(self, table):
        self.table = table
        self.cells = [_Cell(table, bound_column) for bound_column in table.columns]  # the visible ones, in order

    def render(self, record, context) -> str:
        """`<tr>` with every visible cell, as django-tables2's row template would render it in this context."""
        table = self.table
        attrs = AttributeDict(computed_values(table.row_attrs, kwargs={"table": table, "record": record})).as_html()
        html = [f"<tr {attrs}>" if attrs else "<tr>"]
        row = _Row(record, table)
        for cell in self.cells:
            html.append(cell.render(record, row, context))
        html.append("</tr>")
        return "".join(html)


class _Row:
    """The BoundRow a render method may ask for, made only if one does."""

    __slots__ = ("record", "table", "_bound")

    def __init__(self, record, table):
        self.record, self.table, self._bound = record, table, None

    def bound(self) -> BoundRow:
        if self._bound is None:
            self._bound = BoundRow(self.record, table=self.table)
        return self._bound


class _Cell:
    """One column's cell: the accessor, the render method's arguments and, when fixed, the `<td>` attributes."""

    def __init__(self, table, bound_column):
        column = bound_column.column
        self.table, self.bound_column, self.column = table, bound_column, column
        self.accessor = A(bound_column.accessor)
        path, _, self.remainder = self.accessor.rpartition(self.accessor.SEPARATOR)
        self.path = A(path)
        self.render_fn = bound_column.render
        self.args, self.catch_all = signature(self.render_fn)
        self.can_call = self.catch_all is not None or CELL_ARGUMENTS.issuperset(self.args)
        self.wants_row = self.catch_all is not None or "bound_row" in self.args or bool(bound_column.link)
        self.is_m2m = isinstance(column, ManyToManyColumn)
        self.text_link = isinstance(column, BaseLinkColumn) and column.text is not None
        self.localize = column.localize
        self.fields: dict[type, object] = {}
        # The attributes are the same on every row unless a callable computes them from the record or value.
        td = dict(table.attrs)
        td.update(dict(column.attrs))
        td = td.get("td", td.get("cell", {}))
        fixed = not _has_callable(td) and type(table).get_column_class_names is Table.get_column_class_names
        self.td = f"<td {bound_column.attrs['td'].as_html()}>" if fixed else None

    def render(self, record, row: _Row, context) -> str:
        bound_column = self.bound_column
        cell = self._content(record, row)
        # BoundRow.items() leaves these on the column for attribute callables; so does this.
        bound_column.current_value, bound_column.current_record = cell, record
        td = self.td or f"<td {bound_column.attrs['td'].as_html()}>"
        if self.localize is None:
            shown = render_value_in_context(cell, context)
        else:
            shown = render_value_in_context((localize if self.localize else unlocalize)(cell), context)
        return f"{td}{shown}</td>"

    def _content(self, record, row: _Row):
        """BoundRow.get_cell: the value (a choice field's display text first), the default when empty, rendered."""
        value = None
        remainder = self.remainder
        penultimate = self.path.resolve(record, quiet=True)
        if isinstance(penultimate, models.Model):
            field = self._field(record)
            if field is not _UNSET:
                display = getattr(penultimate, f"get_{remainder}_display", None)
                if getattr(field, "choices", ()) and display:
                    value, remainder = display(), None
        if remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:  # noqa: BLE001 (django-tables2 tolerates any failing lookup here)
                if self.text_link:
                    return self._call(record, row, None)
        if value in self.column.empty_values or (self.is_m2m and not value.exists()):
            return self.bound_column.default
        return self._call(record, row, value)

    def _field(self, record):
        """The model field behind the accessor (per record class), or _UNSET where the path names none."""
        kind = type(record)
        if kind not in self.fields:
            try:
                self.fields[kind] = self.accessor.get_field(record)
            except FieldDoesNotExist:
                self.fields[kind] = _UNSET
        return self.fields[kind]

    def _call(self, record, row: _Row, value):
        """call_with_appropriate with the signature read once, then the column's link, as _call_render does."""
        kwargs = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "table": self.table,
        }
        if self.wants_row:
            kwargs["bound_row"] = row.bound()
        if not self.can_call:
            content = None
        elif self.catch_all is None:
            content = self.render_fn(**{name: kwargs[name] for name in self.args})
        else:
            content = self.render_fn(**kwargs)
        return self.bound_column.link(content, **kwargs) if self.bound_column.link else content


def _has_callable(attrs: dict) -> bool:
    return any(callable(value) or (isinstance(value, dict) and _has_callable(value)) for value in attrs.values())
