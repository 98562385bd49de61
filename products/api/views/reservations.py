"""Reservations over the API: reserve (201 + Location), list and read them, release and fulfil (204).

The same commands and queries as the pages; refusals are 409 with the figures (`free`, `on_hand`,
`reserved`) beside the message, and the Idempotency-Key makes every one of them safe to retry.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from products.read.queries import GetReservation, ListReservations
from products.read.queries.reservations import STATUS_FILTER_CHOICES
from products.read.tables import ReservationState
from products.write import bus
from products.write.commands import (
    LOCATION_MAX_LENGTH,
    MAX_QUANTITY,
    NOTE_MAX_LENGTH,
    QUANTITY_RANGE,
    REFERENCE_MAX_LENGTH,
    FulfilReservation,
    ReleaseReservation,
    ReserveStock,
)

from ..errors import error_responses
from ..headers import IDEMPOTENCY_PARAMETER, command_id, is_idempotent, new_reservation_id
from ..pagination import page_link
from .commands import APPLIED, run
from .queries import PRODUCT_ID_PARAMETER, product_id_or_404

RESERVATION_ID_PARAMETER = OpenApiParameter(
    "reservation_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The reservation's id (a UUID)."
)
REFUSALS = "`insufficient_available` (the body's `free` says how many could be reserved), `archived`"


def _quantity(*, required: bool, help_text: str):
    return serializers.IntegerField(
        required=required,
        allow_null=not required,
        default=None if not required else serializers.empty,
        min_value=1,
        max_value=MAX_QUANTITY,
        help_text=help_text,
        error_messages={key: QUANTITY_RANGE for key in ("invalid", "min_value", "max_value", "max_string_length")},
    )


def _command_id_field():
    return serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Same as the Idempotency-Key header."
    )


class ReservationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="reservation_id")
    product_id = serializers.UUIDField()
    sku = serializers.CharField(allow_null=True, help_text="The product's current SKU.")
    quantity = serializers.IntegerField(help_text="Units reserved.")
    fulfilled = serializers.IntegerField(help_text="Units of it issued so far.")
    reserved = serializers.IntegerField(source="rest", help_text="Units it still holds back (0 once closed).")
    reference = serializers.CharField(help_text="The order number or name it is for.")
    status = serializers.ChoiceField(choices=ReservationState.choices)
    expires_at = serializers.DateTimeField(allow_null=True)
    reserved_by = serializers.CharField()
    reserved_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()

    class Meta:
        ref_name = "Reservation"


def _location(request, reservation_id) -> str:
    return request.build_absolute_uri(reverse("api:reservation", args=[reservation_id]))


def reservation_id_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


class ReserveStockApi(APIView):
    """Promise stock to an order: refused (409) beyond what is free."""

    class InputSerializer(serializers.Serializer):
        quantity = _quantity(required=True, help_text="Units to hold back; at most what is free.")
        reference = serializers.CharField(
            max_length=REFERENCE_MAX_LENGTH, help_text="The order number or a name: whom the stock is for."
        )
        expires_at = serializers.DateTimeField(
            required=False, allow_null=True, default=None, help_text="Optional: released by the system after this."
        )
        command_id = _command_id_field()

        class Meta:
            ref_name = "ReserveStock"

    @extend_schema(
        operation_id="products_reservations_create",
        tags=["reservations"],
        summary="Reserve stock",
        description=(
            "Answers 201 with an empty body and `Location: /api/reservations/{id}/`. Refused with 409 "
            "`insufficient_available` when the quantity exceeds what is free (on hand less reserved); the body "
            "then carries `free`, `on_hand` and `reserved`. Retrying with the same Idempotency-Key reserves once "
            "and answers with the same Location."
        ),
        request=InputSerializer,
        parameters=[PRODUCT_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        responses={
            201: OpenApiResponse(description="Reserved. No body; the Location header names the reservation."),
            **error_responses(400, 401, 403, 404, 409, 415, 422, 503, conflicts=REFUSALS),
        },
        examples=[OpenApiExample("For an order", value={"quantity": 3, "reference": "SO-1001"}, request_only=True)],
    )
    def post(self, request, product_id):
        """Reserve `quantity` for `reference`; 201 and the reservation's Location."""
        bus.authorise(ReserveStock, request.user)
        product_id = product_id_or_404(product_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        body_command_id = data.pop("command_id")
        cid = command_id(request, body_value=body_command_id)
        reservation_id = new_reservation_id(cid, idempotent=is_idempotent(request, body_command_id))
        fields = dict(command_id=cid, product_id=product_id, reservation_id=reservation_id, **data)
        if accepted := run(ReserveStock, request=request, **fields):
            return accepted
        return Response(status=status.HTTP_201_CREATED, headers={"Location": _location(request, reservation_id)})


class ReservationListApi(APIView):
    """Reservations oldest first: the open ones unless `status` says otherwise."""

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=STATUS_FILTER_CHOICES, required=False, default="open")
        reference = serializers.CharField(required=False, default="", help_text="Part of the reference, any case.")
        product_id = serializers.UUIDField(required=False, default=None)
        after = serializers.CharField(required=False, default=None, help_text="The `next` cursor of a page.")
        page_size = serializers.IntegerField(required=False, default=50, min_value=1, max_value=100)

    class OutputSerializer(serializers.Serializer):
        results = ReservationOutputSerializer(many=True)
        next = serializers.URLField(allow_null=True)

        class Meta:
            ref_name = "ReservationPage"

    @extend_schema(
        operation_id="reservations_list",
        tags=["reservations"],
        summary="List reservations",
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        """Open reservations (or `status=all|released|fulfilled|expired`), oldest first, `reference` filters."""
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = ListReservations(**params.validated_data).execute()
        body = {
            "results": ReservationOutputSerializer(page.rows, many=True).data,
            "next": page_link(request, "after", page.next_cursor),
        }
        return Response(body)


class ReservationDetailApi(APIView):
    @extend_schema(
        operation_id="reservations_retrieve",
        tags=["reservations"],
        summary="Get a reservation",
        parameters=[RESERVATION_ID_PARAMETER],
        responses={200: ReservationOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, reservation_id):
        """One reservation: how much it holds, for whom, and how it stands."""
        entry = GetReservation(reservation_id=reservation_id_or_404(reservation_id)).execute()
        if entry is None:
            raise Http404
        return Response(ReservationOutputSerializer(entry).data)


class ReleaseReservationApi(APIView):
    class InputSerializer(serializers.Serializer):
        command_id = _command_id_field()

        class Meta:
            ref_name = "ReleaseReservation"

    @extend_schema(
        operation_id="reservations_release_create",
        tags=["reservations"],
        summary="Release a reservation",
        request=InputSerializer,
        parameters=[RESERVATION_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        responses={
            204: APPLIED,
            **error_responses(400, 401, 403, 404, 409, 415, 422, 503, conflicts="`reservation_closed`"),
        },
    )
    def post(self, request, reservation_id):
        """Let it go: what it still holds is free again. A closed one is refused (409 reservation_closed)."""
        bus.authorise(ReleaseReservation, request.user)
        reservation_id = reservation_id_or_404(reservation_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cid = command_id(request, body_value=serializer.validated_data["command_id"])
        if accepted := run(ReleaseReservation, request=request, command_id=cid, reservation_id=reservation_id):
            return accepted
        return Response(status=status.HTTP_204_NO_CONTENT)


class FulfilReservationApi(APIView):
    class InputSerializer(serializers.Serializer):
        quantity = _quantity(required=False, help_text="Units to issue; without it, all that is still reserved.")
        location = serializers.CharField(
            max_length=LOCATION_MAX_LENGTH, required=False, default="MAIN", help_text="Where it leaves from."
        )
        note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
        command_id = _command_id_field()

        class Meta:
            ref_name = "FulfilReservation"

    @extend_schema(
        operation_id="reservations_fulfil_create",
        tags=["reservations"],
        summary="Fulfil a reservation",
        description=(
            "Issues the reserved stock: on hand and reserved both fall by `quantity` (default: all that is still "
            "reserved). A part leaves the rest reserved; the whole closes it. More than is reserved is refused "
            "with 409 `fulfil_beyond_reserved` (the body's `reserved` says how much is)."
        ),
        request=InputSerializer,
        parameters=[RESERVATION_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        responses={
            204: APPLIED,
            **error_responses(
                400, 401, 403, 404, 409, 415, 422, 503, conflicts="`fulfil_beyond_reserved`, `reservation_closed`"
            ),
        },
        examples=[OpenApiExample("Part of it", value={"quantity": 2}, request_only=True)],
    )
    def post(self, request, reservation_id):
        """Issue reserved stock; 204 once applied."""
        bus.authorise(FulfilReservation, request.user)
        reservation_id = reservation_id_or_404(reservation_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cid = command_id(request, body_value=data.pop("command_id"))
        if accepted := run(FulfilReservation, request=request, command_id=cid, reservation_id=reservation_id, **data):
            return accepted
        return Response(status=status.HTTP_204_NO_CONTENT)
