"""Output shapes shared by several query views; field names match the staff UI's forms."""

from __future__ import annotations

from rest_framework import serializers

from products.read.tables import MovementKind, StockStatus
from products.write.commands import (
    DESCRIPTION_MAX_LENGTH,
    LOCATION_CODE_INVALID,
    LOCATION_CODE_MAX_LENGTH,
    LOCATION_CODE_PATTERN,
    MAX_PRICE,
    MAX_QUANTITY,
    MAX_REORDER_LEVEL,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    SKU_INVALID,
    SKU_MAX_LENGTH,
    SKU_PATTERN,
)

from .schema import MoneyField

LOCATION_HELP = "A location's code (any case); MAIN when left out."


def location_code_field(**kwargs):
    """A location code as the schema states it (the command gives the same messages)."""
    return serializers.RegexField(
        LOCATION_CODE_PATTERN,
        max_length=LOCATION_CODE_MAX_LENGTH,
        error_messages={
            "invalid": LOCATION_CODE_INVALID,
            "max_length": f"Ensure this value has at most {LOCATION_CODE_MAX_LENGTH} characters.",
        },
        **kwargs,
    )


STATUS_HELP = (
    "Counted on `available` (on hand less reserved): `in_stock` above the reorder level, `low` at or below it, "
    "`out` at zero (with stock on hand: all of it promised, out for new orders)."
)


class ProductOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="product_id")
    sku = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Unit price, as a string.")
    reorder_level = serializers.IntegerField()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField(help_text="Held back by open reservations.")
    available = serializers.IntegerField(help_text="On hand less reserved: free for new orders.")
    status = serializers.ChoiceField(choices=StockStatus.choices, help_text=STATUS_HELP)
    archived = serializers.BooleanField()
    version = serializers.IntegerField(help_text="Send it back as If-Match (or `version`) when you edit.")
    stock_value = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="on_hand × price.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_movement_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Product"


class MovementOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The event's position in the log.")
    product_id = serializers.UUIDField()
    sku = serializers.CharField()
    product_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    quantity = serializers.IntegerField(help_text="Signed change to on hand (a count may be 0).")
    on_hand_after = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    location = serializers.CharField(help_text="Where it happened (a transfer's source); MAIN by default.")
    to_location = serializers.CharField(
        allow_blank=True, help_text="A transfer's destination (its reversal's: the transfer's source); empty otherwise."
    )
    moved = serializers.IntegerField(
        help_text="Units a transfer (or its reversal) moved; its quantity is 0: the total stays."
    )
    actor = serializers.CharField(allow_blank=True, help_text="Username of who did it.")
    occurred_at = serializers.DateTimeField()
    reverses = serializers.IntegerField(
        allow_null=True, help_text="A reversal: the position of the movement it undoes."
    )
    reversed_by = serializers.IntegerField(
        allow_null=True, help_text="The position of this movement's reversal, if any."
    )

    class Meta:
        ref_name = "StockMovement"


class StockInputSerializer(serializers.Serializer):
    """Body of receive / issue / count: the same fields as the stock forms."""

    quantity = serializers.IntegerField(
        min_value=0,
        max_value=MAX_QUANTITY,
        help_text="Units received or issued (1 or more), or the counted total (0 or more).",
    )
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    location = location_code_field(
        required=False, allow_null=True, allow_blank=True, default=None, help_text=LOCATION_HELP
    )
    command_id = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Same as the Idempotency-Key header."
    )

    class Meta:
        ref_name = "StockChange"


class ProductDetailsInputSerializer(serializers.Serializer):
    """The editable details, as on the product form."""

    sku = serializers.RegexField(
        SKU_PATTERN,
        max_length=SKU_MAX_LENGTH,
        error_messages={"invalid": SKU_INVALID},
        help_text="Letters, digits and . _ / -; unique, case-insensitive.",
    )
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default="")
    price = MoneyField(min_value=0, max_value=MAX_PRICE, help_text='Unit price, a decimal string like "4.20".')
    reorder_level = serializers.IntegerField(min_value=0, max_value=MAX_REORDER_LEVEL)
    command_id = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Same as the Idempotency-Key header."
    )
