"""Browser-test harness: a live server and a real headless Chromium.

Nothing is installed at run time. The tests use Python Playwright with the
system Chromium (``/usr/bin/chromium``) and skip with a reason when either is
missing. Each test gets its own server and SQLite database, so tests never
share state. Fixtures:

* ``live_server`` — ``create_app`` on 127.0.0.1:<free port> in a thread, with a
  signed-in-able user (``live_server.email`` / ``live_server.password``).
* ``browser`` — one Chromium per session, started again if it dies (``new_context`` only).
* ``desktop_page`` (1280×800), ``phone_page`` (390×844, mobile, touch) and
  ``page`` (parametrized over both). Each is a plain Playwright ``Page`` with
  ``page.console_errors`` (console errors and uncaught exceptions seen so far)
  and ``page.kind`` (``"desktop"`` or ``"phone"``).

Helpers live in ``tests/e2e/harness.py``: ``screenshot(page, name)`` saves to
``tests/e2e/screenshots/`` (git-ignored); ``assert_healthy(page)`` fails on
console errors and, on phones, on horizontal scrolling; ``login(page, server)``.
Every page is also checked for console errors when its test ends, and a phone
page for horizontal scrolling of whatever page it has open then. Chromium
logs any 4xx/5xx response, the page itself included, as a console error: a test
that causes one on purpose calls ``expect_console_error(page, pattern)``.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from apps.config import Settings
from apps.web import create_app
from runtime.security.users import create_user
from runtime.storage.system import upgrade
from tests.e2e.harness import LiveServer
from tests.e2e.harness import assert_fits_phone

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser: mark it ``e2e`` (deselect with -m 'not e2e')."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


# --- server --------------------------------------------------------------------------


@pytest.fixture
def live_server(tmp_path):
    """A real HTTP server for one test, backed by a fresh SQLite database."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'e2e.db'}",
        instance_dir=tmp_path / "instance",
        secret_key="e2e-secret",
        files_dir=tmp_path / "files",
    )
    app = create_app(settings)
    engine = app.extensions["metacrm"]["engine"]
    upgrade(engine)
    email, password = "ann@example.com", "e2e-password"
    with engine.begin() as conn:
        create_user(conn, email, password, display_name="Ann Lee", is_admin=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, engine, email, password)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        engine.dispose()


# --- browser -------------------------------------------------------------------------


class RelaunchingChromium:
    """The session's Chromium, started again if it has died.

    A crashed browser used to fail every later browser test of the run with
    "Target page, context or browser has been closed" (51 of them in one CI run);
    now the crash costs at most the test it happened in, and a warning says so.
    """

    def __init__(self, playwright):
        self._playwright = playwright
        self._chromium = None

    def new_context(self, **options):
        if self._chromium is not None and not self._chromium.is_connected():
            warnings.warn("Chromium had exited; a new one was started", stacklevel=2)
            self._chromium = None
        if self._chromium is None:
            self._chromium = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
        return self._chromium.new_context(**options)

    def close(self) -> None:
        if self._chromium is not None and self._chromium.is_connected():
            self._chromium.close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (relaunched if it dies); skipped cleanly when unavailable."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Python Playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = RelaunchingChromium(playwright)
        yield chromium
        chromium.close()


def _open_page(browser, kind: str, live_server: LiveServer):
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS[kind])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.kind = kind
    page.console_errors = []
    page.expected_console_errors = []
    page.on("console", lambda msg: _record_console(page, msg))
    page.on("pageerror", lambda exc: page.console_errors.append(f"uncaught: {exc}"))
    return context, page


def _record_console(page, msg) -> None:
    if msg.type == "error" and not any(p.search(msg.text) for p in page.expected_console_errors):
        page.console_errors.append(f"console: {msg.text} @ {msg.location.get('url', '')}")


def _close_checked(context, page) -> None:
    """At teardown: the page open last must fit a phone's width, and no console errors were seen."""
    try:
        assert_fits_phone(page)
    finally:
        if context.browser.is_connected():  # a browser that died took its contexts with it
            context.close()
    assert not page.console_errors, page.console_errors


@pytest.fixture
def desktop_page(browser, live_server):
    context, page = _open_page(browser, "desktop", live_server)
    yield page
    _close_checked(context, page)


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _open_page(browser, "phone", live_server)
    yield page
    _close_checked(context, page)


@pytest.fixture(params=["desktop", "phone"])
def page(request, browser, live_server):
    """The same test at desktop and phone size."""
    context, page = _open_page(browser, request.param, live_server)
    yield page
    _close_checked(context, page)
