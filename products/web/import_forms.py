"""The upload form and the apply choice."""

from __future__ import annotations

from django import forms

from products.imports.access import allowed_kinds
from products.imports.models import ApplyMode, ImportKind
from products.imports.parsing import TOO_BIG, max_file_bytes, max_file_megabytes
from products.web.forms import BootstrapForm

KIND_HELP = {
    ImportKind.PRODUCTS: "Columns sku, name, price; optional description, reorder_level, quantity (opening stock).",
    ImportKind.COUNTS: "Columns sku, quantity (the counted total); optional note.",
}


class UploadForm(BootstrapForm):
    kind = forms.ChoiceField(label="What the file holds", widget=forms.RadioSelect)
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 or Windows spreadsheet export; comma, semicolon or tab separated (semicolon files may "
        "write prices 12,50); the first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = allowed_kinds(user)
        self.fields["kind"].choices = [(k, f"{ImportKind(k).label} — {KIND_HELP[k]}") for k in kinds]
        self.fields["kind"].widget.attrs.pop("class", None)
        if len(kinds) == 1:
            self.initial.setdefault("kind", kinds[0])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_file_bytes():
            raise forms.ValidationError(TOO_BIG.format(megabytes=max_file_megabytes()))
        return upload


class ApplyForm(forms.Form):
    mode = forms.ChoiceField(choices=ApplyMode.choices)
