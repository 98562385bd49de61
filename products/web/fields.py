"""Form fields that read numbers and text the way a clerk types them, and refuse in the clerk's words.

Numbers are text inputs (inputmode numeric/decimal), so whatever was typed comes back on an error;
a browser number input would drop "abc" or "12,50" before the server ever saw it. Each problem
gets one message, with limits written with thousands separators.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms

ENTER_NUMBER = "Enter a {what}."
WHOLE_DIGITS_ONLY = "Enter digits only, e.g. 12."
WHOLE_NO_DECIMALS = "Enter a whole number, without decimals."
WHOLE_AT_LEAST = "Enter a {what} of at least {low:,}."
WHOLE_ZERO_OR_MORE = "Enter a {what} of 0 or more."
WHOLE_AT_MOST = "Enter a {what} of at most {high:,}."
PRICE_ENTER = "Enter a price, e.g. 12.50."
PRICE_NOT_A_NUMBER = "Enter the price as a number, e.g. 12.50 or 12,50."
PRICE_SEPARATORS = "Type the price without thousands separators, e.g. 1250.00 (or 1250,00)."
PRICE_CENTS = "Enter the price with at most 2 decimal places."
PRICE_NEGATIVE = "Enter a price of 0 or more."
PRICE_AT_MOST = "Enter a price of at most {high:,}."
TEXT_TOO_LONG = "Use at most {limit:,} characters (this has {length:,})."
LENGTH_HINT = "Up to {limit:,} characters."

_WHOLE = re.compile(r"^[+-]?\d+$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")  # 1,000,000: thousands separators in a whole number are safe
_DECIMAL = re.compile(r"^[+-]?\d+$|^[+-]?\d*[.,]\d+$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3},\d{3}$")  # 1,250: a thousand and more, or one and a quarter?


class WholeNumberField(forms.CharField):
    """A count of units: digits (thousands commas allowed), from `low` to `high`."""

    def __init__(self, *, what: str, low: int, high: int, **kwargs):
        self.what, self.low, self.high = what, low, high
        kwargs.setdefault("widget", forms.TextInput())
        super().__init__(strip=True, error_messages={"required": ENTER_NUMBER.format(what=what)}, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric", "autocomplete": "off"}

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        return self.parse(text)

    def parse(self, text: str) -> int:
        digits = text.replace(",", "") if _GROUPED.match(text) else text
        if not _WHOLE.match(digits):
            message = WHOLE_NO_DECIMALS if _DECIMAL.match(text) else WHOLE_DIGITS_ONLY
            raise forms.ValidationError(message, code="invalid")
        number = int(digits)
        if number < self.low:
            template = WHOLE_ZERO_OR_MORE if self.low == 0 else WHOLE_AT_LEAST
            raise forms.ValidationError(template.format(what=self.what, low=self.low), code="min_value")
        if number > self.high:
            raise forms.ValidationError(WHOLE_AT_MOST.format(what=self.what, high=self.high), code="max_value")
        return number


def parse_price(text: str, high: Decimal) -> Decimal:
    """12.50 and 12,50 are twelve and a half; 1,250.00 or 1,250 are refused, never guessed at."""
    compact = text.replace(" ", "")
    if compact.count(",") + compact.count(".") > 1 or _AMBIGUOUS.match(compact):
        raise forms.ValidationError(PRICE_SEPARATORS, code="separators")
    if not _DECIMAL.match(compact):
        raise forms.ValidationError(PRICE_NOT_A_NUMBER, code="invalid")
    try:
        amount = Decimal(compact.replace(",", "."))
    except InvalidOperation as exc:
        raise forms.ValidationError(PRICE_NOT_A_NUMBER, code="invalid") from exc
    if amount < 0:
        raise forms.ValidationError(PRICE_NEGATIVE, code="min_value")
    if amount > high:
        raise forms.ValidationError(PRICE_AT_MOST.format(high=high), code="max_value")
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(PRICE_CENTS, code="max_decimal_places")
    return amount.quantize(Decimal("0.01"))


class PriceField(forms.CharField):
    """A price typed with a decimal point or a decimal comma; anything ambiguous is refused."""

    def __init__(self, *, high: Decimal, **kwargs):
        self.high = high
        kwargs.setdefault("widget", forms.TextInput())
        super().__init__(strip=True, error_messages={"required": PRICE_ENTER}, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        return parse_price(text, self.high)


class LimitedTextField(forms.CharField):
    """Text with a length limit the server states, with no maxlength that would cut a paste silently."""

    def __init__(self, *, limit: int, hint: bool = True, **kwargs):
        self.limit = limit
        if hint and "help_text" not in kwargs:
            kwargs["help_text"] = LENGTH_HINT.format(limit=limit)
        super().__init__(strip=True, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if len(text) > self.limit:
            raise forms.ValidationError(TEXT_TOO_LONG.format(limit=self.limit, length=len(text)), code="max_length")
        return text
