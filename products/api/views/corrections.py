"""Corrections: one movement, and its reversal (a new movement of the opposite sign; the original stays)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from products.read.queries import GetStockMovement
from products.write import bus
from products.write.commands import NOTE_MAX_LENGTH, ReverseMovement
from products.write.errors import InvalidCommand

from ..errors import error_responses
from ..headers import IDEMPOTENCY_PARAMETER, command_id
from ..serializers import MovementOutputSerializer
from .queries import MAX_POSITION

POSITION_PARAMETER = OpenApiParameter(
    "position", OpenApiTypes.INT, OpenApiParameter.PATH, description="The movement's position in the ledger."
)


def position_or_404(value: str) -> int:
    """Path positions are parsed here, so a malformed one is a clean 404."""
    try:
        position = int(value)
    except ValueError as exc:
        raise NotFound from exc
    if not 1 <= position <= MAX_POSITION:
        raise NotFound
    return position


class MovementDetailApi(APIView):
    """One stock movement, with the links between a movement and its reversal."""

    @extend_schema(
        operation_id="movements_retrieve",
        tags=["stock"],
        summary="Get a stock movement",
        parameters=[POSITION_PARAMETER],
        responses={200: MovementOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, position):
        """One ledger row; `reverses` / `reversed_by` link a correction and what it corrects."""
        movement = GetStockMovement(position=position_or_404(position)).execute()
        if movement is None:
            raise NotFound
        return Response(MovementOutputSerializer(movement).data)


class ReverseMovementApi(APIView):
    """Reverse a receipt, issue, count, fulfilment or transfer: 201 + Location of the new movement; twice is a 409."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="Why it is reversed (kept as its note).")
        command_id = serializers.UUIDField(
            required=False, allow_null=True, default=None, help_text="Same as the Idempotency-Key header."
        )

        class Meta:
            ref_name = "ReverseMovement"

    @extend_schema(
        operation_id="movements_reverse_create",
        tags=["stock"],
        summary="Reverse a stock movement",
        parameters=[POSITION_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={
            201: OpenApiResponse(description="Reversed. No body; Location names the new movement."),
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                415,
                422,
                503,
                conflicts="`already_reversed`, `not_reversible`, `insufficient_stock`, `archived`",
            ),
        },
        examples=[OpenApiExample("Reverse", value={"reason": "Received on the wrong product"}, request_only=True)],
    )
    def post(self, request, position):
        """Add the opposite movement, naming this one; refused when it would take on hand below zero.

        A transfer's reversal moves its quantity back from the destination to the source (409 when the
        destination no longer holds it, or either end is archived).
        """
        bus.authorise(ReverseMovement, request.user)
        position = position_or_404(position)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cid = command_id(request, body_value=data["command_id"])
        try:
            command = ReverseMovement(command_id=cid, position=position, reason=data["reason"])
        except InvalidCommand as exc:
            raise ValidationError(exc.field_errors) from exc
        result = bus.dispatch(command, actor=request.user)
        location = request.build_absolute_uri(reverse("api:movement", args=[result.position]))
        return Response(status=status.HTTP_201_CREATED, headers={"Location": location})
