"""Requests generated from our own OpenAPI schema, against every operation: no 5xx, responses as documented."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from products.read.queries import GetProduct

# Small, fixed budget per operation: the whole run stays well under a minute.
EXAMPLES_PER_OPERATION = 6


# schemathesis's WSGI client sends `Host: localhost`. Loading the schema touches no database.
WSGI_HOST = "localhost"
with override_settings(ALLOWED_HOSTS=[WSGI_HOST]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    # The coverage phase doubles the run time; the examples and fuzzing phases stay within budget.
    schema.config.phases.coverage.enabled = False


def excluded_checks(case) -> list:
    """Refusals that are right although the request fits the schema, and deliberate leniency.

    - an opaque cursor, random credentials, a command_id that differs from the Idempotency-Key or a
      version that differs from If-Match fit the schema yet are rightly refused (400), as is an
      edit with no version at all (428: the schema cannot say "one of a header or a field");
    - an uploaded import file is any bytes to the schema, but must be a CSV with the right columns;
    - a location code that fits the pattern (in a body, or the inventory's `location` filter) names a
      location that may not exist (400 unknown_location),
      and a transfer's two ends may be the same place (400): the schema cannot know either;
    - a reservation's `expires_at` is any date-time to the schema, but one that has passed is refused,
      and the reservations list's `after` is an opaque cursor too;
    - we accept some inputs the schema does not promise (numbers as strings, an empty optional
      parameter meaning "not sent"), so "invalid data must be rejected" is not our contract.
    """
    checks = [negative_data_rejection]
    body = case.body if isinstance(case.body, dict) else {}
    headers = case.headers or {}
    two_keys = body.get("command_id") and "Idempotency-Key" in headers
    two_versions = "version" in body and "If-Match" in headers
    no_version = case.method in ("PUT", "PATCH") and "version" not in body and "If-Match" not in headers
    reservation_moment = case.operation.path.endswith("/reservations/") and body.get("expires_at")
    reservation_cursor = case.operation.path == "/api/reservations/" and "after" in (case.query or {})
    if (
        "cursor" in (case.query or {})
        or reservation_moment
        or reservation_cursor
        or case.operation.path == "/api/auth/token/"
        or case.operation.path == "/api/imports/"
        or "location" in body
        or "location" in (case.query or {})
        or "parent" in body
        or case.operation.path == "/api/products/{product_id}/stock/transfer/"
        or two_keys
        or two_versions
        or no_version
    ):
        checks.append(positive_data_acceptance)
    return checks


@pytest.fixture(autouse=True)
def _in_process_wsgi(settings):
    """Let the raw WSGI handler run inside the test transaction, as Django's test client does.

    Its request signals would otherwise close the connection mid-test (PostgreSQL drops the
    test transaction), and the Host it sends must be allowed.
    """
    settings.ALLOWED_HOSTS = [WSGI_HOST]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(manager) -> str:
    return Token.objects.get_or_create(user=manager)[0].key


@pytest.fixture
def known_product_id(make_product) -> str:
    """A real product, so generated requests reach handlers and not only 404s."""
    summary = make_product(sku="FUZZ-1", name="Fuzzed product", on_hand=50)
    assert GetProduct(product_id=summary.product_id).execute() is not None
    return str(summary.product_id)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_and_never_errors(case, manager_token, known_product_id):
    path_id = case.path_parameters.get("product_id") if case.path_parameters else None
    if path_id is not None:
        # Half the cases aim at the real product, chosen from the generated data so runs repeat exactly.
        try:
            if uuid.UUID(str(path_id)).int % 2 == 0:
                case.path_parameters["product_id"] = known_product_id
        except ValueError:
            pass
    case.call_and_validate(headers={"Authorization": f"Token {manager_token}"}, excluded_checks=excluded_checks(case))
