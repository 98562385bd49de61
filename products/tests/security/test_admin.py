"""The admin: staff only; managers run staff accounts without reaching superuser; stock data is look-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from products.tests.factories import UserFactory
from products.write import roles
from products.write.log import Event

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_manager(manager):
    manager.is_staff = True
    manager.save()
    return manager


@pytest.mark.parametrize("role", ["anonymous", "viewer", "clerk", "manager"])
def test_the_admin_is_only_for_staff(role, user_for):
    """Not staff (a manager without the staff flag included): sent to the admin's login form."""
    user = user_for(role)
    client = admin_client(user) if user else Client()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_manager_adds_a_user_and_gives_them_a_role(staff_manager):
    client = admin_client(staff_manager)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "newclerk", "usable_password": "true", "password1": "S3cure-pass!x", "password2": "S3cure-pass!x"},
    )
    assert response.status_code == 302, response.content
    new = UserFactory._meta.model.objects.get(username="newclerk")
    clerk_group = Group.objects.get(name=roles.STOCK_CLERK)
    response = client.post(
        f"/admin/auth/user/{new.pk}/change/",
        {"username": "newclerk", "is_active": "on", "groups": [clerk_group.pk]},
    )
    assert response.status_code == 302, response.content
    new.refresh_from_db()
    assert list(new.groups.values_list("name", flat=True)) == [roles.STOCK_CLERK]
    assert new.has_perm("products.receive_stock")


def test_a_manager_cannot_make_anyone_superuser_or_grant_single_permissions(staff_manager):
    client = admin_client(staff_manager)
    page = client.get(f"/admin/auth/user/{staff_manager.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.text and 'name="user_permissions"' not in page.text
    client.post(
        f"/admin/auth/user/{staff_manager.pk}/change/",
        {"username": "manager", "is_active": "on", "is_staff": "on", "is_superuser": "on", "user_permissions": [1]},
    )
    staff_manager.refresh_from_db()
    assert not staff_manager.is_superuser and not staff_manager.user_permissions.exists()


def test_a_manager_can_only_hand_out_the_staff_roles(staff_manager):
    Group.objects.create(name="Auditors with extra powers")
    page = admin_client(staff_manager).get(f"/admin/auth/user/{staff_manager.pk}/change/")
    offered = set(page.context["adminform"].form.fields["groups"].queryset.values_list("name", flat=True))
    assert offered == {roles.VIEWER, roles.STOCK_CLERK, roles.INVENTORY_MANAGER}


def test_a_manager_cannot_see_or_change_superusers(staff_manager, superuser):
    client = admin_client(staff_manager)
    listing = client.get("/admin/auth/user/")
    assert "admin" not in [u.username for u in listing.context["cl"].result_list]
    assert client.get(f"/admin/auth/user/{superuser.pk}/change/").status_code == 302  # "does not exist"
    response = client.post(
        f"/admin/auth/user/{superuser.pk}/password/", {"password1": "Taken-0ver!", "password2": "Taken-0ver!"}
    )
    assert response.status_code == 404
    superuser.refresh_from_db()
    assert superuser.check_password("pw-for-tests")


def test_a_manager_sees_the_roles_but_cannot_edit_their_permissions(staff_manager):
    group = Group.objects.get(name=roles.STOCK_CLERK)
    client = admin_client(staff_manager)
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200
    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Stock clerk", "permissions": []})
    assert response.status_code == 403
    assert group.permissions.count() == len(roles.ROLE_PERMISSIONS[roles.STOCK_CLERK])


@pytest.mark.parametrize(
    "model", ["product", "event", "productsummary", "stockmovemententry", "inventorystats", "submittedcommand"]
)
def test_stock_data_is_read_only_even_for_a_superuser(model, superuser, product, snapshot):
    client = admin_client(superuser)
    assert client.get(f"/admin/products/{model}/").status_code == 200
    assert client.get(f"/admin/products/{model}/add/").status_code == 403
    if model in ("product", "event"):
        pk = product.product_id if model == "product" else Event.objects.first().pk
        before = snapshot()
        page = client.get(f"/admin/products/{model}/{pk}/change/")
        assert page.status_code == 200 and 'type="submit"' not in page.text.split('id="content-main"')[1]
        assert client.post(f"/admin/products/{model}/{pk}/change/", {"sku": "HACKED"}).status_code == 403
        assert client.post(f"/admin/products/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
        assert snapshot() == before


def test_a_manager_may_look_at_products_but_not_the_raw_event_log(staff_manager, product):
    client = admin_client(staff_manager)
    assert client.get("/admin/products/product/").status_code == 200
    assert client.get("/admin/products/event/").status_code == 403
