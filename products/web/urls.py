"""Staff UI routes (the API has its own, under /api/)."""

from django.urls import path

from products.web.views import (
    actions,
    corrections,
    exports,
    health,
    history,
    imports,
    locations,
    maintenance,
    pages,
    partials,
    reservations,
)
from products.web.views.common import by_method

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("updating/", health.updating, name="updating"),
    path("products/", pages.product_list, name="product_list"),
    path("products/export.csv", exports.product_export, name="product_export"),
    path("products/new/", by_method(pages.product_new, actions.create_product), name="product_new"),
    path("products/badges/", partials.stock_badges, name="stock_badges"),
    path("products/<uuid:product_id>/", pages.product_detail, name="product_detail"),
    path(
        "products/<uuid:product_id>/edit/",
        by_method(pages.product_edit, actions.update_product),
        name="product_edit",
    ),
    path("products/<uuid:product_id>/stock/transfer/", locations.transfer_stock, name="product_transfer"),
    path("products/<uuid:product_id>/stock/<slug:kind>/", actions.stock, name="product_stock"),
    path(
        "products/<uuid:product_id>/archive/",
        by_method(pages.product_archive, actions.archive_product),
        name="product_archive",
    ),
    path("products/<uuid:product_id>/restore/", actions.restore_product, name="product_restore"),
    path("products/<uuid:product_id>/availability/", partials.availability, name="product_availability"),
    path("products/<uuid:product_id>/reservations/", reservations.reserve, name="product_reserve"),
    path("reservations/", reservations.reservation_list, name="reservation_list"),
    path("reservations/<uuid:reservation_id>/release/", reservations.release, name="reservation_release"),
    path("reservations/<uuid:reservation_id>/fulfil/", reservations.fulfil, name="reservation_fulfil"),
    path("products/<uuid:product_id>/as-of/", history.product_stock_as_of, name="product_stock_as_of"),
    path("products/<uuid:product_id>/chart/", history.product_chart, name="product_chart"),
    path("movements/", pages.movement_list, name="movement_list"),
    path("locations/", by_method(locations.location_list, locations.location_create), name="location_list"),
    path("locations/<str:code>/edit/", locations.location_edit, name="location_edit"),
    path("locations/<str:code>/archive/", locations.location_archive, name="location_archive"),
    path("inventory/", history.inventory_as_of, name="inventory_as_of"),
    path("inventory/export.csv", history.inventory_export, name="inventory_export"),
    path("movements/export.csv", exports.movement_export, name="movement_export"),
    path("movements/<int:position>/reverse/", corrections.reverse_movement, name="movement_reverse"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<uuid:job_id>/", imports.import_detail, name="import_detail"),
    path("imports/<uuid:job_id>/apply/", imports.import_apply, name="import_apply"),
    path("imports/<uuid:job_id>/discard/", imports.import_discard, name="import_discard"),
    path("imports/<uuid:job_id>/problems.csv", imports.import_issues_csv, name="import_issues_csv"),
    path("maintenance/", maintenance.maintenance, name="maintenance"),
    path("maintenance/projectors/<str:name>/<str:action>/", maintenance.projector_action, name="projector_action"),
]
