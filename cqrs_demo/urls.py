"""Top-level routes: staff pages, auth, admin and the API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("products.api.urls")),
    path("", include("products.urls")),
]
