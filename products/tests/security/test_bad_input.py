"""Hostile input into every form and API command: never a 500, never a partial write, always escaped.

About 1,200 generated requests per run (see EXAMPLES); each one is checked on its own, and
verify() proves the read models still equal a replay of the log at the end.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from products.read.tables import ProductSummary
from products.read.verify import verify
from products.write.aggregates import Product
from products.write.log import Event

from .strategies import HTML_FRAGMENTS, form_data, json_body, nasty_number, nasty_text, nasty_value, uuids

pytestmark = pytest.mark.django_db

EXAMPLES = {"form": 250, "stock": 250, "get": 200, "api": 350}


def fuzz(examples: int):
    """Hypothesis settings for request-level tests: no deadline (CI is noisy), the db fixture is shared on purpose."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )


PRODUCT_FIELDS = {
    "sku": nasty_text,
    "name": nasty_text,
    "description": nasty_text,
    "price": nasty_number,
    "reorder_level": nasty_number,
    "command_id": uuids,
}


@pytest.fixture
def target(make_product, superuser):
    """A product to aim at, and clients for a superuser (who may do everything, so input is all that is tested)."""
    product = make_product(sku="FUZZ-1", name="Fuzz target", price="2.00", on_hand=50)
    page = Client()
    page.force_login(superuser)
    api = Client(headers={"Authorization": f"Token {Token.objects.create(user=superuser).key}"})
    return product, page, api


def state(product_id) -> tuple:
    """Everything one request could have changed."""
    return (
        Event.objects.count(),
        list(Product.objects.filter(pk=product_id).values()),
        list(ProductSummary.objects.filter(pk=product_id).values()),
        Product.objects.count(),
        ProductSummary.objects.count(),
    )


def check(response, before, after, sent) -> None:
    """No 500; exactly one event or no change at all; echoed text escaped."""
    assert response.status_code < 500, response.content[:500]
    events_before, events_after = before[0], after[0]
    assert events_after - events_before in (0, 1)
    if events_after == events_before:
        assert after == before, "refused, yet something changed"
    else:
        assert response.status_code in (201, 204, 302, 200)
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        for fragment in HTML_FRAGMENTS:
            if fragment in str(sent):
                assert fragment not in body, f"unescaped: {fragment}"


# Every generated request, so each run proves its size (EXAMPLES adds up to over 1,000).
SENT: list[str] = []


def post_form(client, url, data, product_id, **extra):
    SENT.append(url)
    before = state(product_id)
    response = client.post(url, data, **extra)
    check(response, before, state(product_id), data)


@pytest.fixture
def verified():
    """After all the examples: read models == replay of the log == write model."""
    yield
    assert list(verify()) == []


def test_the_run_is_big_enough():
    assert sum(EXAMPLES.values()) >= 1000


def test_product_forms(target, verified):
    product, page, _ = target
    url_new, url_edit = "/products/new/", f"/products/{product.product_id}/edit/"

    @fuzz(EXAMPLES["form"])
    @given(
        data=form_data({**PRODUCT_FIELDS, "product_id": uuids, "version": nasty_number}),
        edit=st.booleans(),
    )
    def run(data, edit):
        post_form(page, url_edit if edit else url_new, data, product.product_id)

    SENT.clear()
    run()
    assert len(SENT) >= EXAMPLES["form"], len(SENT)


def test_stock_forms(target, verified):
    product, page, _ = target

    @fuzz(EXAMPLES["stock"])
    @given(
        kind=st.sampled_from(["receive", "issue", "count", "archive", "nonsense"]),
        data=form_data({"quantity": nasty_number, "note": nasty_text, "command_id": uuids}),
        htmx=st.booleans(),
    )
    def run(kind, data, htmx):
        if kind == "archive":  # archive only with a broken command_id, so the product stays usable
            data = {**data, "command_id": "not-a-uuid"}
            url = f"/products/{product.product_id}/archive/"
        else:
            url = f"/products/{product.product_id}/stock/{kind}/"
        post_form(page, url, data, product.product_id, headers={"HX-Request": "true"} if htmx else {})

    SENT.clear()
    run()
    assert len(SENT) >= EXAMPLES["stock"], len(SENT)


