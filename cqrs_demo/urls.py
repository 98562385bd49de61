"""Top-level routes: staff pages, auth, admin and the API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("products.api.urls")),
    path("", include("products.web.urls")),
]

# Database out of reach → 503, body over the limit → 413 (cqrs_demo.resilience), wherever it is noticed.
handler400 = "cqrs_demo.resilience.bad_request"
handler500 = "cqrs_demo.resilience.server_error"
