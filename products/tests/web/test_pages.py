"""GET pages: login required, what each role sees, and bounded query counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from products.read.filters.ledger import NO_MATCH
from products.web.views.pages import PRODUCT_PAGE_SIZE
from products.write import bus
from products.write.commands import IssueStock, ReceiveStock

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def test_every_page_requires_login(client, product):
    pages = [
        reverse("dashboard"),
        reverse("product_list"),
        reverse("product_new"),
        reverse("product_detail", args=[product.product_id]),
        reverse("product_edit", args=[product.product_id]),
        reverse("product_archive", args=[product.product_id]),
        reverse("movement_list"),
        reverse("stock_badges"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_htmx_request_without_session_reloads_to_login(client):
    response = client.get(reverse("stock_badges"), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_login_page_has_the_contract_fields(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="username"' in html and 'name="password"' in html


def test_login_then_logout_is_a_post(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk", "password": "pw-for-tests"})
    assert response.status_code == 302
    page = client.get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("logout")}"' in page and "Stock clerk" in page
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_dashboard_shows_counts_value_low_stock_and_movements(manager_client, make_product):
    make_product(sku="LOW-1", name="Nearly gone", reorder_level=10, on_hand=3)
    make_product(sku="OK-1", name="Plenty", price="2.00", reorder_level=1, on_hand=50)
    response = manager_client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "LOW-1" in html and "Low · 3" in html
    assert "130.00" in html  # 3 × 10.00 + 50 × 2.00
    assert "+50" in html and "Received" in html


def test_product_list_renders_rows_chips_and_badges(viewer_client, make_product):
    make_product(sku="ACC-001", name="Blue widget", reorder_level=5, on_hand=20)
    make_product(sku="ACC-002", name="Red widget", reorder_level=5, on_hand=0)
    html = viewer_client.get(reverse("product_list")).content.decode()
    assert "ACC-001" in html and "ACC-002" in html
    assert "In stock · 20" in html and "Out · 0" in html
    assert 'aria-live="polite"' in html
    assert "New product" not in html  # viewers cannot create


def test_product_list_search_status_and_sort(viewer_client, make_product):
    make_product(sku="ACC-001", name="Blue widget", on_hand=20)
    make_product(sku="BOLT-9", name="Steel bolt", on_hand=0)
    html = viewer_client.get(reverse("product_list"), {"q": "bolt"}).content.decode()
    assert ">BOLT-9</a>" in html and ">ACC-001</a>" not in html
    html = viewer_client.get(reverse("product_list"), {"status": "out"}).content.decode()
    assert ">BOLT-9</a>" in html and ">ACC-001</a>" not in html
    html = viewer_client.get(reverse("product_list"), {"sort": "-sku"}).content.decode()
    assert html.index(">BOLT-9</a>") < html.index(">ACC-001</a>")
    assert 'aria-sort="descending"' in html


def test_product_list_bad_parameters_fall_back_instead_of_failing(viewer_client, product):
    response = viewer_client.get(reverse("product_list"), {"sort": "nonsense", "status": "x", "cursor": "garbage"})
    assert response.status_code == 200
    assert "ACC-001" in response.content.decode()
    assert "not valid any more" in response.content.decode()


def test_product_list_keyset_pages_without_page_numbers(viewer_client, make_product):
    for n in range(PRODUCT_PAGE_SIZE + 5):
        make_product(sku=f"P-{n:03d}", name=f"Part {n:03d}")  # name order = SKU order
    first = viewer_client.get(reverse("product_list"))
    table = first.context["table"]
    assert len(table.rows) == PRODUCT_PAGE_SIZE and table.next_url and not table.previous_url
    second = viewer_client.get(reverse("product_list") + table.next_url)
    html = second.content.decode()
    assert f"P-{PRODUCT_PAGE_SIZE:03d}" in html and "P-000" not in html
    assert second.context["table"].previous_url
    assert "page=" not in html


def test_product_list_htmx_returns_only_the_results_fragment(viewer_client, product):
    response = viewer_client.get(reverse("product_list"), {"q": "acc"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and "ACC-001" in html
    assert "HX-Request" in response["Vary"]


def test_product_list_history_restore_gets_the_whole_page(viewer_client, product):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = viewer_client.get(reverse("product_list"), headers=headers).content.decode()
    assert "<html" in html


def test_product_detail_shows_header_forms_and_history(clerk_client, product):
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=4, note="order 77"))
    html = clerk_client.get(reverse("product_detail", args=[product.product_id])).content.decode()
    assert "ACC-001" in html and "Blue widget" in html and "In stock · 16" in html
    for kind in ("receive", "issue", "count"):
        assert reverse("product_stock", args=[product.product_id, kind]) in html
    assert "order 77" in html and "\u22124" in html and "system" in html
    assert reverse("product_edit", args=[product.product_id]) not in html  # clerks do not edit
    assert html.count("autofocus") == 1


def test_stock_inputs_keep_whatever_is_typed_for_the_server_to_judge(clerk_client, product):
    """Text inputs with a numeric keyboard, no maxlength or min: the browser never drops or cuts what was typed."""
    html = clerk_client.get(reverse("product_detail", args=[product.product_id])).content.decode()
    assert "maxlength" not in html and 'type="number"' not in html
    for kind in ("receive", "issue", "count"):
        assert re.search(rf'type="text" name="quantity" id="id_{kind}_quantity"[^>]*inputmode="numeric"', html, re.S)


def test_viewer_sees_no_stock_forms(viewer_client, product):
    html = viewer_client.get(reverse("product_detail", args=[product.product_id])).content.decode()
    assert "/stock/receive/" not in html and "can look up stock but not change it" in html


def test_product_detail_unknown_id_is_a_friendly_404(viewer_client):
    response = viewer_client.get(reverse("product_detail", args=["00000000-0000-4000-8000-000000000000"]))
    assert response.status_code == 404
    assert "could not find" in response.content.decode()


def test_history_pages_older_and_newer(viewer_client, product):
    for _ in range(25):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
    url = reverse("product_detail", args=[product.product_id])
    first = viewer_client.get(url).context["history"]
    assert len(first.rows) == 20 and first.next_url and not first.previous_url
    older = viewer_client.get(url + first.next_url).context["history"]
    assert len(older.rows) == 6 and older.previous_url  # 25 receipts + the fixture's first one
    newer = viewer_client.get(url + older.previous_url).context["history"]
    assert [r.record.position for r in newer.rows] == [r.record.position for r in first.rows]


def test_availability_partial_and_full_page(viewer_client, product):
    url = reverse("product_availability", args=[product.product_id])
    fragment = viewer_client.get(url, {"quantity": 25}, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="availability"') and "short by 5" in fragment
    assert "Yes." in viewer_client.get(url, {"quantity": 20}, headers=HTMX).content.decode()
    redirect = viewer_client.get(url, {"quantity": 3})
    assert redirect.status_code == 302
    page = viewer_client.get(redirect["Location"]).content.decode()
    assert "<html" in page and "Yes." in page


def test_new_and_edit_and_archive_forms_need_the_role(clerk_client, manager_client, product):
    pages = (("product_new", []), ("product_edit", [product.product_id]), ("product_archive", [product.product_id]))
    for name, args in pages:
        assert clerk_client.get(reverse(name, args=args)).status_code == 403
        assert manager_client.get(reverse(name, args=args)).status_code == 200


def test_forms_carry_a_fresh_command_id(manager_client, product):
    first = manager_client.get(reverse("product_new")).context["form"]
    second = manager_client.get(reverse("product_new")).context["form"]
    assert first["command_id"].value() != second["command_id"].value()
    edit = manager_client.get(reverse("product_edit", args=[product.product_id])).context["form"]
    assert edit["version"].value() == product.version and edit["sku"].value() == "ACC-001"


def test_movements_ledger_filters(viewer_client, make_product):
    one = make_product(sku="ACC-001", on_hand=5)
    two = make_product(sku="BOLT-9", on_hand=7)
    bus.dispatch(IssueStock(product_id=two.product_id, quantity=2))
    url = reverse("movement_list")
    html = viewer_client.get(url).content.decode()
    assert "ACC-001" in html and "BOLT-9" in html
    html = viewer_client.get(url, {"product": "bolt-9"}).content.decode()
    assert "BOLT-9" in html and "ACC-001" not in html
    html = viewer_client.get(url, {"product": str(one.product_id)}).content.decode()
    assert "ACC-001" in html and "BOLT-9" not in html
    html = viewer_client.get(url, {"kind": "issued"}).content.decode()
    assert "\u22122" in html and "+5" not in html
    response = viewer_client.get(url, {"product": "NOPE"})
    assert response.status_code == 200 and NO_MATCH.format(text="NOPE") in response.content.decode()
    response = viewer_client.get(url, {"since": "2030-01-02", "until": "2030-01-01"})
    assert "before the start date" in response.content.decode()
    assert "No stock movements match." in viewer_client.get(url, {"since": "2999-01-01"}).content.decode()


def test_healthz_needs_no_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_pages_send_no_inline_script_or_style(manager_client, product):
    for url in (reverse("dashboard"), reverse("product_list"), reverse("product_detail", args=[product.product_id])):
        response = manager_client.get(url)
        html = response.content.decode()
        assert "style=" not in html, url
        assert "<script>" not in html and "<script " in html, url
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert 'hx-headers=\'{"X-CSRFToken"' in html


@pytest.mark.parametrize("name", ["dashboard", "product_list", "movement_list", "detail", "edit", "archive"])
def test_pages_with_live_data_are_never_reused_from_a_cache(manager_client, product, name):
    args = [product.product_id] if name in ("detail", "edit", "archive") else []
    url = reverse(f"product_{name}" if args else name, args=args)
    cache_control = manager_client.get(url)["Cache-Control"]
    assert cache_control == "no-store" or {"no-cache", "private"} <= {p.strip() for p in cache_control.split(",")}


def test_without_htmx_the_form_just_used_gets_the_focus_back(clerk_client, product):
    url = reverse("product_detail", args=[product.product_id])
    html = clerk_client.get(f"{url}?form=issue").content.decode()
    assert re.search(r'id="id_issue_quantity"[^>]*autofocus', html) and html.count("autofocus") == 1
    assert re.search(r'id="id_receive_quantity"[^>]*autofocus', clerk_client.get(f"{url}?form=bogus").content.decode())
