"""Command endpoints: validate input, build the same command the UI builds, hand it to the bus.

They answer with no data: 201 + Location for a create, 204 for everything else, because the
bus applies a command synchronously (it has happened by the time we answer). With ?async=1 or
`Prefer: respond-async` the command is queued instead: 202 + Location of its status (background.py).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from products.write import bus
from products.write.commands import (
    COUNT_RANGE,
    DETAIL_FIELDS,
    MAX_QUANTITY,
    QUANTITY_RANGE,
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    RestoreProduct,
    UpdateProductDetails,
)
from products.write.errors import InvalidCommand

from ..errors import error_responses
from ..headers import (
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    command_id,
    expected_version,
    is_idempotent,
    new_product_id,
)
from ..serializers import ProductDetailsInputSerializer, StockInputSerializer
from .background import dispatch_or_submit
from .queries import PRODUCT_ID_PARAMETER, product_id_or_404

# Command fields that the API spells the way its JSON does.
_API_FIELD_NAMES = {"expected_version": "version", "product_id": "id"}
APPLIED = OpenApiResponse(description="Applied (or already applied under this Idempotency-Key). No body.")


def run(command_class, *, request, **fields) -> Response | None:
    """Build the command (its own checks report in API field names) and dispatch it.

    When the caller asked for async (?async=1 or Prefer: respond-async) it is queued instead,
    and the 202 answer to return is given back.
    """
    try:
        command = command_class(**fields)
    except InvalidCommand as exc:
        raise ValidationError({_API_FIELD_NAMES.get(k, k): v for k, v in exc.field_errors.items()}) from exc
    return dispatch_or_submit(request, command)


def _validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CreateProductApi(APIView):
    """Create a product; its id is the caller's, or derived from the Idempotency-Key, or new."""

    class InputSerializer(ProductDetailsInputSerializer):
        id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text="Optional: choose the id.")

        class Meta:
            ref_name = "CreateProduct"

    @extend_schema(
        operation_id="products_create",
        tags=["products"],
        summary="Create a product",
        description=(
            "Answers 201 with an empty body and `Location: /api/products/{id}/`; GET that URL for the product. "
            "Retrying with the same Idempotency-Key creates it once and answers 201 with the same Location."
        ),
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: OpenApiResponse(description="Created. No body; the Location header names the new product."),
            **error_responses(400, 401, 403, 409, 415, 422, 503, conflicts="`duplicate_sku`, `product_exists`"),
        },
        examples=[
            OpenApiExample(
                "New product",
                value={"sku": "ACC-042", "name": "Cable tie 200 mm", "price": "0.35", "reorder_level": 100},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        """Create a product; its id is yours (`id`), derived from the Idempotency-Key, or new."""
        bus.authorise(CreateProduct, request.user)
        data = _validated(CreateProductApi.InputSerializer, request)
        body_command_id = data.pop("command_id")
        cid = command_id(request, body_value=body_command_id)
        product_id = data.pop("id") or new_product_id(cid, idempotent=is_idempotent(request, body_command_id))
        if accepted := run(CreateProduct, request=request, command_id=cid, product_id=product_id, **data):
            return accepted
        location = request.build_absolute_uri(reverse("api:product", args=[product_id]))
        return Response(status=status.HTTP_201_CREATED, headers={"Location": location})


class UpdateProductApi(APIView):
    """Change a product's details, refusing edits based on a stale version."""

    class InputSerializer(ProductDetailsInputSerializer):
        version = serializers.IntegerField(
            required=False, min_value=1, max_value=2**62, help_text="Alternative to the If-Match header."
        )

        class Meta:
            ref_name = "UpdateProduct"

    def _update(self, request, product_id, *, partial: bool):
        bus.authorise(UpdateProductDetails, request.user)
        product_id = product_id_or_404(product_id)
        data = _validated(UpdateProductApi.InputSerializer, request, partial=partial)
        body_command_id = data.pop("command_id", None)
        version = expected_version(request, body_value=data.pop("version", None))
        cid = command_id(request, body_value=body_command_id)
        if partial:  # the handler keeps what is left out, from the locked write-model row
            for name in DETAIL_FIELDS:
                data.setdefault(name, None)
        accepted = run(
            UpdateProductDetails,
            request=request,
            command_id=cid,
            product_id=product_id,
            expected_version=version,
            **data,
        )
        return accepted or Response(status=status.HTTP_204_NO_CONTENT)

    _schema = dict(
        tags=["products"],
        parameters=[PRODUCT_ID_PARAMETER, IF_MATCH_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={
            204: APPLIED,
            **error_responses(
                400, 401, 403, 404, 409, 415, 422, 428, 503, conflicts="`stale_version`, `duplicate_sku`, `archived`"
            ),
        },
    )

    @extend_schema(operation_id="products_update", summary="Replace a product's details", **_schema)
    def put(self, request, product_id):
        """Replace the editable details (omitted `description` becomes empty), based on a version."""
        return self._update(request, product_id, partial=False)

    @extend_schema(operation_id="products_partial_update", summary="Change some details", **_schema)
    def patch(self, request, product_id):
        """Change only the fields sent, based on a version; the rest keep their current values."""
        return self._update(request, product_id, partial=True)


def _product_command(command_class, request, product_id) -> Response:
    """A command with no body but the product it is about (archive, restore): 204, or 202 when queued."""
    bus.authorise(command_class, request.user)
    product_id = product_id_or_404(product_id)
    cid = command_id(request, body_value=None)
    if accepted := run(command_class, request=request, command_id=cid, product_id=product_id):
        return accepted
    return Response(status=status.HTTP_204_NO_CONTENT)


class ArchiveProductApi(APIView):
    """Archive (retire) a product: its history stays, it leaves the active lists."""

    @extend_schema(
        operation_id="products_destroy",
        tags=["products"],
        summary="Archive a product",
        parameters=[PRODUCT_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        responses={204: APPLIED, **error_responses(400, 401, 403, 404, 409, 422, 503, conflicts="`archived`")},
    )
    def delete(self, request, product_id):
        """Archive (retire) a product: its history stays, it leaves the active lists and takes no more changes."""
        return _product_command(ArchiveProduct, request, product_id)


class RestoreProductApi(APIView):
    """Bring an archived product back into the active lists; it takes changes again."""

    @extend_schema(
        operation_id="products_restore",
        tags=["products"],
        summary="Restore an archived product",
        request=None,
        parameters=[PRODUCT_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        responses={204: APPLIED, **error_responses(400, 401, 403, 404, 409, 422, 503, conflicts="`not_archived`")},
    )
    def post(self, request, product_id):
        """Un-archive a product: it rejoins the active lists with its history and stock as they were."""
        return _product_command(RestoreProduct, request, product_id)


def _quantity(minimum: int, message: str, help_text: str):
    return serializers.IntegerField(
        min_value=minimum,
        max_value=MAX_QUANTITY,
        help_text=help_text,
        error_messages={key: message for key in ("invalid", "min_value", "max_value", "max_string_length")},
    )


class StockCommandApi(APIView):
    """Shared body of the three stock commands; each subclass names its command and input."""

    command_class: type
    InputSerializer: type[serializers.Serializer]

    def post(self, request, product_id):
        """Run this view's stock command; 204 once applied."""
        bus.authorise(self.command_class, request.user)
        product_id = product_id_or_404(product_id)
        data = _validated(self.InputSerializer, request)
        cid = command_id(request, body_value=data.pop("command_id"))
        if accepted := run(self.command_class, request=request, command_id=cid, product_id=product_id, **data):
            return accepted
        return Response(status=status.HTTP_204_NO_CONTENT)


def _stock_schema(operation_id: str, summary: str, request, conflicts: str, example: dict):
    return extend_schema(
        operation_id=operation_id,
        tags=["stock"],
        summary=summary,
        parameters=[PRODUCT_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=request,
        responses={204: APPLIED, **error_responses(400, 401, 403, 404, 409, 415, 422, 503, conflicts=conflicts)},
        examples=[OpenApiExample(summary, value=example, request_only=True)],
    )


class ReceiveStockApi(StockCommandApi):
    command_class = ReceiveStock

    class InputSerializer(StockInputSerializer):
        quantity = _quantity(1, QUANTITY_RANGE, "Units that arrived.")

        class Meta:
            ref_name = "ReceiveStock"

    @_stock_schema(
        "products_stock_receive_create",
        "Receive stock",
        InputSerializer,
        "`archived`, `stock_limit`",
        {"quantity": 12, "note": "PO 4711"},
    )
    def post(self, request, product_id):
        """Goods arrived: add `quantity` to on hand."""
        return super().post(request, product_id)


class IssueStockApi(StockCommandApi):
    command_class = IssueStock

    class InputSerializer(StockInputSerializer):
        quantity = _quantity(1, QUANTITY_RANGE, "Units that left; never more than on hand.")

        class Meta:
            ref_name = "IssueStock"

    @_stock_schema(
        "products_stock_issue_create",
        "Issue stock",
        InputSerializer,
        "`insufficient_stock`, `archived`",
        {"quantity": 3, "note": "Order 1001"},
    )
    def post(self, request, product_id):
        """Goods left: take `quantity` from on hand; refused (409 insufficient_stock) if that would go below zero."""
        return super().post(request, product_id)


class CountStockApi(StockCommandApi):
    command_class = CountStock

    class InputSerializer(StockInputSerializer):
        quantity = _quantity(0, COUNT_RANGE, "The counted total; it becomes on hand.")
        counted_at = serializers.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="When the count was taken (ISO 8601): receipts and issues recorded after it stay on top.",
        )

        class Meta:
            ref_name = "CountStock"

    @_stock_schema(
        "products_stock_count_create",
        "Count stock (stocktake)",
        InputSerializer,
        "`archived`",
        {"quantity": 40, "note": "Cycle count aisle 3"},
    )
    def post(self, request, product_id):
        """Stocktake: the counted `quantity` becomes on hand; the difference is recorded as a movement."""
        return super().post(request, product_id)
