"""Location endpoints (list, create, read, edit, archive) and the stock transfer command."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from products.read.queries import GetLocation, ListLocations
from products.write import bus
from products.write.commands import (
    LOCATION_CODE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    QUANTITY_RANGE,
    ArchiveLocation,
    CreateLocation,
    TransferStock,
    UpdateLocation,
)

from ..errors import error_responses
from ..headers import IDEMPOTENCY_PARAMETER, command_id
from ..serializers import location_code_field
from .commands import APPLIED, _quantity, _validated, run
from .queries import PRODUCT_ID_PARAMETER, product_id_or_404

CODE_PARAMETER = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The location's code (any case), e.g. MAIN or A-01."
)
CANNOT_RESTORE = "An archived location cannot be restored; create a new one."
_code_field = location_code_field


class LocationOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="The code of the location holding this one, or null.")
    path = serializers.CharField(help_text="\"MAIN / A-01\": the parent's code, then this one's.")
    archived = serializers.BooleanField()
    version = serializers.IntegerField()
    products = serializers.IntegerField(help_text="Products with stock here.")
    on_hand = serializers.IntegerField(help_text="Units here, over all products.")
    stock_value = serializers.DecimalField(max_digits=28, decimal_places=2, help_text="Σ on hand × price here.")

    class Meta:
        ref_name = "Location"

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parent"] = data["parent"] or None
        return data


def _location_or_404(code: str):
    location = GetLocation(code=code).execute()
    if location is None:
        raise Http404
    return location


class LocationsApi(APIView):
    """GET lists every location with its stock; POST creates one (managers)."""

    class InputSerializer(serializers.Serializer):
        code = _code_field(
            help_text=f"Letters, digits, - and _; at most {LOCATION_CODE_MAX_LENGTH}; unique in any case."
        )
        name = serializers.CharField(max_length=NAME_MAX_LENGTH)
        parent = _code_field(required=False, allow_null=True, allow_blank=True, default=None)
        command_id = serializers.UUIDField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "CreateLocation"

    @extend_schema(
        operation_id="locations_list",
        tags=["locations"],
        summary="List locations",
        responses={200: LocationOutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request):
        """Every location (archived ones too), a warehouse before its bins, with products, units and value there."""
        return Response(LocationOutputSerializer(ListLocations(totals=True).execute(), many=True).data)

    @extend_schema(
        operation_id="locations_create",
        tags=["locations"],
        summary="Create a location",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: OpenApiResponse(description="Created. No body; Location: /api/locations/{code}/."),
            **error_responses(
                400,
                401,
                403,
                409,
                415,
                422,
                503,
                conflicts="`duplicate_location`, `location_nesting`, `archived_location`",
            ),
        },
        examples=[OpenApiExample("A bin", value={"code": "A-01", "name": "Aisle A bay 1", "parent": "MAIN"})],
    )
    def post(self, request):
        """Create a warehouse or a bin (`parent`: the warehouse's code; one level of nesting)."""
        bus.authorise(CreateLocation, request.user)
        data = _validated(self.InputSerializer, request)
        cid = command_id(request, body_value=data.pop("command_id"))
        if accepted := run(CreateLocation, request=request, command_id=cid, **data):
            return accepted
        code = GetLocation(code=data["code"]).execute().code
        location = request.build_absolute_uri(reverse("api:location", args=[code]))
        return Response(status=status.HTTP_201_CREATED, headers={"Location": location})


class LocationApi(APIView):
    """GET one location; PATCH its name or parent, or archive it with {"archived": true} (managers)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
        parent = _code_field(required=False, allow_null=True, allow_blank=True, help_text='null or "": no parent.')
        archived = serializers.BooleanField(
            required=False, help_text="true archives it (refused while it holds stock or active bins)."
        )
        command_id = serializers.UUIDField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "UpdateLocation"

    @extend_schema(
        operation_id="locations_retrieve",
        tags=["locations"],
        summary="Get a location",
        parameters=[CODE_PARAMETER],
        responses={200: LocationOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        """One location by its code, in any case."""
        location = _location_or_404(code)
        rows = {row.code: row for row in ListLocations(totals=True).execute()}
        return Response(LocationOutputSerializer(rows.get(location.code, location)).data)

    @extend_schema(
        operation_id="locations_partial_update",
        tags=["locations"],
        summary="Edit or archive a location",
        parameters=[CODE_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={
            204: APPLIED,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                415,
                422,
                503,
                conflicts="`location_not_empty`, `location_has_bins`, `main_location`, `location_nesting`",
            ),
        },
        examples=[OpenApiExample("Archive", value={"archived": True}, request_only=True)],
    )
    def patch(self, request, code):
        """Change `name` and/or `parent`; `"archived": true` archives it (after any other change sent with it)."""
        location = _location_or_404(code)
        data = _validated(self.InputSerializer, request, partial=True)
        archive = data.pop("archived", None)
        body_command_id = data.pop("command_id", None)
        if archive is False and location.archived:
            raise ValidationError({"archived": [CANNOT_RESTORE]})
        if "parent" in data and data["parent"] is None:
            data["parent"] = ""
        cid = command_id(request, body_value=body_command_id)
        if data:
            bus.authorise(UpdateLocation, request.user)
            if accepted := run(UpdateLocation, request=request, command_id=cid, code=location.code, **data):
                return accepted
        if archive:
            bus.authorise(ArchiveLocation, request.user)
            # One key, two commands: the archive's id follows from the key, so a retry repeats both once.
            archive_id = uuid.uuid5(cid, "archive") if data else cid
            if accepted := run(ArchiveLocation, request=request, command_id=archive_id, code=location.code):
                return accepted
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransferStockApi(APIView):
    """Move stock of one product between two locations; its total does not change."""

    class InputSerializer(serializers.Serializer):
        quantity = _quantity(1, QUANTITY_RANGE, "Units to move; never more than the source holds.")
        from_location = _code_field(help_text="Where the stock is now (a code, any case).")
        to_location = _code_field(help_text="Where it goes; not the same place.")
        note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
        command_id = serializers.UUIDField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "TransferStock"

    @extend_schema(
        operation_id="products_stock_transfer_create",
        tags=["stock"],
        summary="Move stock between locations",
        parameters=[PRODUCT_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={
            204: APPLIED,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                415,
                422,
                503,
                conflicts="`insufficient_stock`, `archived_location`, `archived`",
            ),
        },
        examples=[
            OpenApiExample(
                "Restock a pick face",
                value={"quantity": 5, "from_location": "MAIN", "to_location": "A-01", "note": "pick face"},
                request_only=True,
            )
        ],
    )
    def post(self, request, product_id):
        """One StockTransferred event: the source loses `quantity`, the destination gains it, nothing else moves."""
        bus.authorise(TransferStock, request.user)
        product_id = product_id_or_404(product_id)
        data = _validated(self.InputSerializer, request)
        cid = command_id(request, body_value=data.pop("command_id"))
        if accepted := run(TransferStock, request=request, command_id=cid, product_id=product_id, **data):
            return accepted
        return Response(status=status.HTTP_204_NO_CONTENT)
