"""PostgreSQL goes away under a running server and comes back: 503s meanwhile, no restart needed after.

The outage is real but private: the app (gunicorn, a real process) reaches PostgreSQL through a
small TCP proxy owned by this test, which cuts every connection and refuses new ones, then lets
them through again. The shared cluster other people use is never stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from bench.faults import CuttableProxy
from products.read.queries import GetProductStock
from products.read.verify import verify
from products.write.log import Event

from ..workers import worker_port

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[3]
APP_PORT = worker_port("OUTAGE_TEST_APP_PORT", 9106)  # gw1 adds 4, and so on (tests/workers.py)
PROXY_PORT = worker_port("OUTAGE_TEST_PROXY_PORT", 9107)


def call(method: str, path: str, *, headers=None, body=None) -> tuple[int, dict, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{APP_PORT}{path}", data=data, method=method)
    for name, value in {**(headers or {}), **({"Content-Type": "application/json"} if data else {})}.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def live_app(superuser, make_product):
    """gunicorn on APP_PORT, talking to this test's database through the proxy, with persistent connections."""
    db = connection.settings_dict
    proxy = CuttableProxy(PROXY_PORT, (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{PROXY_PORT}/{db['NAME']}",
        "CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn from the virtualenv)
        [str(Path(sys.executable).parent / "gunicorn"), "cqrs_demo.wsgi", "-b", f"127.0.0.1:{APP_PORT}", "-w", "1"]
        + ["--timeout", "60"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.2)
        yield proxy
    finally:
        server.terminate()
        server.wait(timeout=30)
        proxy.cut()


@pytest.fixture
def product(make_product):
    return make_product(sku="OUT-1", name="Outage", on_hand=20)


def test_pages_api_and_health_answer_503_while_the_database_is_away_and_recover_without_a_restart(
    live_app, product, superuser
):
    page_client = Client()
    page_client.force_login(superuser)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={page_client.cookies[settings.SESSION_COOKIE_NAME].value}"}
    token = {"Authorization": f"Token {Token.objects.create(user=superuser).key}"}
    receive = f"/api/products/{product.product_id}/stock/receive/"
    events_before = Event.objects.count()

    assert call("GET", "/products/", headers=cookie)[0] == 200
    assert call("POST", receive, headers=token, body={"quantity": 5})[0] == 204

    live_app.cut()
    status, headers, body = call("GET", "/healthz")
    assert status == 503 and json.loads(body)["status"] == "unavailable"
    status, headers, body = call("GET", "/products/", headers=cookie)
    assert status == 503 and headers["Retry-After"] == "30"
    # A page that only reads makes no claim about saving; a command that never reached a commit says so.
    assert "Inventory is unavailable for a moment" in body and "try again in a minute" in body
    assert "Nothing was saved" not in body
    status, headers, body = call("GET", "/api/products/", headers=token)
    assert status == 503 and json.loads(body)["code"] == "database_unavailable"
    status, headers, body = call("POST", receive, headers=token, body={"quantity": 100})
    assert status == 503 and json.loads(body)["code"] == "database_unavailable"
    assert "Nothing was saved" in json.loads(body)["message"]

    live_app.restore()
    assert call("GET", "/healthz")[0] == 200
    assert call("GET", "/products/", headers=cookie)[0] == 200
    assert call("POST", receive, headers=token, body={"quantity": 5})[0] == 204

    assert GetProductStock(product_id=product.product_id).execute().on_hand == 30  # 20 + 5 + 5, never the 100
    assert Event.objects.count() == events_before + 2
    assert list(verify()) == []
