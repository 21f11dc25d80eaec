"""A clock the web app reads (``app.extensions["metacrm"]["clock"]``) that tests move by hand:
timeouts, code windows and lockouts are tested without sleeping."""

from __future__ import annotations

from datetime import datetime

T0 = datetime(2026, 1, 5, 9, 0, 0)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now
