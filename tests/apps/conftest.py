"""Fixtures shared by the web-app tests."""

from __future__ import annotations

import pytest

from tests.apps.pinned_clock import Clock


@pytest.fixture
def clock(app):
    """The app's clock, pinned at ``T0``; move it with ``clock.now += timedelta(...)``."""
    app.extensions["metacrm"]["clock"] = Clock()
    return app.extensions["metacrm"]["clock"]