def test_query_pages(target, verified):
    product, page, _ = target
    urls = [
        "/products/",
        "/movements/",
        f"/products/{product.product_id}/",
        f"/products/{product.product_id}/availability/",
        "/products/badges/",
        "/api/products/",
        f"/api/products/{product.product_id}/availability/",
        f"/api/products/{product.product_id}/movements/",
        "/api/movements/",
        "/api/events/",
    ]
    params = form_data(
        {
            name: nasty_value
            for name in ("q", "status", "sort", "cursor", "page", "product", "kind", "since", "until", "quantity")
        }
        | {"ids": uuids, "before": nasty_number, "after": nasty_number, "search": nasty_text, "ordering": nasty_text}
        | {"page_size": nasty_number, "detail": uuids}
    )

    @fuzz(EXAMPLES["get"])
    @given(url=st.sampled_from(urls), query=params, htmx=st.booleans())
    def run(url, query, htmx):
        SENT.append(url)
        before = state(product.product_id)
        response = page.get(url, query, headers={"HX-Request": "true"} if htmx else {})
        check(response, before, state(product.product_id), query)

    SENT.clear()
    run()
    assert len(SENT) >= EXAMPLES["get"], len(SENT)


def test_api_commands(target, verified):
    product, _, api = target
    base = f"/api/products/{product.product_id}/"
    product_fields = [*PRODUCT_FIELDS, "id", "version"]
    stock_fields = ["quantity", "note", "command_id"]
    requests = st.one_of(
        st.tuples(st.just("post"), st.just("/api/products/"), json_body(product_fields)),
        st.tuples(st.sampled_from(["put", "patch"]), st.just(base), json_body(product_fields)),
        st.tuples(
            st.just("post"),
            st.sampled_from([base + f"stock/{k}/" for k in ("receive", "issue", "count")]),
            json_body(stock_fields),
        ),
    )

    @fuzz(EXAMPLES["api"])
    @given(
        request=requests,
        content_type=st.sampled_from(["application/json"] * 4 + ["text/plain", "application/x-www-form-urlencoded"]),
        if_match=st.one_of(st.none(), nasty_text, st.integers(-5, 5).map(lambda n: f'"{n}"')),
        key=st.one_of(st.none(), nasty_text),
    )
    def run(request, content_type, if_match, key):
        method, url, body = request
        headers = {}
        if if_match is not None:
            headers["If-Match"] = if_match
        if key is not None:
            headers["Idempotency-Key"] = key
        headers = {k: v for k, v in headers.items() if "\x00" not in v and "\n" not in v and "\r" not in v}
        SENT.append(url)
        before = state(product.product_id)
        response = getattr(api, method)(url, body, content_type=content_type, headers=headers)
        check(response, before, state(product.product_id), body)
        if response.status_code >= 400:
            error = json.loads(response.content)
            assert set(error) == {"code", "message", "errors"} and error["message"]

    SENT.clear()
    run()
    assert len(SENT) >= EXAMPLES["api"], len(SENT)


def test_submitted_text_is_shown_escaped_everywhere(client, superuser):
    """What you type as <script> comes back as &lt;script&gt; on every page that shows it."""
    client.force_login(superuser)
    name, note = HTML_FRAGMENTS[0], HTML_FRAGMENTS[1]
    response = client.post(
        "/products/new/",
        {"sku": "XSS-1", "name": name, "description": HTML_FRAGMENTS[2], "price": "1", "reorder_level": 0}
        | {"command_id": "7d2f6c1e-0000-4000-8000-000000000001", "product_id": "7d2f6c1e-0000-4000-8000-000000000002"},
    )
    assert response.status_code == 302
    detail = response["Location"]
    client.post(
        detail + "stock/receive/", {"quantity": 5, "note": note, "command_id": "7d2f6c1e-0000-4000-8000-000000000003"}
    )
    for url in (detail, "/products/?q=xss", "/movements/", "/", detail + "edit/"):
        body = client.get(url).content.decode()
        if url != "/":  # the dashboard lists it only when stock runs low
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
        for fragment in HTML_FRAGMENTS:
            assert fragment not in body, (url, fragment)
