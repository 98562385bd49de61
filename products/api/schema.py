"""OpenAPI adjustments drf-spectacular cannot infer from the serializers."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from products.write.commands import PRICE_INVALID

MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "4.20"})
class MoneyField(serializers.DecimalField):
    """A price as a decimal string ("4.20"); numbers are accepted too, but strings keep the cents exact."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {})
        for key in ("invalid", "max_digits", "max_decimal_places", "max_whole_digits", "min_value", "max_value"):
            kwargs["error_messages"].setdefault(key, PRICE_INVALID)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not re.fullmatch(MONEY_PATTERN, data.strip())):
            self.fail("invalid")
        return super().to_internal_value(data)


def allow_empty_optional_query_values(result, generator, request, public):
    """An optional query parameter sent empty (`?since=`) counts as not sent, as in an HTML form; say so."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
