"""Staff UI routes (the API has its own, under /api/)."""

from django.urls import path

from .views import pages

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("healthz", pages.healthz, name="healthz"),
]
