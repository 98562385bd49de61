"""Real headless Chromium against pytest-django's live_server; console errors (CSP!) fail the test.

Speed matters (the suite runs in both database passes of `make test`): the browser and the live server are
shared by the whole session, `log_in` sets a session cookie instead of filling the form (one test in
test_browser.py still logs in through the form), teardown waits for the live server to go idle instead of
sleeping, and the `ui` matrix is split between the two passes by UI_MATRIX (see `ui_variants`).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread

from ..conftest import ensure_roles

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
EXPECTED_HTTP_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of (400|409) ")
# htmx logs an aborted request (a poll in flight when the page navigates away) as two console errors; a real
# failure still shows as htmx:sendError, htmx:responseError or a failed resource.
ABORTED_REQUEST = re.compile(r"^htmx:(sendAbort|afterRequest), ")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-results"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# What the accessibility test fails on; "moderate" and "minor" findings are reported by axe but not counted.
AXE_FAILING_IMPACTS = ("serious", "critical")
LOGIN_BACKEND = "cqrs_demo.auth.OneQueryModelBackend"


class Requests:
    """Counts the requests the live server is answering, so teardown can wait until it is idle."""

    def __init__(self):
        self.open = 0
        self.idle = threading.Condition()
        self.turn = threading.Lock()  # SQLite: held by a request being answered, or by the test (between_requests)

    def enter(self) -> None:
        with self.idle:
            self.open += 1

    def leave(self) -> None:
        with self.idle:
            self.open -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.open == 0, timeout=timeout)


SERVING = Requests()


class CountedResponse:
    """A WSGI response that counts as open until the server closes it (a streamed CSV reads the database late)."""

    def __init__(self, result, close=None):
        self.result = result
        self.closer = close if close is not None else getattr(result, "close", None)

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if self.closer is not None:
                self.closer()
        finally:
            SERVING.leave()


class CountingServer:
    """A WSGIServer mixin whose app counts requests (not connections: the browser keeps idle ones open)."""

    serial = False

    def get_app(self):
        app = super().get_app()

        def counted(environ, start_response):
            SERVING.enter()
            try:
                with SERVING.turn if self.serial else contextlib.nullcontext():
                    response = app(environ, start_response)
                    if not self.serial:
                        return CountedResponse(response)
                    # One connection for both threads: a streamed body must be read out while it is our turn.
                    return CountedResponse(list(response), close=getattr(response, "close", None))
            except BaseException:
                SERVING.leave()
                raise

        return counted


@contextlib.contextmanager
def between_requests():
    """Let the test write through the ORM (bus.dispatch...) while the page keeps polling. On SQLite the live
    server shares the test's one connection, so the test waits for its turn between two requests; on
    PostgreSQL each has its own connection and this does nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with SERVING.turn:
        yield


class CountingThreadedWSGIServer(CountingServer, ThreadedWSGIServer):
    """The live server's usual threaded server (PostgreSQL: a database connection per thread), counting."""


class SerialWSGIServer(CountingServer, WSGIServer):
    """One request at a time; the thread itself already holds the shared connection."""

    serial = True

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def counting_live_server():
    """In-memory SQLite hands the live server the test's own connection; a threaded server would then
    use it from two threads at once (polling + navigation) and fail with 'table is locked'. Serve one
    request at a time there. PostgreSQL gives each thread its own connection, so it stays threaded.
    Either way the server counts the requests it is answering (teardown waits for none)."""
    original = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer if connection.vendor == "sqlite" else CountingThreadedWSGIServer
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
UI_CELLS = {"1280-debug": (1280, True), "1280": (1280, False), "768-debug": (768, True), "768": (768, False)}
# UI_MATRIX picks the half a pass runs: `make test` (scripts/pytest-passes.sh) runs the DEBUG-on half on
# SQLite and the DEBUG-off half on PostgreSQL, so every cell runs once and each database sees both widths.
# Unset or "all" (a single pass, a developer's run): all four.
UI_HALVES = {"debug": ("1280-debug", "768-debug"), "production": ("1280", "768"), "all": tuple(UI_CELLS)}


def ui_variants(matrix: str | None = None) -> list:
    """The `ui` fixture's params for UI_MATRIX (debug, production or all); an unknown name is an error."""
    matrix = matrix or os.environ.get("UI_MATRIX") or "all"
    if matrix not in UI_HALVES:
        raise pytest.UsageError(f"UI_MATRIX={matrix!r}: use one of {', '.join(UI_HALVES)}")
    return [pytest.param(UI_CELLS[cell], id=cell) for cell in UI_HALVES[matrix]]


