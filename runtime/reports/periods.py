"""The periods a date-bucketed chart leaves out because nothing happened in them.

A line of interactions per week that skips a quiet week draws a straight
line across it, as if there had been some; a bar chart closes the gap and
hides it. The query only returns periods with rows, so the chart fills in
the ones between the first and the last: a count or sum of nothing is 0,
an average, minimum or maximum of nothing is no value. The API's ``data``
stays the query's own answer.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from runtime.reports.definition import MAX_ROWS

__all__ = ["every_period"]

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def every_period(starts: list, bucket: str) -> list:
    """``starts`` (the query's periods, in its order) with the missing ones between them added.

    Left as they are when they are not in date order (a chart sorted by a
    measure) or when filling would pass the report row cap (days over years).
    """
    dated = [s for s in starts if s is not None]
    if len(dated) < 2 or dated not in (sorted(dated), sorted(dated, reverse=True)):
        return starts
    descending = dated[0] > dated[-1]
    first, last = min(dated), max(dated)
    periods = []
    for start in _periods(first, bucket):
        if start > last or len(periods) == MAX_ROWS:
            break
        periods.append(start)
    if periods[-1] != last:
        return starts
    return (periods[::-1] if descending else periods) + [s for s in starts if s is None]


def _periods(first: date, bucket: str):
    step = 0
    while True:
        if bucket in _MONTHS:
            months = first.month - 1 + step * _MONTHS[bucket]
            yield date(first.year + months // 12, months % 12 + 1, 1)
        else:
            yield first + timedelta(days=step * (7 if bucket == "week" else 1))
        step += 1
