"""Query-string parameters of the list pages, checked before they reach a query class.

The query classes own filtering and keyset paging (django-filter would build querysets
outside the read side), so these are plain forms that turn a URL into query arguments.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from products.read.queries import FindProductBySku, GetProduct
from products.read.tables import STATUS_FILTERS, MovementKind
from products.web.forms import BootstrapForm

STATUS_CHOICES = list(STATUS_FILTERS.items())


class MovementFilter(BootstrapForm):
    product = forms.CharField(
        label="Product",
        required=False,
        max_length=64,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": "SKU", "class": "font-monospace", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *MovementKind.choices])
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_product(self):
        """Accept a SKU (any case) or a product id; say so when neither matches."""
        text = self.cleaned_data["product"]
        if not text:
            return None
        try:
            found = GetProduct(product_id=uuid.UUID(text)).execute()
        except ValueError:
            found = FindProductBySku(sku=text).execute()
        if found is None:
            raise forms.ValidationError(f"No product with SKU {text}.")
        return found

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return data

    def query_kwargs(self) -> dict:
        """Arguments for ListStockMovements; dates are whole local days, `until` inclusive."""
        data = self.cleaned_data
        product = data.get("product")
        return {
            "product_id": product.product_id if product else None,
            "kind": data.get("kind") or None,
            "since": _start_of(data["since"]) if data.get("since") else None,
            "until": _start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
        }


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
