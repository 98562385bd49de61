"""The ledger filtered by kind is read newest first through that kind's index, never by a full scan."""

from __future__ import annotations

import pytest
from django.db import connection

from products.read.queries import filtered_ledger
from products.read.tables import MovementKind

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db]


@pytest.mark.parametrize("kind", MovementKind.values)
def test_a_kind_filter_pages_through_the_kinds_own_index(make_product, kind):
    make_product(on_hand=5)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
    plan = filtered_ledger(kind=kind).filter(position__lt=10**9).order_by("-position")[:51].explain()
    assert f"movement_{kind}_pos" in plan
