"""Helpers for browser tests: screenshots, health checks, signing in, test data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

SCREENSHOT_DIR = Path(__file__).parent / "screenshots"


@dataclass
class LiveServer:
    url: str
    app: object
    engine: Engine
    email: str
    password: str


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as ``screenshots/<name>-<kind>.png`` and return its path."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    path = SCREENSHOT_DIR / f"{safe}-{page.kind}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def expect_console_error(page, pattern: str) -> None:
    """The test causes this error on purpose (Chromium logs every 4xx and failed
    request): drop it now and whenever it is logged later; any other error still fails."""
    page.expected_console_errors.append(re.compile(pattern))
    page.console_errors[:] = [e for e in page.console_errors if not re.search(pattern, e)]


def assert_healthy(page) -> None:
    """No console errors; on phones the page fits its 390 px width (no sideways scrolling)."""
    assert not page.console_errors, page.console_errors
    assert_fits_phone(page)


def assert_fits_phone(page) -> None:
    """On phones, the open page fits its width; nothing to check on desktops, closed or blank pages."""
    if page.kind != "phone" or page.is_closed() or page.url == "about:blank":
        return
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    width = page.viewport_size["width"]
    # Mobile Chromium widens the layout viewport to fit overflowing content, so
    # innerWidth alone can hide the overflow: compare both with the phone's width.
    assert scroll_width <= width and inner_width == width, (
        f"horizontal scroll at {width}px on {page.url}: page is {scroll_width}px wide, "
        f"innerWidth {inner_width}px (content overflows or the meta viewport is missing)"
    )


def login(page, live_server: LiveServer, email: str | None = None, password: str | None = None):
    """Sign in through the real form and wait for the next page to load."""
    page.goto("/login")
    page.fill("input[name=email]", email or live_server.email)
    page.fill("input[name=password]", password or live_server.password)
    with page.expect_navigation():
        page.click("button[type=submit]")


