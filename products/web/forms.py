"""HTML forms that turn what a person typed into a command; the command has the final word."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from products.write import commands
from products.write.errors import DomainError


class BootstrapForm(forms.Form):
    """Bootstrap classes on every input, and errors marked for eyes and screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            base = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{base} {widget.attrs.get('class', '')}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if field else []
        if field is None and isinstance(error, forms.ValidationError) and hasattr(error, "error_dict"):
            names = list(error.error_dict)
        for name in names:
            if name in self.fields and not self.fields[name].widget.is_hidden:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                described = f"{self[name].auto_id}_error"
                if self.fields[name].help_text:
                    described += f" {self[name].auto_id}_helptext"
                attrs["aria-describedby"] = described


class CommandForm(BootstrapForm):
    """Carries a command_id chosen when the form is drawn, so a double submit applies once."""

    command_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("command_id", uuid.uuid4())

    def add_domain_error(self, error: DomainError) -> None:
        """Put a refusal next to the field it is about, or above the form."""
        field_errors = error.field_errors
        if not field_errors:
            self.add_error(None, error.message)
            return
        for name, messages in field_errors.items():
            self.add_error(name if name in self.fields else None, messages)


def _text(label, max_length, *, required=True, **kwargs):
    return forms.CharField(label=label, max_length=max_length, required=required, strip=True, **kwargs)


class ProductForm(CommandForm):
    """Create or edit a product's details (never its stock)."""

    sku = _text(
        "SKU",
        commands.SKU_MAX_LENGTH,
        help_text="Letters, digits and . _ / - (e.g. ACC-001).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
    )
    name = _text("Name", commands.NAME_MAX_LENGTH)
    description = _text(
        "Description", commands.DESCRIPTION_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    price = forms.DecimalField(
        label="Price",
        min_value=0,
        max_value=commands.MAX_PRICE,
        decimal_places=2,
        max_digits=12,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reorder_level = forms.IntegerField(
        label="Reorder level",
        min_value=0,
        max_value=commands.MAX_REORDER_LEVEL,
        initial=0,
        help_text="At or below this many on hand the product shows as Low.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].widget.attrs["autofocus"] = True


class CreateProductForm(ProductForm):
    """The new product's id is chosen here too, so a repeated submit lands on the same product."""

    product_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("product_id", uuid.uuid4())

    def to_command(self) -> commands.CreateProduct:
        return commands.CreateProduct(**self.cleaned_data)


class EditProductForm(ProductForm):
    """Carries the version it was drawn from, so a stale edit is refused instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def to_command(self, product_id) -> commands.UpdateProductDetails:
        data = dict(self.cleaned_data)
        return commands.UpdateProductDetails(product_id=product_id, expected_version=data.pop("version"), **data)


class StockForm(CommandForm):
    """Receive, issue or count: a quantity first, a note if wanted."""

    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=commands.MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "text-end"}),
    )
    note = _text(
        "Note",
        commands.NOTE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "optional, e.g. PO-1234"}),
    )

    def __init__(self, *args, kind: str, shown=None, **kwargs):
        """`shown`: the product as the page showed it; a count remembers its version and the time."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "count":
            # What the counter was shown: movements recorded after it stay on top of the count.
            self.fields["seen_version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
            self.fields["counted_at"] = forms.DateTimeField(widget=forms.HiddenInput, required=False)
            if shown is not None and not self.is_bound:
                self.initial.update(seen_version=shown.version, counted_at=timezone.now().isoformat())
            self.fields["quantity"].min_value = 0
            self.fields["quantity"].label = "Counted quantity"
            self.fields["quantity"].widget.attrs["min"] = 0
            self.fields["quantity"].validators = [
                v for v in self.fields["quantity"].validators if getattr(v, "code", "") != "min_value"
            ]
        # One input id per form, since three stock forms share a page.
        self.auto_id = f"id_{kind}_%s"

    def to_command(self, product_id):
        return STOCK_COMMANDS[self.kind](product_id=product_id, **self.cleaned_data)


STOCK_COMMANDS = {
    "receive": commands.ReceiveStock,
    "issue": commands.IssueStock,
    "count": commands.CountStock,
}


class ArchiveForm(CommandForm):
    """Just the command_id: confirming twice archives once."""

    def to_command(self, product_id) -> commands.ArchiveProduct:
        return commands.ArchiveProduct(product_id=product_id, **self.cleaned_data)


class AvailabilityForm(BootstrapForm):
    """'Can I ship N?' — a question, so a GET form."""

    quantity = forms.IntegerField(
        label="Can I ship",
        min_value=1,
        max_value=commands.MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "text-end", "placeholder": "quantity"}),
    )
