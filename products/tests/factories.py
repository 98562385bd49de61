"""factory-boy factories for commands and staff users, so tests only spell out what matters."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from products.write import roles
from products.write.commands import CreateProduct


class CreateProductFactory(factory.Factory):
    """A valid CreateProduct with a unique SKU; override any field."""

    class Meta:
        model = CreateProduct

    product_id = factory.LazyFunction(uuid.uuid4)
    sku = factory.Sequence(lambda n: f"TST-{n:05d}")
    name = factory.Sequence(lambda n: f"Test product {n}")
    description = ""
    price = Decimal("10.00")
    reorder_level = 5


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; pass `role=<group name>` to put them in one of products.roles' groups."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(role_group(extracted))


def role_group(name: str) -> Group:
    """The role's group; recreated if a transactional test's flush removed what migration 0003 made."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="products", codename__in=roles.ROLE_PERMISSIONS[name])
        )
    return group
