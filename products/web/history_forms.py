"""The forms of the history pages: a moment to look back at, and why a movement is reversed."""

from __future__ import annotations

from django import forms

from products.web.forms import BootstrapForm, CommandForm
from products.write import commands

REASON_REQUIRED = "Say why it is reversed: the reason stays in the ledger."
AS_OF_REQUIRED = "Choose the date and time to look back at."
AS_OF_INVALID = "Enter a date and time, e.g. 2026-03-01 12:00."


class AsOfForm(BootstrapForm):
    """`as_of` as the browser's date-time picker sends it (local time of the site's time zone)."""

    as_of = forms.DateTimeField(
        label="On hand on",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": AS_OF_REQUIRED, "invalid": AS_OF_INVALID},
    )


BY_CHOICES = (("product", "Per product"), ("location", "Per product and location"))


class InventoryForm(AsOfForm):
    """The Inventory as of page: a moment (now when left empty), per product or per location, one location or all."""

    by = forms.ChoiceField(label="Rows", choices=BY_CHOICES, required=False)
    location = forms.CharField(
        label="At location",
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={"list": "location-codes", "placeholder": "any", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].required = False
        self.fields["as_of"].label = "Stock as it stood on"

    @property
    def per_location(self) -> bool:
        return self.cleaned_data.get("by") == "location" or bool(self.cleaned_data.get("location"))


class ReverseForm(CommandForm):
    """Why a movement is reversed: required, kept as the correction's note."""

    reason = forms.CharField(
        label="Reason",
        max_length=commands.NOTE_MAX_LENGTH,
        error_messages={"required": REASON_REQUIRED},
        widget=forms.TextInput(attrs={"autofocus": True}),
    )

    def to_command(self, position: int) -> commands.ReverseMovement:
        return commands.ReverseMovement(
            command_id=self.cleaned_data["command_id"], position=position, reason=self.cleaned_data["reason"]
        )
