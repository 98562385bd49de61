"""The naive CRUD baseline app, installed only by bench.settings."""

from django.apps import AppConfig


class BaselineConfig(AppConfig):
    name = "baseline"
    verbose_name = "Naive CRUD baseline (benchmarks only)"
