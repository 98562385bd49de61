"""Staff UI routes (the API has its own, under /api/)."""

from django.urls import path

from .views import actions, pages, partials
from .views.common import by_method

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("healthz", pages.healthz, name="healthz"),
    path("products/", pages.product_list, name="product_list"),
    path("products/new/", by_method(pages.product_new, actions.create_product), name="product_new"),
    path("products/badges/", partials.stock_badges, name="stock_badges"),
    path("products/<uuid:product_id>/", pages.product_detail, name="product_detail"),
    path(
        "products/<uuid:product_id>/edit/",
        by_method(pages.product_edit, actions.update_product),
        name="product_edit",
    ),
    path("products/<uuid:product_id>/stock/<slug:kind>/", actions.stock, name="product_stock"),
    path(
        "products/<uuid:product_id>/archive/",
        by_method(pages.product_archive, actions.archive_product),
        name="product_archive",
    ),
    path("products/<uuid:product_id>/availability/", partials.availability, name="product_availability"),
    path("movements/", pages.movement_list, name="movement_list"),
]
