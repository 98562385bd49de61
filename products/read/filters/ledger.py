"""The movements ledger's parameters (product, kind, from, to) as one FilterSet over the ledger read model.

The page and its CSV export both filter through it. `product` takes what a person remembers: a whole SKU (that
product only), part of a SKU or of a name (every product it matches, up to MAX_MATCHES), or a product id.
Keyset paging stays in ListStockMovements, which takes the resolved product ids and keeps the ledger's indexes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from products.read.filters.catalogue import search_condition, stored_code
from products.read.tables import MovementKind, ProductSummary, StockMovementEntry

MAX_MATCHES = 50  # products one partial text may stand for; more would make the ledger an unsorted heap
NO_MATCH = "No product has “{text}” in its SKU or name."
UNTIL_BEFORE_SINCE = "The end date is before the start date."
NO_LOCATION = "There is no location “{code}”."

# A command's event time is taken just before its transaction, its position inside it; no command
# transaction lasts this long, so a row this much later in time also has a later position.
CLOCK_SKEW = timedelta(hours=1)


NO_BOUND = 2**63 - 1


def _position_bound(moment: datetime, default: int | None):
    """Translate a time into a position bound the primary key can seek to (exact given CLOCK_SKEW).

    Ledger pages are ordered by position; a date filter alone would make PostgreSQL walk the
    primary key past every newer row. Bounding the position lets it start at the right place.
    """
    if default is None:  # upper bound: the first row at or after `moment`
        first_after = StockMovementEntry.objects.filter(occurred_at__gte=moment).order_by("occurred_at")
        return Coalesce(Subquery(first_after.values("position")[:1]), NO_BOUND)
    last_before = StockMovementEntry.objects.filter(occurred_at__lt=moment).order_by("-occurred_at")
    return Coalesce(Subquery(last_before.values("position")[:1]), default)


def filtered_ledger(*, product_id=None, product_ids=None, kind=None, since=None, until=None, location=None):
    """Ledger rows matching the filters; shared by the paged ledger and the CSV export.

    `product_ids` (several products a typed text matched) reads each one's (product_id, position) index.
    `location` (a code, any case) matches movements there and transfers from or to it.
    """
    rows = StockMovementEntry.objects.all()
    if location:
        code = stored_code(location)
        if code is None:
            return rows.none()
        rows = rows.filter(Q(location=code) | Q(to_location=code))
    if product_id:
        rows = rows.filter(product_id=product_id)
    if product_ids is not None:
        ids = list(product_ids)
        rows = rows.filter(product_id=ids[0]) if len(ids) == 1 else rows.filter(product_id__in=ids)
    if kind:
        rows = rows.filter(kind=kind)
    if since:
        rows = rows.filter(occurred_at__gte=since, position__gt=_position_bound(since - CLOCK_SKEW, 0))
    if until:
        rows = rows.filter(occurred_at__lt=until, position__lt=_position_bound(until + CLOCK_SKEW, None))
    return rows


@dataclass(frozen=True)
class ProductMatch:
    """The products a typed text stands for; `more` when more than MAX_MATCHES matched (the first are used)."""

    text: str
    products: tuple[ProductSummary, ...]
    more: bool = False

    @property
    def ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(product.product_id for product in self.products)

    @property
    def exact(self) -> bool:
        return len(self.products) == 1 and self.products[0].sku.lower() == self.text.lower()


def match_products(text: str) -> ProductMatch | None:
    """A product id or a whole SKU (any case) means that product; otherwise every product whose SKU or name
    contains the text, by SKU. One query (two for an id); the trigram-indexed search_text serves the LIKE."""
    try:
        found = list(ProductSummary.objects.filter(product_id=uuid.UUID(text)))
    except ValueError:
        found = []
    if found:
        return ProductMatch(text=text, products=tuple(found))
    candidates = list(ProductSummary.objects.filter(search_condition(text)).order_by("sku")[: MAX_MATCHES + 1])
    exact = [product for product in candidates if product.sku.lower() == text.lower()]
    if exact:
        return ProductMatch(text=text, products=tuple(exact))
    if not candidates:
        return None
    return ProductMatch(text=text, products=tuple(candidates[:MAX_MATCHES]), more=len(candidates) > MAX_MATCHES)


class LedgerFilterForm(forms.Form):
    """Checks the parameters together: the product text resolves to products, the dates are in order."""

    def clean_product(self):
        text = self.cleaned_data.get("product") or ""
        if not text:
            return None
        match = match_products(text)
        if match is None:
            raise forms.ValidationError(NO_MATCH.format(text=text), code="no_match")
        return match

    def clean_location(self):
        """The code as stored (looked up once here; the ledger query then matches it exactly)."""
        text = (self.cleaned_data.get("location") or "").strip()
        if not text:
            return ""
        code = stored_code(text)
        if code is None:
            raise forms.ValidationError(NO_LOCATION.format(code=text), code="no_location")
        return code

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", UNTIL_BEFORE_SINCE)
        return data

    def add_error(self, field, error):
        """Mark the field for eyes and screen readers (the message sits in `<id>_error` below it)."""
        super().add_error(field, error)
        if field in self.fields:
            attrs = self.fields[field].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{field}_error"})


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class LedgerFilter(django_filters.FilterSet):
    """`?product=&kind=&location=&since=&until=`; dates are whole local days, `until` inclusive."""

    product = django_filters.CharFilter(
        label="Product",
        method="_unused",  # applied with the others in filter_queryset (it needs the resolved match)
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": "SKU or name", "class": "form-control font-monospace", "spellcheck": "false"}
        ),
    )
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=MovementKind.choices,
        empty_label="Any kind",
        method="_unused",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    location = django_filters.CharFilter(
        label="Location",
        method="_unused",
        max_length=32,
        widget=forms.TextInput(
            attrs={"placeholder": "any", "list": "location-codes", "class": "form-control font-monospace"}
        ),
    )
    since = django_filters.DateFilter(
        label="From", method="_unused", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    until = django_filters.DateFilter(
        label="To", method="_unused", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    class Meta:
        model = StockMovementEntry
        fields = ()
        form = LedgerFilterForm

    def _unused(self, queryset, name, value):  # pragma: no cover - filter_queryset applies every filter
        return queryset

    def filter_queryset(self, queryset):
        """All four at once through filtered_ledger, which bounds dates by position (the index order)."""
        return queryset & filtered_ledger(**self.query_kwargs())

    @property
    def match(self) -> ProductMatch | None:
        """The products the product text stood for (None without one or when it matched nothing)."""
        return self.form.cleaned_data.get("product") if self.is_valid() else None

    def query_kwargs(self) -> dict:
        """Arguments for ListStockMovements and StreamStockMovements; call once the filter is valid."""
        data = self.form.cleaned_data
        match = data.get("product")
        return {
            "product_ids": match.ids if match else None,
            "kind": data.get("kind") or None,
            "location": data.get("location") or None,  # stripped and looked up by clean_location
            "since": _start_of(data["since"]) if data.get("since") else None,
            "until": _start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
        }
