"""Request headers that carry command metadata: Idempotency-Key and If-Match."""

from __future__ import annotations

import re
import uuid

from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
# Fixed namespaces, so the same key always maps to the same id on every server.
KEY_NAMESPACE = uuid.UUID("6f1d2a3e-5b7c-4e0a-9d1f-2c3b4a5d6e7f")
PRODUCT_ID_NAMESPACE = uuid.UUID("0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b")
RESERVATION_ID_NAMESPACE = uuid.UUID("5c1e7a2b-9d3f-4b8e-a6c0-7f2d1e9b3a54")
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")
_ETAG_PATTERN = re.compile(r'^(?:W/)?"?0*([1-9]\d{0,17})"?$')
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"}
IF_MATCH_SCHEMA = {"type": "string", "pattern": '^(W/)?"?0*[1-9][0-9]{0,17}"?$', "example": '"3"'}

KEY_INVALID = f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters (a UUID is best)."
KEY_CONFLICT = "Send the idempotency key once: either the Idempotency-Key header or command_id, or both equal."
IF_MATCH_INVALID = 'If-Match must hold the version you edited, e.g. If-Match: "3".'
VERSION_CONFLICT = "The If-Match header and the version field disagree; send one of them."
VERSION_REQUIRED = (
    'Send the version you based this change on, as If-Match: "<version>" or a version field '
    "(GET the product to read it)."
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    type=KEY_SCHEMA,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a retry safe: the same key with the same request applies the command once and answers as the "
        "first time (same status, same Location). The key is bound to its first request: reused for another "
        "command, another product or other fields it is refused with 422 `idempotency_key_reused`, naming what "
        "it was first used for, and nothing is written. A refused command (4xx) leaves no record, so its key may "
        "be retried once the cause is fixed. A UUID is used as the command id as it is (it appears as "
        f"`command_id` in the event feed); any other string of 1-{MAX_KEY_LENGTH} visible ASCII characters is "
        "mapped to one with UUIDv5, per user. Use a new key for each change you mean."
    ),
)
IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    type=IF_MATCH_SCHEMA,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        'The product version this change is based on, as the ETag of GET /api/products/{id}/ gives it ("3"). '
        "Required unless the body has `version`. A stale version is refused with 409 `stale_version`."
    ),
)


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = VERSION_REQUIRED
    default_code = "precondition_required"


def command_id(request, *, body_value: uuid.UUID | None) -> uuid.UUID:
    """The command id for this request: from Idempotency-Key or command_id, else a fresh one.

    A key that is not a UUID maps to the same id on every endpoint (per user, as Stripe's are per
    account), so reusing it for another command or product is caught as a reuse, not run anew.
    """
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    from_header = None
    if raw is not None:
        raw = raw.strip()
        if not 0 < len(raw) <= MAX_KEY_LENGTH or not _KEY_PATTERN.match(raw):
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [KEY_INVALID]})
        try:
            from_header = uuid.UUID(raw)
        except ValueError:
            from_header = uuid.uuid5(KEY_NAMESPACE, f"{request.user.pk}:{raw}")
    if from_header and body_value and from_header != body_value:
        raise exceptions.ValidationError({"command_id": [KEY_CONFLICT]})
    return from_header or body_value or uuid.uuid4()


def new_product_id(command_id_value: uuid.UUID, *, idempotent: bool) -> uuid.UUID:
    """A retried create must name the same product, so derive its id from the key."""
    return uuid.uuid5(PRODUCT_ID_NAMESPACE, str(command_id_value)) if idempotent else uuid.uuid4()


def new_reservation_id(command_id_value: uuid.UUID, *, idempotent: bool) -> uuid.UUID:
    """A retried reservation must name the same reservation (and so the same Location)."""
    return uuid.uuid5(RESERVATION_ID_NAMESPACE, str(command_id_value)) if idempotent else uuid.uuid4()


def is_idempotent(request, body_value) -> bool:
    return body_value is not None or request.headers.get(IDEMPOTENCY_HEADER) is not None


def expected_version(request, *, body_value: int | None) -> int:
    """The version the caller edited, from If-Match or the body; 428 when neither is there."""
    raw = request.headers.get("If-Match")
    from_header = None
    if raw is not None:
        match = _ETAG_PATTERN.match(raw.strip())
        if not match:
            raise exceptions.ValidationError({"If-Match": [IF_MATCH_INVALID]})
        from_header = int(match.group(1))
    if from_header is not None and body_value is not None and from_header != body_value:
        raise exceptions.ValidationError({"version": [VERSION_CONFLICT]})
    version = from_header if from_header is not None else body_value
    if version is None:
        raise PreconditionRequired()
    return version


def etag(version: int) -> str:
    return f'"{version}"'
