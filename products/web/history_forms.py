"""The forms of the history pages: a moment to look back at."""

from __future__ import annotations

from django import forms

from products.web.forms import BootstrapForm

AS_OF_REQUIRED = "Choose the date and time to look back at."
AS_OF_INVALID = "Enter a date and time, e.g. 2026-03-01 12:00."


class AsOfForm(BootstrapForm):
    """`as_of` as the browser's date-time picker sends it (local time of the site's time zone)."""

    as_of = forms.DateTimeField(
        label="On hand on",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": AS_OF_REQUIRED, "invalid": AS_OF_INVALID},
    )
