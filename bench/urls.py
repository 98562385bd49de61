"""Bench-only routes, under /bench/ with bench.settings: reference points beside the naive baseline."""

from django.urls import path

from . import views

app_name = "bench"

urlpatterns = [
    path("ping/", views.ping, name="ping"),
    path("plain/", views.plain_list, name="plain"),
    path("render/", views.render_only, name="render"),
]
