"""API routes. Where a URL takes a query and commands, one class composes their views."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from .views import background, commands, corrections, history, ledger, locations, meta, queries, reservations

app_name = "api"


class ProductsEndpoint(queries.ProductListApi, commands.CreateProductApi):
    """GET lists (a query), POST creates (a command)."""


class ProductEndpoint(queries.ProductDetailApi, commands.UpdateProductApi, commands.ArchiveProductApi):
    """GET reads; PUT/PATCH update details; DELETE archives."""


urlpatterns = [
    path("", meta.ApiRootApi.as_view(), name="root"),
    path("products/", ProductsEndpoint.as_view(), name="products"),
    path("products/<str:product_id>/", ProductEndpoint.as_view(), name="product"),
    path("products/<str:product_id>/restore/", commands.RestoreProductApi.as_view(), name="product-restore"),
    path("products/<str:product_id>/stock/", history.StockAsOfApi.as_view(), name="product-stock"),
    path("products/<str:product_id>/stock/receive/", commands.ReceiveStockApi.as_view(), name="product-receive"),
    path("products/<str:product_id>/stock/issue/", commands.IssueStockApi.as_view(), name="product-issue"),
    path("products/<str:product_id>/stock/count/", commands.CountStockApi.as_view(), name="product-count"),
    path("products/<str:product_id>/stock/transfer/", locations.TransferStockApi.as_view(), name="product-transfer"),
    path("locations/", locations.LocationsApi.as_view(), name="locations"),
    path("locations/<str:code>/", locations.LocationApi.as_view(), name="location"),
    path(
        "products/<str:product_id>/availability/",
        queries.ProductAvailabilityApi.as_view(),
        name="product-availability",
    ),
    path(
        "products/<str:product_id>/reservations/",
        reservations.ReserveStockApi.as_view(),
        name="product-reservations",
    ),
    path("reservations/", reservations.ReservationListApi.as_view(), name="reservations"),
    path("reservations/<str:reservation_id>/", reservations.ReservationDetailApi.as_view(), name="reservation"),
    path(
        "reservations/<str:reservation_id>/release/",
        reservations.ReleaseReservationApi.as_view(),
        name="reservation-release",
    ),
    path(
        "reservations/<str:reservation_id>/fulfil/",
        reservations.FulfilReservationApi.as_view(),
        name="reservation-fulfil",
    ),
    path("products/<str:product_id>/movements/", ledger.ProductMovementListApi.as_view(), name="product-movements"),
    path("movements/", ledger.MovementListApi.as_view(), name="movements"),
    path("movements/<str:position>/", corrections.MovementDetailApi.as_view(), name="movement"),
    path("movements/<str:position>/reverse/", corrections.ReverseMovementApi.as_view(), name="movement-reverse"),
    path("inventory/", history.InventoryAsOfApi.as_view(), name="inventory"),
    path("events/", ledger.EventFeedApi.as_view(), name="events"),
    path("commands/<str:command_id>/", background.CommandStatusApi.as_view(), name="command"),
    path("imports/", background.ImportCreateApi.as_view(), name="imports"),
    path("imports/<str:job_id>/", background.ImportDetailApi.as_view(), name="import"),
    path("imports/<str:job_id>/apply/", background.ImportApplyApi.as_view(), name="import-apply"),
    path("auth/token/", meta.ObtainTokenApi.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path("docs/", meta.SwaggerUiView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", meta.NotFoundApi.as_view(), name="not-found"),
]
