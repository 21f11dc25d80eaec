"""Requests refused for security reasons, in the audit log without letting a flood fill it.

A forged form, a bad API token, an oversized body or a rate-limit hit can come by
the thousand from one address, and each would otherwise be a row. So each
(event, address) pair gets at most ``PER_MINUTE`` rows a minute and the rest are
dropped: a few rows already say what was refused, to whom and from where. The
count is a fixed one-minute window in the rate limiter's storage (Redis when
configured, so every web process shares it; memory otherwise). If that storage
fails, the row is written anyway: briefly losing the guard beats losing the
evidence.
"""

from __future__ import annotations

import logging
from datetime import datetime

from limits import RateLimitItemPerMinute
from limits.strategies import RateLimiter
from sqlalchemy import Engine

from runtime.security import audit

__all__ = ["PER_MINUTE", "record_refusal"]

#: Rows per event, per address, per minute.
PER_MINUTE = 5
_WINDOW = RateLimitItemPerMinute(PER_MINUTE)
_log = logging.getLogger(__name__)


def record_refusal(engine: Engine, counter: RateLimiter, event: str, *, ip: str | None,
                   user_id: int | None = None, email: str | None = None, detail: dict | None = None,
                   now: datetime | None = None) -> bool:
    """Audit one refused request in its own transaction (the request's own work is not
    committed); False when the address is over its allowance and nothing was written."""
    if event not in audit.REFUSALS:
        raise ValueError(f"{event!r} is not a refusal")
    if not _within_allowance(counter, event, ip):
        return False
    with engine.begin() as conn:
        audit.record(conn, event, user_id, email, ip, detail, now=now)
    return True


def _within_allowance(counter: RateLimiter, event: str, ip: str | None) -> bool:
    try:
        return counter.hit(_WINDOW, "metacrm-audit", event, ip or "-")
    except Exception:  # noqa: BLE001 - Redis down, for instance: write the row unguarded
        _log.warning("refusal flood guard unavailable; auditing %s unguarded", event, exc_info=True)
        return True
