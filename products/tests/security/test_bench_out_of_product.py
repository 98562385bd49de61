"""The naive baseline and the bench's routes exist only under bench.settings, never in a deployment."""

from __future__ import annotations

import sqlite3

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from .test_deploy_settings import run


def _migrated_tables(tmp_path, **env) -> set[str]:
    path = tmp_path / "fresh.sqlite3"
    result = run(["manage.py", "migrate", "--noinput"], DATABASE_URL=f"sqlite:///{path}", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_the_test_suite_runs_with_the_products_own_settings():
    assert settings.ROOT_URLCONF == "cqrs_demo.urls"
    assert not {"baseline", "bench"} & set(settings.INSTALLED_APPS)


def test_a_fresh_database_migrated_with_the_default_settings_has_no_baseline_table(tmp_path):
    tables = _migrated_tables(tmp_path)
    assert {"products_product", "products_event", "products_productsummary"} <= tables
    assert not {name for name in tables if name.startswith("baseline_")}


def test_the_bench_settings_add_the_baseline_table(tmp_path):
    assert "baseline_naiveproduct" in _migrated_tables(tmp_path, DJANGO_SETTINGS_MODULE="bench.settings")


BENCH_ROUTES = ["/baseline/products/", "/bench/ping/", "/bench/plain/", "/bench/render/"]


@pytest.mark.parametrize("path", BENCH_ROUTES)
def test_the_default_urlconf_has_no_bench_routes(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_the_bench_settings_serve_the_bench_routes():
    script = (
        "import django; django.setup(); from django.urls import resolve; "
        f"print(' '.join(resolve(path).func.__name__ for path in {BENCH_ROUTES!r}))"
    )
    result = run(["-c", script], DJANGO_SETTINGS_MODULE="bench.settings")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["view", "ping", "plain_list", "render_only"]
