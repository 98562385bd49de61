"""Routes for the naive baseline; included only by bench.settings (bench/root_urls.py)."""

from django.urls import path

from .views import NaiveProductViewSet

app_name = "baseline"

urlpatterns = [
    path("products/", NaiveProductViewSet.as_view(action="list"), name="list"),
    path("products/<int:pk>/", NaiveProductViewSet.as_view(action="retrieve"), name="detail"),
    path("products/<int:pk>/stock/", NaiveProductViewSet.as_view(action="stock"), name="stock"),
]
