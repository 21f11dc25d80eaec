"""The shop app of ``report_app`` installed into the test database (every backend)."""

from __future__ import annotations

import pytest

from tests.runtime.reports.report_app import install


@pytest.fixture
def shop(engine):
    return install(engine)
