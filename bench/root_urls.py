"""The bench's root URLconf: the product's routes, the naive baseline's and the bench's reference points."""

from django.urls import include, path

from cqrs_demo.urls import handler400, handler500  # noqa: F401 (Django reads them from the root URLconf)
from cqrs_demo.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("baseline/", include("baseline.urls")),
    path("bench/", include("bench.urls")),
    *product_urlpatterns,
]
