"""The API's front door: the endpoint index, token login, the docs and a JSON 404."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..errors import error_responses

EXAMPLE_ID = "3f2b8c1e-0d4a-4b6e-9c7f-1a2b3c4d5e6f"
ENDPOINTS = {
    "products": ("api:products", []),
    "product": ("api:product", [EXAMPLE_ID]),
    "stock": ("api:product-stock", [EXAMPLE_ID]),
    "availability": ("api:product-availability", [EXAMPLE_ID]),
    "receive": ("api:product-receive", [EXAMPLE_ID]),
    "issue": ("api:product-issue", [EXAMPLE_ID]),
    "count": ("api:product-count", [EXAMPLE_ID]),
    "product_movements": ("api:product-movements", [EXAMPLE_ID]),
    "movements": ("api:movements", []),
    "inventory": ("api:inventory", []),
    "events": ("api:events", []),
    "token": ("api:token", []),
    "schema": ("api:schema", []),
    "docs": ("api:docs", []),
}


class ApiRootApi(APIView):
    """Where everything is: absolute URLs, `{id}` standing for a product id."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="root",
        tags=["meta"],
        summary="List the endpoints",
        responses={200: inline_serializer("ApiRoot", {name: serializers.CharField() for name in ENDPOINTS})},
    )
    def get(self, request):
        """Absolute URLs of every endpoint; `{id}` stands for a product id."""
        links = {
            name: request.build_absolute_uri(reverse(route, args=args)).replace(EXAMPLE_ID, "{id}")
            for name, (route, args) in ENDPOINTS.items()
        }
        return Response(links)


class ObtainTokenApi(ObtainAuthToken):
    """Trade a username and password for the user's API token (created on first use)."""

    authentication_classes = []
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["meta"],
        summary="Get an API token",
        description="Send it afterwards as `Authorization: Token <token>`. "
        "Staff can also run `manage.py drf_create_token <username>`.",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            **error_responses(400, 415),
        },
        examples=[OpenApiExample("Login", value={"username": "manager", "password": "manager"}, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        """Trade a username and password for the user's API token (created on first use)."""
        return super().post(request, *args, **kwargs)


class SwaggerUiView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its init script is a separate, same-origin request."""

    template_name = "api/swagger_ui.html"
    permission_classes = [AllowAny]


class NotFoundApi(APIView):
    """Anything under /api/ that matches no endpoint: a JSON 404, for every method."""

    permission_classes = [AllowAny]
    authentication_classes = []
    schema = None  # not an operation: keep it out of the OpenAPI document

    def _missing(self, request, *args, **kwargs):
        hint = ""
        if not request.path.endswith("/"):
            hint = f" API paths end with a slash: try {request.path}/."
        raise NotFound(f"No API endpoint at {request.path}.{hint}")

    get = post = put = patch = delete = head = options = _missing
