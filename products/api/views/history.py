"""History endpoints: one product's stock as of a moment, and the whole inventory as of one (read models only)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from products.read.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    FutureMoment,
    GetInventoryAsOf,
    GetInventoryByLocationAsOf,
    GetStockAsOf,
    NotYetCreated,
    UnknownLocation,
)

from ..errors import error_responses
from ..pagination import page_link
from .queries import PRODUCT_ID_PARAMETER, LocationLevelSerializer, ProductStockApi, product_id_or_404

AS_OF_INVALID = "Enter a date and time in ISO 8601, e.g. 2026-03-01T12:00:00Z."
AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    OpenApiParameter.QUERY,
    required=False,
    description="A past moment (ISO 8601): answer as things stood then. A future moment is a 400.",
)


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(required=False, error_messages={"invalid": AS_OF_INVALID})


def moment(request):
    """The `as_of` query parameter as an aware datetime, None when absent; a malformed one is a 400 naming it."""
    params = AsOfSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("as_of")


class StockAsOfApi(ProductStockApi):
    """The stock endpoint; with `?as_of=` it answers the same fields for that moment."""

    class AsOfOutputSerializer(serializers.Serializer):
        on_hand = serializers.IntegerField()
        status = serializers.CharField()
        reorder_level = serializers.IntegerField(help_text="The reorder level then.")
        archived = serializers.BooleanField(help_text="Whether it was archived then.")
        version = serializers.IntegerField(allow_null=True, help_text="Null: only the current version can be edited.")
        reserved = serializers.IntegerField(allow_null=True, help_text="Null: reservations are not kept in history.")
        available = serializers.IntegerField(allow_null=True, help_text="Null: reservations are not kept in history.")
        sku = serializers.CharField()
        as_of = serializers.DateTimeField()
        price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="The price then.")
        value = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="on_hand × price then.")
        position = serializers.IntegerField(allow_null=True, help_text="The ledger row it comes from (null: none).")
        locations = LocationLevelSerializer(many=True, help_text="Where it was then: each location holding some.")

        class Meta:
            ref_name = "StockAsOf"

    @extend_schema(
        operation_id="products_stock_retrieve",
        tags=["stock"],
        summary="Get the stock level (now, or as of a moment)",
        parameters=[PRODUCT_ID_PARAMETER, AS_OF_PARAMETER],
        responses={200: ProductStockApi.OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, product_id):
        """On hand, status and version; with `as_of`, as they stood then (404 before the product existed)."""
        product_id = product_id_or_404(product_id)
        at = moment(request)
        if at is None:
            return super().get(request, product_id)
        try:
            stock = GetStockAsOf(product_id=product_id, at=at).execute()
        except FutureMoment as exc:
            raise ValidationError({"as_of": [str(exc)]}) from exc
        except NotYetCreated as exc:
            raise NotFound(str(exc)) from exc
        if stock is None:
            raise NotFound
        return Response(self.AsOfOutputSerializer(stock).data)


class InventoryRowSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    sku = serializers.CharField()
    name = serializers.CharField()
    on_hand = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    value = serializers.DecimalField(max_digits=24, decimal_places=2)
    location = serializers.CharField(
        required=False, help_text="Only with `by=location` or `location`: a row per product and location."
    )

    class Meta:
        ref_name = "InventoryRow"


class InventoryAsOfApi(APIView):
    """Every product's on hand and value as of a moment (now when `as_of` is left out), by SKU.

    `by=location` answers a row per product and location that held some then (the stock-take sheet:
    the rows add up to the per-product answer); `location=CODE` only that location's rows.
    """

    class FilterSerializer(AsOfSerializer):
        by = serializers.ChoiceField(
            choices=["product", "location"],
            default="product",
            help_text="`location`: a row per product and location (a page never splits a product).",
        )
        location = serializers.CharField(
            required=False, max_length=32, help_text="Only this location (a code, any case); implies `by=location`."
        )
        cursor = serializers.CharField(required=False, max_length=400, help_text="Take it from `next`.")
        page_size = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
        )

    class OutputSerializer(serializers.Serializer):
        as_of = serializers.DateTimeField()
        results = InventoryRowSerializer(many=True)
        next = serializers.URLField(allow_null=True)

        class Meta:
            ref_name = "InventoryPage"

    @extend_schema(
        operation_id="inventory_list",
        tags=["stock"],
        summary="Inventory as of a moment",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        """Products that existed and were active then, with on hand and value at their price then; follow `next`."""
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        at = data.get("as_of") or timezone.now()
        paging = {"at": at, "after": data.get("cursor"), "page_size": data["page_size"]}
        if data["by"] == "location" or "location" in data:
            query = GetInventoryByLocationAsOf(location=data.get("location"), **paging)
        else:
            query = GetInventoryAsOf(**paging)
        try:
            page = query.execute()
        except FutureMoment as exc:
            raise ValidationError({"as_of": [str(exc)]}) from exc
        except UnknownLocation as exc:
            raise ValidationError({"location": [str(exc)]}) from exc
        body = {"as_of": at, "results": page.rows, "next": page_link(request, "cursor", page.next_cursor)}
        return Response(self.OutputSerializer(body).data)
