"""The product list's parameters (q, status, sort) as one FilterSet over the summary read model.

The page, its CSV export, the API and the dashboard all filter through it, so a chip, a search and an
export can never disagree about which rows match. Sorting and keyset paging stay in ListProducts:
`sort` is validated here and applied there.
"""

from __future__ import annotations

import copy
import functools

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, Subquery
from django.http import QueryDict

from products.read.tables import (
    ARCHIVED,
    MAIN,
    STATUS_FILTERS,
    LocationSummary,
    ProductSummary,
    StockByLocation,
    StockStatus,
)

ALL = "all"
DEFAULT_SORT = "name"
# Public sort names → read-model column (ties broken by product_id).
SORTS = {
    "name": "name",
    "sku": "sku",
    "on_hand": "on_hand",
    "price": "price",
    "updated": "updated_at",
}
SEARCH_MAX_LENGTH = 200  # a whole product name (its maximum length) can be pasted in
SEARCH_TOO_LONG = "Search at most {limit:,} characters; this one has {length:,}. Shorten it to search."
SEARCH_WORDS = 8  # more words than this narrow nothing a clerk would notice and cost a LIKE each


def search_condition(text: str) -> Q:
    """Every word must appear in SKU or name; on PostgreSQL a trigram GIN index serves LIKE."""
    condition = Q()
    for word in text.lower().split()[:SEARCH_WORDS]:
        condition &= Q(search_text__contains=word)
    return condition


def with_status(rows, status: str):
    """All active products, one stock status of them, or the archived ones."""
    rows = rows.filter(archived=status == ARCHIVED)
    if status in StockStatus.values:
        rows = rows.filter(status=status)
    return rows


class StoredCode(str):
    """A location code as stored: looked up already, so it is not looked up again."""


def stored_code(code: str) -> StoredCode | None:
    """The location's code as stored, for one typed in any case (None: no such location).

    One lookup in the small locations table (MAIN is built in and needs none), so the big tables are
    then matched on the exact value, which their (location, ...) indexes serve; a case-insensitive
    comparison there would read every row.
    """
    if isinstance(code, StoredCode):
        return code
    if code.upper() == MAIN:
        return StoredCode(MAIN)
    found = LocationSummary.objects.filter(code__iexact=code).values_list("code", flat=True).first()
    return None if found is None else StoredCode(found)


def with_stock_at(rows, location: str):
    """Products holding stock at this location (a code, any case): one subquery, no extra query per row.

    The stored code is looked up inside the same query (a scalar subquery PostgreSQL runs once, before
    it seeks stock_by_location_loc with the result), so the list page keeps its query count.
    """
    if not location:
        return rows
    if isinstance(location, StoredCode) or location.upper() == MAIN:
        code = stored_code(location)
    else:
        code = Subquery(LocationSummary.objects.filter(code__iexact=location).values("code")[:1])
    holders = StockByLocation.objects.filter(location=code, on_hand__gt=0).values("product_id")
    return rows.filter(product_id__in=holders)


def _filter_location(queryset, name, value):
    return with_stock_at(queryset, value.strip())


def _filter_search(queryset, name, value):
    return queryset.filter(search_condition(value)) if value.strip() else queryset


def _filter_status(queryset, name, value):
    return with_status(queryset, value)


def _search_length(text: str) -> None:
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationError(SEARCH_TOO_LONG.format(limit=SEARCH_MAX_LENGTH, length=len(text)), code="max_length")


class ProductFilter(django_filters.FilterSet):
    """`?q=&status=&sort=` checked and applied; a missing or unknown status or sort means the default."""

    q = django_filters.CharFilter(label="Search by SKU or name", method=_filter_search, validators=[_search_length])
    status = django_filters.ChoiceFilter(choices=list(STATUS_FILTERS.items()), method=_filter_status)
    location = django_filters.CharFilter(label="With stock at", method=_filter_location, max_length=32)
    sort = django_filters.OrderingFilter(fields=[(column, key) for key, column in SORTS.items()])

    class Meta:
        model = ProductSummary
        fields = ()

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """FilterSet's, but each filter is copied shallowly and the form class is built once: every list request
        makes one of these, and deep copies of the filters and their fields cost more than the page's query.
        The filters' methods are plain functions, so a copy needs no parent to find them."""
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset if queryset is not None else ProductSummary.objects.all()
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model, filter_.parent = ProductSummary, self

    @classmethod
    @functools.cache
    def _form_class(cls):
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def get_form_class(self):
        return self._form_class()

    def filter_queryset(self, queryset):
        """The status applies even when absent (then: every active product), unlike an empty filter."""
        self.form.cleaned_data.setdefault("status", None)
        self.form.cleaned_data["status"] = self.form.cleaned_data["status"] or ALL
        return super().filter_queryset(queryset)

    @staticmethod
    def rows(*, search: str = "", status: str = ALL, location: str = ""):
        """The products matching values already checked (by this FilterSet, the API's serializer or the code)."""
        rows = _filter_search(with_status(ProductSummary.objects.all(), status), "q", search)
        return with_stock_at(rows, location)

    def list_query(self) -> dict:
        """The valid search, status and sort, with defaults where a value was missing or not valid."""
        self.is_valid()
        data = self.form.cleaned_data
        sort = data.get("sort") or [DEFAULT_SORT]
        query = {"search": data.get("q") or "", "status": data.get("status") or ALL, "sort": sort[0]}
        if location := (data.get("location") or "").strip():
            query["location"] = location
        return query

    def search_problem(self) -> str | None:
        """Why the typed search was not used (too long), in the clerk's words; None when it was."""
        self.is_valid()
        errors = self.form.errors.get("q")
        return " ".join(errors) if errors else None