UI_VARIANTS = ui_variants()
# Slow whole-site sweeps (axe-core on every page) take one cell per pass instead of two: desktop with DEBUG on
# SQLite, tablet with DEBUG off on PostgreSQL, so `make test` still covers both widths and both DEBUG values.
SWEEP_CELLS = {"debug": ("1280-debug",), "production": ("768",), "all": ("1280-debug", "768")}


def sweep_variants(matrix: str | None = None) -> list:
    """The `ui_sweep` fixture's params for UI_MATRIX: one cell per `make test` pass."""
    matrix = matrix or os.environ.get("UI_MATRIX") or "all"
    if matrix not in SWEEP_CELLS:
        raise pytest.UsageError(f"UI_MATRIX={matrix!r}: use one of {', '.join(SWEEP_CELLS)}")
    return [pytest.param(UI_CELLS[cell], id=cell) for cell in SWEEP_CELLS[matrix]]


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


@pytest.fixture(params=sweep_variants())
def ui_sweep(request, settings) -> UiVariant:
    """Like `ui`, for a test that visits every page: one cell per pass (see SWEEP_CELLS)."""
    width, debug = request.param
    settings.DEBUG = debug
    return UiVariant(width=width, debug=debug)


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies); every console error or failed request fails the test."""
    contexts, problems = [], []

    def make(viewport=None, **options):
        """`options` go to the context, e.g. java_script_enabled=False for a page without JavaScript."""
        viewport = viewport or {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.set_default_timeout(5000)
        context.set_default_navigation_timeout(15000)  # a whole page (the API docs' 1.5 MB) on a busy 2-core box
        context.live_server_url = live_server.url  # where log_in sets its cookie
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
    SERVING.wait_idle()  # a request still inside the live server finishes before the flush
    assert problems == [], "\n".join(problems)


def _record_console(message, problems: list) -> None:
    """Console errors fail the test, except Chromium's note about a 400/409 answer (those carry form errors)
    and htmx's note about a request aborted by leaving the page."""
    if message.type != "error":
        return
    if EXPECTED_HTTP_ERROR.search(message.text) or ABORTED_REQUEST.search(message.text):
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


def log_in(page, username: str, password: str | None = None, *, then: str = "/") -> None:
    """Log the page's context in as `username` with a session cookie (no form, no password hashing), then open
    `then` (the dashboard, where the login form lands). test_browser.py keeps one login through the form."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username), backend=LOGIN_BACKEND)
    name = django_settings.SESSION_COOKIE_NAME
    url = page.context.live_server_url
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": url}])
    if then:
        page.goto(then)


def click_nav(page, name: str) -> None:
    """Follow a top-bar link; below 992 px the links sit behind the menu button, so open it first."""
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.get_by_role("button", name="Show navigation")
    if toggle.is_visible():
        toggle.click()
    nav.get_by_role("link", name=name, exact=True).click()


def log_in_with_the_form(page, username: str, password: str) -> None:
    """The real login page, as a person uses it."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def axe_violations(page, *, impacts=AXE_FAILING_IMPACTS) -> list[dict]:
    """Run the vendored axe-core on the page as it is now; the violations of those impacts.

    Colour contrast that axe only marks "needs review" because the text is short (a count badge's "3") but
    whose measured ratio is below the required one counts as a serious violation too.
    `evaluate` runs in the page the way DevTools does, outside its CSP, so no inline script is injected.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN)
    return [v for v in found if v["impact"] in impacts and v["nodes"]]


AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations', 'incomplete']});
  const node = n => ({target: n.target.join(' '), summary: n.failureSummary || ''});
  const measuredTooLow = n => n.any.some(check => check.data && check.data.contrastRatio
    && check.data.contrastRatio < parseFloat(check.data.expectedContrastRatio));
  const shortContrast = results.incomplete.filter(v => v.id === 'color-contrast').map(v => ({
    id: 'color-contrast', impact: 'serious', help: v.help, nodes: v.nodes.filter(measuredTooLow).map(n => ({
      target: n.target.join(' '),
      summary: n.any.map(c => `contrast ${c.data.contrastRatio} (${c.data.fgColor} on ${c.data.bgColor}), `
        + `expected ${c.data.expectedContrastRatio}`).join('; ')}))}));
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(node)}))
    .concat(shortContrast);
}"""


def assert_accessible(page, where: str = "") -> None:
    """Zero serious or critical axe-core violations on the page, with each one spelled out if not."""
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {where or page.url}:\n{describe_violations(violations)}"


def describe_violations(violations: list[dict]) -> str:
    """One line per failing element: the rule, its impact, where, and axe's reason."""
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {node['target']}: {' '.join(node['summary'].split())}"
        for v in violations
        for node in v["nodes"]
    )


def htmx_settled(page) -> None:
    """Wait until no htmx request, swap or settle is under way: keys typed before then reach a form htmx has not
    bound yet (seen on a loaded box: the second Enter of a repeated issue was lost)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
