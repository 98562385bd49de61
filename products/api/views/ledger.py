"""Ledger and log endpoints: stock movements (all, or one product's) and the published event feed."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from products.read.feed import DEFAULT_FEED_LIMIT, EVENT_TYPE_NAMES, MAX_FEED_LIMIT, ReadEventFeed
from products.read.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    GetProductStock,
    ListStockMovements,
)
from products.read.tables import MovementKind

from ..errors import error_responses
from ..pagination import page_link
from ..serializers import MovementOutputSerializer
from .queries import MAX_POSITION, PRODUCT_ID_PARAMETER, product_id_or_404


class MovementFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MovementKind.choices, required=False)
    location = serializers.CharField(
        required=False, max_length=32, help_text="A location's code: movements there and transfers from or to it."
    )
    since = serializers.DateTimeField(required=False, help_text="Only movements at or after this time.")
    until = serializers.DateTimeField(required=False, help_text="Only movements before this time.")
    before = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_POSITION, help_text="Position cursor; take it from `next`."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    class Meta:
        ref_name = "MovementFilter"


class MovementPageSerializer(serializers.Serializer):
    results = MovementOutputSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="Older movements, or null at the start of history.")

    class Meta:
        ref_name = "MovementPage"


def _movements(request, product_id=None) -> Response:
    filters = MovementFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    params = filters.validated_data
    page = ListStockMovements(
        product_id=product_id,
        kind=params.get("kind"),
        location=params.get("location"),
        since=params.get("since"),
        until=params.get("until"),
        before_position=params.get("before"),
        page_size=params["page_size"],
    ).execute()
    return Response(
        {
            "results": MovementOutputSerializer(page.rows, many=True).data,
            "next": page_link(request, "before", page.next_cursor),
        }
    )


class MovementListApi(APIView):
    """The stock ledger across all products, newest first."""

    @extend_schema(
        operation_id="movements_list",
        tags=["stock"],
        summary="List stock movements",
        parameters=[MovementFilterSerializer],
        responses={200: MovementPageSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        """The stock ledger across all products, newest first; follow `next` for older ones."""
        return _movements(request)


class ProductMovementListApi(APIView):
    """One product's stock history, newest first."""

    @extend_schema(
        operation_id="products_movements_list",
        tags=["stock"],
        summary="List a product's stock movements",
        parameters=[PRODUCT_ID_PARAMETER, MovementFilterSerializer],
        responses={200: MovementPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, product_id):
        """One product's stock history, newest first; follow `next` for older ones."""
        product_id = product_id_or_404(product_id)
        if GetProductStock(product_id=product_id).execute() is None:
            raise Http404
        return _movements(request, product_id)


class FeedEventSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Increases with every event; use it as `after`.")
    type = serializers.ChoiceField(choices=list(EVENT_TYPE_NAMES))
    product_id = serializers.UUIDField(allow_null=True, help_text="The product's id; null for a location's event.")
    location_id = serializers.UUIDField(allow_null=True, help_text="The location's id, for Location* events.")
    stream_version = serializers.IntegerField(help_text="The product's (or location's) version after this event.")
    data = serializers.DictField(
        help_text=(
            "The event's fields, e.g. {quantity, note, location} for StockReceived, "
            "{quantity, from_location, to_location, note} for StockTransferred. "
            "Stock events from before locations carry location MAIN."
        )
    )
    actor = serializers.CharField(allow_blank=True)
    command_id = serializers.UUIDField(help_text="The command (or Idempotency-Key) that caused it.")
    occurred_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Event"


class EventFeedApi(APIView):
    """Every change, oldest first, for integrations that follow along (poll with `after`)."""

    class InputSerializer(serializers.Serializer):
        after = serializers.IntegerField(
            required=False, default=0, min_value=0, max_value=MAX_POSITION, help_text="Last position you have seen."
        )
        limit = serializers.IntegerField(
            required=False, default=DEFAULT_FEED_LIMIT, min_value=1, max_value=MAX_FEED_LIMIT
        )
        product_id = serializers.UUIDField(required=False, help_text="Only this product's events.")

        class Meta:
            ref_name = "EventFeedFilter"

    class OutputSerializer(serializers.Serializer):
        results = FeedEventSerializer(many=True)
        last_position = serializers.IntegerField(help_text="Pass it as `after` next time.")
        has_more = serializers.BooleanField(help_text="True when more events are waiting: fetch `next` right away.")
        next = serializers.URLField(help_text="The URL to fetch next (poll it when has_more is false).")

        class Meta:
            ref_name = "EventFeedPage"

    @extend_schema(
        operation_id="events_list",
        tags=["events"],
        summary="Follow the event feed",
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        """Every event after `after`, oldest first: poll `next` to follow changes as they happen."""
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = ReadEventFeed(**params.validated_data).execute()
        return Response(
            {
                "results": FeedEventSerializer(page.events, many=True).data,
                "last_position": page.last_position,
                "has_more": page.has_more,
                "next": page_link(request, "after", page.last_position),
            }
        )
