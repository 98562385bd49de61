"""Production settings: `check --deploy` clean, secure cookies, and the security headers on every answer."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "inventory.example.com",
    "SECURE_SSL": "1",
    "STATIC_MANIFEST": "0",
}
SHOWN = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_REDIRECT_EXEMPT",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
]


# Set by the test harness (the browser tests need the last one); a deployment never has them.
HARNESS_ONLY = {"PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run(args: list[str], **env) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with the production environment and settings, nothing from the harness."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in HARNESS_ONLY}
    return subprocess.run(  # noqa: S603 (our own interpreter running manage.py)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "cqrs_demo.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The settings a production environment produces, read in a fresh process."""
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SHOWN!r}}}))"
    )
    result = run(["-c", script], DJANGO_SETTINGS_MODULE="cqrs_demo.settings")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_would_catch_a_deployment_without_tls():
    """The check above can fail: with TLS switched off it reports missing HSTS, redirect and secure cookies."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECURE_SSL="0")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_production_cookies_are_secure(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax" and s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 31_536_000


@pytest.fixture
def as_in_production(settings, production_settings):
    """Run requests here with the production security settings (the database stays the test one)."""
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["inventory.example.com", "testserver"]


@pytest.mark.django_db
def test_security_headers_over_tls(client, as_in_production, clerk):
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    csrf_cookie = response.cookies["csrftoken"]
    assert csrf_cookie["secure"] and csrf_cookie["samesite"] == "Lax"

    logged_in = client.post("/accounts/login/", {"username": "clerk", "password": "pw-for-tests"}, secure=True)
    assert logged_in.status_code == 302
    session = logged_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_probe(client, as_in_production):
    response = client.get("/products/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/products/"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_json_and_error_answers_carry_the_headers_too(client, as_in_production):
    for url in ("/api/products/", "/api/nowhere/", "/no-such-page/"):
        response = client.get(url, secure=True)
        assert response.status_code in (401, 404, 302)
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" in response


@pytest.mark.django_db
def test_no_hsts_unless_tls_is_configured(client, settings):
    """HSTS is promised only with SECURE_SSL=1 (the test run has SECURE_SSL=0, like a plain-HTTP dev box)."""
    assert os.environ["SECURE_SSL"] == "0"
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
