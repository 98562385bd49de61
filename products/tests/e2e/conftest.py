"""Real headless Chromium against pytest-django's live_server; console errors (CSP!) fail the test."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from ..conftest import ensure_roles

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
EXPECTED_HTTP_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of (400|409) ")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-results"


class SerialWSGIServer(WSGIServer):
    """Django's WSGIServer, one request at a time; the thread itself already holds the shared connection."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def serial_live_server_on_sqlite():
    """In-memory SQLite hands the live server the test's own connection; a threaded server would then
    use it from two threads at once (polling + navigation) and fail with 'table is locked'. Serve one
    request at a time there. PostgreSQL gives each thread its own connection, so it stays threaded."""
    if connection.vendor != "sqlite":
        yield
        return
    original = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = original


@pytest.fixture(scope="module", autouse=True)
def restore_migration_data(django_db_blocker):
    """A transactional test ends by flushing every table, the roles a data migration made included:
    make them again once these tests are done, for whatever runs after them."""
    yield
    with django_db_blocker.unblock():
        ensure_roles()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it with 'sudo apt-get install chromium' (Debian; "
            "`make test` does this when run as root) or set CHROMIUM_PATH to a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def fast_polling(settings):
    """Badges poll every half second in the browser tests, so others' changes show up quickly."""
    settings.STOCK_BADGE_POLL_SECONDS = 0.5


# The issue-17 matrix: every browser test of a UI defect runs at desktop and tablet width, with DEBUG on
# (make run loads htmx's debug handler) and off (production). Tests take `ui` and open `new_page(ui.viewport)`.
UI_VARIANTS = [
    pytest.param((1280, True), id="1280-debug"),
    pytest.param((1280, False), id="1280"),
    pytest.param((768, True), id="768-debug"),
    pytest.param((768, False), id="768"),
]


@dataclass(frozen=True)
class UiVariant:
    width: int
    debug: bool

    @property
    def viewport(self) -> dict:
        return {"width": self.width, "height": 900 if self.width > 1000 else 1024}


@pytest.fixture(params=UI_VARIANTS)
def ui(request, settings) -> UiVariant:
    """One cell of the width x DEBUG matrix; DEBUG is switched for the live server's requests too."""
    width, debug = request.param
    settings.DEBUG = debug
    return UiVariant(width=width, debug=debug)


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies); every console error or failed request fails the test."""
    contexts, problems = [], []

    def make(viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(5000)
        page = context.new_page()
        page.on("console", lambda msg: _record_console(msg, problems))
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            page.goto("about:blank")  # stop polling before the database is flushed
        context.close()
    time.sleep(0.3)  # let a request already inside the live server finish
    assert problems == [], "\n".join(problems)


def _record_console(message, problems: list) -> None:
    """Console errors fail the test, except Chromium's note about a 400/409 answer: those carry form errors."""
    if message.type != "error":
        return
    if EXPECTED_HTTP_ERROR.search(message.text):
        return
    problems.append(f"console error: {message.text}")


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret injects a <style>, which our CSP (rightly) blocks.
        page.screenshot(path=str(path), full_page=full_page, caret="initial")
        return path

    return take


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
