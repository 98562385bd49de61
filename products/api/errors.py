"""One JSON error shape for every API failure: {"code", "message", "errors"}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from products.read.queries import InvalidQuery
from products.write.errors import DomainError, IdempotencyKeyReused

from .headers import IDEMPOTENCY_HEADER

NON_FIELD = "non_field_errors"
NOT_FOUND = "Not found."


class ErrorSerializer(serializers.Serializer):
    """Documents the error body; never used to parse anything."""

    code = serializers.CharField(help_text="Stable, machine-readable reason, e.g. `insufficient_stock`.")
    message = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (`non_field_errors` for the request as a whole); may be empty.",
    )

    class Meta:
        ref_name = "Error"


def error_body(code: str, message: str, errors: dict | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or {}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                found.setdefault(field, []).extend(messages)
        return found
    if isinstance(detail, list):
        found = {}
        for item in detail:
            for field, messages in _flatten(item, prefix).items():
                found.setdefault(field, []).extend(messages)
        return found
    return {prefix or NON_FIELD: [str(detail)]}


def _summary(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


def _code(exc: exceptions.APIException) -> str:
    codes = {
        exceptions.NotAuthenticated: "not_authenticated",
        exceptions.AuthenticationFailed: "authentication_failed",
        exceptions.PermissionDenied: "permission_denied",
        exceptions.NotFound: "not_found",
        exceptions.MethodNotAllowed: "method_not_allowed",
        exceptions.NotAcceptable: "not_acceptable",
        exceptions.UnsupportedMediaType: "unsupported_media_type",
        exceptions.ParseError: "malformed_request",
        exceptions.Throttled: "throttled",
    }
    for cls, code in codes.items():
        if isinstance(exc, cls):
            return code
    return str(exc.default_code)


def _field_errors(exc: DomainError, context) -> dict[str, list[str]]:
    """A reused key is reported under the name the caller sent it by: the header or `command_id`."""
    errors = exc.field_errors
    request = context.get("request")
    if isinstance(exc, IdempotencyKeyReused) and request is not None and IDEMPOTENCY_HEADER in request.headers:
        errors = {IDEMPOTENCY_HEADER if name == "command_id" else name: messages for name, messages in errors.items()}
    return errors


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: domain refusals and DRF errors in one shape."""
    if isinstance(exc, DomainError):
        set_rollback()
        # Figures the refusal carries (a reservation's `free`, `on_hand`, `reserved`) sit beside the message.
        body = exc.details | error_body(exc.code, exc.message, _field_errors(exc, context))
        return Response(body, status=exc.status)
    if isinstance(exc, InvalidQuery):
        return Response(error_body("invalid_query", str(exc)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug, not bad input: let Django log it and answer 500
    headers = {}
    if auth := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return Response(error_body("invalid", _summary(errors), errors), status=exc.status_code, headers=headers)
    return Response(error_body(_code(exc), str(exc.detail)), status=exc.status_code, headers=headers)


_DESCRIPTIONS = {
    400: (
        "Invalid input: see `errors` for the fields.",
        "invalid",
        "quantity: Enter a whole number from 1 to 1,000,000,000.",
    ),
    401: (
        "Not logged in: send `Authorization: Token <key>` or a session cookie.",
        "not_authenticated",
        "Authentication credentials were not provided.",
    ),
    403: (
        "Logged in, but your role may not do this.",
        "permission_denied",
        "You do not have permission to receive stock.",
    ),
    404: ("No such product.", "not_found", "Not found."),
    409: (
        "Refused by the current state: see `code`.",
        "stale_version",
        "ACC-001 was changed by someone else since you opened it.",
    ),
    415: (
        "Send JSON (`Content-Type: application/json`).",
        "unsupported_media_type",
        'Unsupported media type "text/plain" in request.',
    ),
    422: (
        "The Idempotency-Key (or `command_id`) was already used for another request: another command, another "
        "product or other fields. Nothing was written; `errors` names what the key was first used for. Send the "
        "first request again to replay it, or use a new key for a new request.",
        "idempotency_key_reused",
        "This key was already used for ReceiveStock on ACC-001 (product 3f6c…); this request is IssueStock. "
        "A retry must repeat the first request exactly: use a new key for a new request. Nothing was changed.",
    ),
    428: (
        "Missing the version this change is based on (`If-Match` or `version`).",
        "precondition_required",
        "Send the version you edited (If-Match header or version field).",
    ),
    503: (
        "The database went away. `code` says what became of this request: `database_unavailable` (nothing was "
        "saved; retry after `Retry-After` seconds), `outcome_unknown` (the connection broke during the commit: "
        "retrying with the same Idempotency-Key is safe) or `saved_reply_incomplete` (it was saved; the answer "
        "could not be completed).",
        "database_unavailable",
        "The database is not reachable right now. Nothing was saved; try again in a minute.",
    ),
}


_EXAMPLE_ERRORS = {422: {IDEMPOTENCY_HEADER: ["First used for ReceiveStock on ACC-001 (product 3f6c…)."]}}


def error_responses(*statuses: int, conflicts: str = "") -> dict:
    """OpenAPI responses for the failures an operation can give, all with the Error body."""
    responses = {}
    for code in statuses:
        description, example_code, example_message = _DESCRIPTIONS[code]
        if code == 409 and conflicts:
            description = f"Refused by the current state; `code` is one of: {conflicts}."
        responses[code] = OpenApiResponse(
            ErrorSerializer,
            description=description,
            examples=[
                OpenApiExample(
                    example_code,
                    value=error_body(example_code, example_message, _EXAMPLE_ERRORS.get(code)),
                    response_only=True,
                    status_codes=[code],
                )
            ],
        )
    return responses
