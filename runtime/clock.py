"""The one notion of "now" for stored records: naive UTC to the second."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime


def utcnow() -> datetime:
    """Naive UTC to the second: the columns are naive UTC ``DateTime``."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
