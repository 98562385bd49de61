"""The reservation forms: reserve (quantity, reference, expires), fulfil (a quantity or all), release."""

from __future__ import annotations

import uuid

from django import forms

from products.web.forms import CommandForm
from products.write import commands


class ReserveForm(CommandForm):
    """Promise stock to an order; the reservation's id is chosen with the form, so a double submit reserves once."""

    reservation_id = forms.UUIDField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=commands.MAX_QUANTITY,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "text-end", "autocomplete": "off"}),
    )
    reference = forms.CharField(
        label="For (order or name)",
        max_length=commands.REFERENCE_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": "e.g. SO-1001", "autocomplete": "off"}),
    )
    expires_at = forms.DateTimeField(
        label="Expires",
        required=False,
        help_text="Optional: released automatically after this.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_reserve_%s"
        # As the stock forms: the browser never cuts what was typed; the server judges it (and says so).
        self.fields["reference"].widget.attrs.pop("maxlength", None)
        if not self.is_bound:
            self.initial.setdefault("reservation_id", uuid.uuid4())

    def to_command(self, product_id) -> commands.ReserveStock:
        return commands.ReserveStock(product_id=product_id, **self.cleaned_data)


class FulfilForm(CommandForm):
    """Issue reserved stock: the quantity given, or all that is still reserved."""

    quantity = forms.IntegerField(
        label="Fulfil",
        required=False,
        min_value=1,
        max_value=commands.MAX_QUANTITY,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "text-end form-control-sm"}),
    )

    def __init__(self, *args, reservation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_fulfil_{reservation_id}_%s"

    def to_command(self, reservation_id) -> commands.FulfilReservation:
        return commands.FulfilReservation(reservation_id=reservation_id, **self.cleaned_data)


class ReleaseForm(CommandForm):
    """Just the command_id: releasing twice from one form releases once."""

    def to_command(self, reservation_id) -> commands.ReleaseReservation:
        return commands.ReleaseReservation(reservation_id=reservation_id, **self.cleaned_data)
