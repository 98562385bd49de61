"""A stale product edit: what this user changed, what changed meanwhile, and a retry that keeps both.

The edit form carries the values it was drawn from (`base`, signed), so a save sends only the
fields this user changed. When the product changed meanwhile the command is refused (409); the
form is then redrawn on the current version: the user's own changes kept, every other field at its
current value, each difference marked. Saving that form cannot undo anyone else's change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.utils import timezone
from django.utils.dateformat import format as date_format

from products.write.commands import DETAIL_FIELDS

BASE_SALT = "products.web.edit-base"
LABELS = {
    "sku": "SKU",
    "name": "Name",
    "description": "Description",
    "price": "Price",
    "reorder_level": "Reorder level",
}

BY_YOU = "you changed {sku} in another tab or window{at}"
BY_USER = "{user} changed {sku}{at}"
STOCK_BY_YOU = "you moved stock of {sku} in another tab or window{at} (its details are as you saw them)"
STOCK_BY_USER = "{user} moved stock of {sku}{at} (its details are as you saw them)"
UNKNOWN = "{sku} was changed after this form was opened"
STALE_EDIT = (
    "Nothing was saved: {what}. Your changes are kept below on top of the current values; "
    "check the marked fields and save again, or cancel."
)
NOTE_THEIRS = "Changed meanwhile to “{current}”; the form now shows that."
NOTE_BOTH = "Changed meanwhile to “{current}”; the form shows yours. Type theirs back to keep it."
NOTE_SAME = "Changed meanwhile to the same value you chose."


def normal(value) -> str:
    """One spelling per value, so 2.5 and 2.50 or 7 and "7" compare equal."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return str(value)


def details_of(source) -> dict[str, str]:
    """The product's details as the form compares them (from a read-model row or a dict)."""
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    return {name: normal(get(name)) for name in DETAIL_FIELDS}


def sign_base(details: dict[str, str]) -> str:
    return signing.dumps(details, salt=BASE_SALT, compress=True)


def read_base(token: str) -> dict[str, str] | None:
    """The values the form was drawn from; None when missing or tampered with (then every field is sent)."""
    if not token:
        return None
    try:
        base = signing.loads(token, salt=BASE_SALT)
    except signing.BadSignature:
        return None
    return base if isinstance(base, dict) and set(base) == set(DETAIL_FIELDS) else None


def changed_only(cleaned: dict, base: dict[str, str] | None) -> dict:
    """The details to send: what differs from the base; None (keep the product's value) for the rest."""
    if base is None:
        return {name: cleaned[name] for name in DETAIL_FIELDS}
    return {name: cleaned[name] if normal(cleaned[name]) != base[name] else None for name in DETAIL_FIELDS}


@dataclass(frozen=True)
class Difference:
    """One field of a stale edit: the value the form started from, this user's, and the current one."""

    name: str
    base: str
    yours: str
    current: str

    @property
    def label(self) -> str:
        return LABELS[self.name]

    @property
    def you_changed(self) -> bool:
        return self.yours != self.base

    @property
    def they_changed(self) -> bool:
        return self.current != self.base

    @property
    def kept(self) -> str:
        """What the redrawn form holds: yours where you changed it, else the current value."""
        return self.yours if self.you_changed else self.current

    @property
    def note(self) -> str:
        if not self.they_changed:
            return ""
        if not self.you_changed:
            return NOTE_THEIRS.format(current=self.current)
        return NOTE_SAME if self.yours == self.current else NOTE_BOTH.format(current=self.current)


def who_changed(error, *, sku: str, username: str) -> str:
    """The clerk's words for who made the newer change: this user in another tab, or someone named."""
    if not error.changed_by:
        return UNKNOWN.format(sku=sku)
    at = f" at {date_format(timezone.localtime(error.changed_at), 'H:i')}" if error.changed_at else ""
    you = error.changed_by == username
    if error.details_changed:
        return (BY_YOU if you else BY_USER).format(user=error.changed_by, sku=sku, at=at)
    return (STOCK_BY_YOU if you else STOCK_BY_USER).format(user=error.changed_by, sku=sku, at=at)


def rebase(form, current) -> list[Difference]:
    """Redraw a refused edit on the current version; return each field's difference for the page."""
    base = read_base(form.data.get("base", "")) or details_of(current)
    submitted = {name: normal(form.cleaned_data.get(name, form.data.get(name))) for name in DETAIL_FIELDS}
    now = details_of(current)
    differences = [Difference(name, base[name], submitted[name], now[name]) for name in DETAIL_FIELDS]
    data = form.data.copy()
    for difference in differences:
        data[difference.name] = difference.kept
    data["version"] = str(current.version)
    data["base"] = sign_base(now)
    form.data = data
    return differences
