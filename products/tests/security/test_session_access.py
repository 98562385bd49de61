"""Access loaded with the session user (cqrs_demo.auth): right for every role, never stale by a request."""

from __future__ import annotations

import re
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from cqrs_demo.auth import OneQueryModelBackend
from products.read.queries import GetProduct
from products.write import roles

from ..factories import UserFactory, role_group
from .conftest import page_client

pytestmark = pytest.mark.django_db

NEW_PRODUCT = f'href="{reverse("product_new")}"'
SHOWN_ROLE = {
    "viewer": roles.VIEWER,
    "clerk": roles.STOCK_CLERK,
    "manager": roles.INVENTORY_MANAGER,
    "superuser": "Administrator",
}


def shown_role(html: str) -> str:
    """The role in the top bar, after the user's name."""
    return re.search(r'<span class="text-light">[^<]*</span> · ([^<]+?)\s*</span>', html).group(1)


def receive(client, product, quantity: int):
    url = reverse("product_stock", args=[product.product_id, "receive"])
    return client.post(url, {"command_id": uuid.uuid4(), "quantity": quantity})


def on_hand(product) -> int:
    return GetProduct(product_id=product.product_id).execute().on_hand


@pytest.mark.parametrize("role", list(SHOWN_ROLE))
def test_each_role_sees_its_badge_and_only_its_controls(request, role):
    html = page_client(request.getfixturevalue(role)).get(reverse("product_list")).content.decode()
    assert shown_role(html) == SHOWN_ROLE[role]
    assert (NEW_PRODUCT in html) == (role in {"manager", "superuser"})
    assert ("Imports" in html) == (role != "viewer")


def test_leaving_the_group_counts_on_the_very_next_request(manager, product):
    client = page_client(manager)
    assert NEW_PRODUCT in client.get(reverse("product_list")).content.decode()
    manager.groups.remove(role_group(roles.INVENTORY_MANAGER))
    html = client.get(reverse("product_list")).content.decode()
    assert NEW_PRODUCT not in html and shown_role(html) == "No role"
    assert receive(client, product, 5).status_code == 403
    assert on_hand(product) == 20


def test_joining_a_group_counts_on_the_very_next_request(viewer, product):
    client = page_client(viewer)
    assert shown_role(client.get(reverse("product_list")).content.decode()) == roles.VIEWER
    viewer.groups.add(role_group(roles.STOCK_CLERK))
    assert shown_role(client.get(reverse("product_list")).content.decode()) == roles.STOCK_CLERK
    assert receive(client, product, 5).status_code == 302
    assert on_hand(product) == 25


def test_a_deactivated_user_is_sent_to_log_in_on_the_very_next_request(clerk):
    client = page_client(clerk)
    assert client.get(reverse("product_list")).status_code == 200
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    response = client.get(reverse("product_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_permission_given_to_the_user_directly_counts(viewer, product):
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="products", codename="receive_stock"))
    client = page_client(viewer)
    assert receive(client, product, 2).status_code == 302
    assert on_hand(product) == 22
    assert NEW_PRODUCT not in client.get(reverse("product_list")).content.decode()


def test_a_user_loaded_elsewhere_gets_both_permission_sets_in_one_query(clerk, django_assert_num_queries):
    """API tokens and the worker load the user themselves; their first permission check costs one query."""
    user = get_user_model().objects.get(pk=clerk.pk)
    with django_assert_num_queries(1):
        assert user.has_perm("products.receive_stock")
        assert not user.has_perm("products.add_product")
        assert user.get_all_permissions() == {f"products.{name}" for name in roles.ROLE_PERMISSIONS[roles.STOCK_CLERK]}


def test_async_requests_load_the_user_and_permissions_in_one_query_too(clerk, django_assert_num_queries):
    backend = OneQueryModelBackend()
    with django_assert_num_queries(1):
        user = async_to_sync(backend.aget_user)(clerk.pk)
        assert async_to_sync(user.ahas_perm)("products.count_stock")
        assert [group.name for group in user.groups.all()] == [roles.STOCK_CLERK]
    elsewhere = get_user_model().objects.get(pk=clerk.pk)
    with django_assert_num_queries(1):
        assert async_to_sync(elsewhere.ahas_perm)("products.count_stock")
        assert not async_to_sync(elsewhere.ahas_perm)("products.archive_product")


def test_an_inactive_user_is_not_loaded_at_all(clerk):
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    backend = OneQueryModelBackend()
    assert backend.get_user(clerk.pk) is None
    assert async_to_sync(backend.aget_user)(clerk.pk) is None


def test_a_user_in_no_group_sees_no_role_and_may_only_look(product):
    client = page_client(UserFactory(username="nobody"))
    html = client.get(reverse("product_list")).content.decode()
    assert shown_role(html) == "No role" and NEW_PRODUCT not in html


def test_a_session_from_before_the_one_query_backend_logs_in_again(clerk):
    """Sessions name the backend that logged them in; one naming Django's own asks for a new log-in."""
    client = page_client(clerk)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    response = client.get(reverse("product_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
