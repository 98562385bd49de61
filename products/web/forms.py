"""HTML forms that turn what a person typed into a command; the command has the final word."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from products.web import stale_edit
from products.web.fields import LimitedTextField, PriceField, WholeNumberField
from products.write import commands
from products.write.errors import DomainError
from products.write.events import DEFAULT_LOCATION


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
        self.focus_first_error()

    def focus_first_error(self) -> None:
        """The first field (in page order) with an error gets the focus, not the form's first field."""
        invalid = [name for name in self.fields if name in self.errors and not self.fields[name].widget.is_hidden]
        if not invalid:
            return
        for name, field in self.fields.items():
            field.widget.attrs.pop("autofocus", None)
            if name == invalid[0]:
                field.widget.attrs["autofocus"] = True

    @property
    def focus_name(self) -> str | None:
        """The field to focus: the first invalid one, else the one marked autofocus."""
        for name, field in self.fields.items():
            if field.widget.attrs.get("autofocus"):
                return name
        return None


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
    return LimitedTextField(label=label, limit=max_length, required=required, **kwargs)


class ProductForm(CommandForm):
    """Create or edit a product's details (never its stock)."""

    sku = _text(
        "SKU",
        commands.SKU_MAX_LENGTH,
        help_text=f"Letters, digits and . _ / - (e.g. ACC-001), up to {commands.SKU_MAX_LENGTH} characters.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
    )
    name = _text("Name", commands.NAME_MAX_LENGTH)
    description = _text(
        "Description", commands.DESCRIPTION_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    price = PriceField(label="Price", high=commands.MAX_PRICE, help_text="A decimal point or comma: 12.50 or 12,50.")
    reorder_level = WholeNumberField(
        label="Reorder level",
        what="reorder level",
        low=0,
        high=commands.MAX_REORDER_LEVEL,
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
    """Carries the version and the values it was drawn from: a stale edit is refused instead of overwriting,
    and a save sends only the fields this user changed (see stale_edit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "sku" in self.initial:
            self.initial.setdefault("base", stale_edit.sign_base(stale_edit.details_of(self.initial)))

    def to_command(self, product_id) -> commands.UpdateProductDetails:
        details = stale_edit.changed_only(self.cleaned_data, stale_edit.read_base(self.cleaned_data["base"]))
        return commands.UpdateProductDetails(
            product_id=product_id,
            expected_version=self.cleaned_data["version"],
            command_id=self.cleaned_data["command_id"],
            **details,
        )


COUNT_REQUIRED = "Enter the counted quantity (0 if there are none)."


class StockForm(CommandForm):
    """Receive, issue or count: a quantity first, a note if wanted."""

    quantity = WholeNumberField(
        label="Quantity",
        what="quantity",
        low=1,
        high=commands.MAX_QUANTITY,
        widget=forms.TextInput(attrs={"class": "text-end"}),
    )
    note = _text(
        "Note",
        commands.NOTE_MAX_LENGTH,
        required=False,
        hint=False,
        widget=forms.TextInput(attrs={"placeholder": "optional, e.g. PO-1234"}),
    )
    # The command checks the code (and MAIN stands in for a blank one); the page offers a datalist.
    location = _text(
        "Location",
        200,
        required=False,
        initial=DEFAULT_LOCATION,
        widget=forms.TextInput(attrs={"list": "location-codes", "class": "font-monospace"}),
    )

    def __init__(self, *args, kind: str, shown=None, levels=(), **kwargs):
        """`shown`: the product as the page showed it; a count remembers its version and the time.

        `levels`: where its stock is; an issue or a count starts at the location holding the most
        (a receipt at MAIN, the receiving dock).
        """
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != "receive" and not self.is_bound:
            self.initial.setdefault("location", fullest(levels))
        if kind == "count":
            # What the counter was shown: movements recorded after it stay on top of the count.
            self.fields["seen_version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
            self.fields["counted_at"] = forms.DateTimeField(widget=forms.HiddenInput, required=False)
            if shown is not None and not self.is_bound:
                self.initial.update(seen_version=shown.version, counted_at=timezone.now().isoformat())
            quantity = self.fields["quantity"]
            quantity.low, quantity.what, quantity.label = 0, "count", "Counted quantity"
            quantity.error_messages["required"] = COUNT_REQUIRED
        self.fields["quantity"].widget.attrs["autofocus"] = True
        # One input id per form, since three stock forms share a page.
        self.auto_id = f"id_{kind}_%s"

    def to_command(self, product_id):
        return STOCK_COMMANDS[self.kind](product_id=product_id, **self.cleaned_data)


STOCK_COMMANDS = {
    "receive": commands.ReceiveStock,
    "issue": commands.IssueStock,
    "count": commands.CountStock,
}


def fullest(levels) -> str:
    """The code of the location holding the most of a product (MAIN when it holds none, or ties for most)."""
    best = max(levels, key=lambda level: (level.on_hand, level.location == DEFAULT_LOCATION), default=None)
    return best.location if best is not None and best.on_hand > 0 else DEFAULT_LOCATION


def _location_field(label):
    return _text(label, 200, widget=forms.TextInput(attrs={"list": "location-codes", "class": "font-monospace"}))


class TransferForm(CommandForm):
    """Move stock of this product from one location to another."""

    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=commands.MAX_QUANTITY)
    from_location = _location_field("From")
    to_location = _location_field("To")
    note = _text("Note", commands.NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args, levels=(), **kwargs):
        """`levels`: where the product's stock is; the move starts from the location holding the most."""
        super().__init__(*args, **kwargs)
        self.auto_id = "id_transfer_%s"
        self.initial.setdefault("from_location", fullest(levels))

    def to_command(self, product_id) -> commands.TransferStock:
        return commands.TransferStock(product_id=product_id, **self.cleaned_data)


class LocationForm(CommandForm):
    """A new location (code, name, parent) or an edit (name, parent) for managers."""

    code = _text(
        "Code",
        200,
        help_text="Letters, digits, - and _ (e.g. A-01-03); at most 32; it cannot change later.",
        widget=forms.TextInput(attrs={"class": "font-monospace", "autocomplete": "off", "spellcheck": "false"}),
    )
    name = _text("Name", commands.NAME_MAX_LENGTH)
    parent = _text(
        "Inside",
        200,
        required=False,
        help_text="The warehouse that holds it, e.g. MAIN; blank for a warehouse.",
        widget=forms.TextInput(attrs={"list": "location-parents", "class": "font-monospace"}),
    )

    def to_command(self) -> commands.CreateLocation:
        return commands.CreateLocation(**self.cleaned_data)

    def to_update(self) -> commands.UpdateLocation:
        data = self.cleaned_data
        return commands.UpdateLocation(
            command_id=data["command_id"], code=data["code"], name=data["name"], parent=data["parent"] or ""
        )


class ArchiveForm(CommandForm):
    """Just the command_id: confirming twice archives once."""

    def to_command(self, product_id) -> commands.ArchiveProduct:
        return commands.ArchiveProduct(product_id=product_id, **self.cleaned_data)


class RestoreForm(CommandForm):
    """Just the command_id: restoring twice restores once."""

    def to_command(self, product_id) -> commands.RestoreProduct:
        return commands.RestoreProduct(product_id=product_id, **self.cleaned_data)


class AvailabilityForm(BootstrapForm):
    """'Can I ship N?' — a question, so a GET form."""

    quantity = WholeNumberField(
        label="Can I ship",
        what="quantity",
        low=1,
        high=commands.MAX_QUANTITY,
        widget=forms.TextInput(attrs={"class": "text-end", "placeholder": "quantity"}),
    )
