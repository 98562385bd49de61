"""Product query endpoints: the list, one product, its stock and availability (read models only)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from products.read.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SORTS,
    CheckStockAvailability,
    GetProduct,
    GetProductStock,
    GetStockByLocation,
    InvalidQuery,
    ListProducts,
)
from products.read.tables import STATUS_FILTERS, StockStatus
from products.write.commands import MAX_QUANTITY

from ..errors import error_responses
from ..headers import etag
from ..pagination import page_link
from ..serializers import ProductOutputSerializer

ORDERINGS = [*SORTS, *(f"-{name}" for name in SORTS)]
MAX_POSITION = 2**63 - 1
QUANTITY_QUERY_INVALID = f"Enter a whole number from 0 to {MAX_QUANTITY:,}."


def product_id_or_404(value: str) -> uuid.UUID:
    """Path ids are parsed here, so a malformed one is a clean 404 rather than a crash."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


PRODUCT_ID_PARAMETER = OpenApiParameter(
    "product_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The product's id (a UUID)."
)


class ProductListApi(APIView):
    """List, search and filter products, keyset-paginated so deep pages stay fast."""

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=200, help_text="Words in the SKU or name."
        )
        status = serializers.ChoiceField(
            choices=list(STATUS_FILTERS), required=False, default="all", help_text="`all` means every active product."
        )
        ordering = serializers.ChoiceField(
            choices=ORDERINGS, required=False, default="name", help_text="Sort key; prefix `-` for descending."
        )
        cursor = serializers.CharField(
            required=False, max_length=1000, help_text="Opaque; take it from a `next` or `previous` link."
        )
        page_size = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
        )

    class OutputSerializer(serializers.Serializer):
        results = ProductOutputSerializer(many=True)
        next = serializers.URLField(allow_null=True, help_text="The following page, or null at the end.")
        previous = serializers.URLField(allow_null=True, help_text="The page before, or null at the start.")

        class Meta:
            ref_name = "ProductPage"

    @extend_schema(
        operation_id="products_list",
        tags=["products"],
        summary="List products",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        """Active products (or `status=archived`), filtered, searched and sorted; follow `next`/`previous`."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        query = ListProducts(
            status=params["status"],
            search=params["search"],
            sort=params["ordering"],
            cursor=params.get("cursor"),
            page_size=params["page_size"],
        )
        try:
            page = query.execute()
        except InvalidQuery as exc:
            raise ValidationError({"cursor": [str(exc)]}) from exc
        body = {
            "results": ProductOutputSerializer(page.rows, many=True).data,
            "next": page_link(request, "cursor", page.next_cursor),
            "previous": page_link(request, "cursor", page.previous_cursor),
        }
        return Response(body)


class ProductDetailApi(APIView):
    """One product's details, stock and version; the ETag header is the version."""

    @extend_schema(
        operation_id="products_retrieve",
        tags=["products"],
        summary="Get a product",
        parameters=[PRODUCT_ID_PARAMETER],
        responses={200: ProductOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, product_id):
        """One product's details, stock and version; the ETag header carries the version for If-Match."""
        product = GetProduct(product_id=product_id_or_404(product_id)).execute()
        if product is None:
            raise Http404
        return Response(ProductOutputSerializer(product).data, headers={"ETag": etag(product.version)})


class LocationLevelSerializer(serializers.Serializer):
    location = serializers.CharField(help_text="The location's code.")
    on_hand = serializers.IntegerField()

    class Meta:
        ref_name = "LocationLevel"


class ProductStockApi(APIView):
    class OutputSerializer(serializers.Serializer):
        on_hand = serializers.IntegerField(help_text="The total over all locations.")
        reserved = serializers.IntegerField(help_text="Held back by open reservations.")
        available = serializers.IntegerField(help_text="On hand less reserved: free for new orders.")
        status = serializers.ChoiceField(choices=StockStatus.choices, help_text="Counted on `available`.")
        reorder_level = serializers.IntegerField()
        archived = serializers.BooleanField()
        version = serializers.IntegerField()
        sku = serializers.CharField()
        locations = LocationLevelSerializer(many=True, help_text="Where it is: each location holding some, MAIN first.")

        class Meta:
            ref_name = "StockLevel"

    @extend_schema(
        operation_id="products_stock_retrieve",
        tags=["stock"],
        summary="Get the stock level",
        parameters=[PRODUCT_ID_PARAMETER],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, product_id):
        """On hand, status and version of one product: the cheap call for stock checks."""
        product_id = product_id_or_404(product_id)
        stock = GetProductStock(product_id=product_id).execute()
        if stock is None:
            raise Http404
        levels = GetStockByLocation(product_id=product_id).execute()
        return Response(self.OutputSerializer({**asdict(stock), "locations": levels}).data)


class ProductAvailabilityApi(APIView):
    """Can N units be promised right now? Only what is free (on hand - reserved) counts; archived: never."""

    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(
            min_value=0,
            max_value=MAX_QUANTITY,
            help_text="How many you want to issue.",
            error_messages={
                key: QUANTITY_QUERY_INVALID for key in ("invalid", "min_value", "max_value", "max_string_length")
            },
        )

    class OutputSerializer(serializers.Serializer):
        available = serializers.BooleanField(help_text="`quantity` <= `free` (and the product is not archived).")
        on_hand = serializers.IntegerField()
        reserved = serializers.IntegerField(help_text="Promised to open reservations.")
        free = serializers.IntegerField(help_text="On hand less reserved: what a new order or issue may take.")
        requested = serializers.IntegerField()
        shortfall = serializers.IntegerField(help_text="How many are missing from `free`; 0 when available.")
        sku = serializers.CharField()

        class Meta:
            ref_name = "Availability"

    @extend_schema(
        operation_id="products_availability_retrieve",
        tags=["stock"],
        summary="Check availability",
        parameters=[PRODUCT_ID_PARAMETER, InputSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, product_id):
        """Could `quantity` units be issued or reserved right now? Archived products are never available."""
        product_id = product_id_or_404(product_id)
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        answer = CheckStockAvailability(product_id=product_id, quantity=params.validated_data["quantity"]).execute()
        if answer is None:
            raise Http404
        return Response(self.OutputSerializer(answer).data)
