"""How group values read on a chart: option labels, link titles, user names, date periods.

Worked out once per report for all its rows (one query per linked entity,
like list screens), never per value. A linked record the reader may not
read shows as ``#id``, so a title never leaks through a report.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Connection

from runtime.metadata.model import label_of
from runtime.metadata.model import pick_label
from runtime.records.titles import linked_titles
from runtime.records.titles import user_names
from runtime.reports.fields import Used
from runtime.reports.words import EMPTY
from runtime.reports.words import NO
from runtime.reports.words import YES

__all__ = ["group_labels", "period_label"]


def group_labels(conn: Connection, records, groups: list[Used], rows: list[dict],
                 language: str) -> list[dict]:
    """For each group, ``{value: text}`` covering every value found in ``rows``."""
    found = []
    for used in groups:
        values = {row[used.part.field] for row in rows}
        names = _names(conn, records, used, values - {None}, language)
        found.append({v: pick_label(EMPTY, language) if v is None else names.get(v, _plain(v, used))
                      for v in values})
    return found


def _names(conn: Connection, records, used: Used, values: set, language: str) -> dict:
    kind, shown = used.field.kind, used.field.shown
    if kind == "choice":
        return {o.get("value"): pick_label(label_of(o.get("label"), str(o.get("value"))), language)
                for o in shown.opt("options", ())}
    if kind == "boolean":
        return {True: pick_label(YES, language), False: pick_label(NO, language)}
    if kind == "user":
        return user_names(conn, values)
    if kind == "link" and values:
        target, table = records.registry.target(used.field.scope.entity, shown.opt("target"))
        return linked_titles(conn, target, table, values, records.title_scope(conn)(target, table))
    return {}


def _plain(value, used: Used) -> str:
    if used.part.bucket:
        return period_label(value, used.part.bucket)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if used.field.kind in ("link", "user"):
        return f"#{value}"
    return str(value)


def period_label(start: date, bucket: str) -> str:
    """``2026-03-02`` as its period: a day, ``2026-W10``, ``2026-03``, ``2026 Q1``, ``2026``."""
    if bucket == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return f"{start.year}-{start.month:02d}"
    if bucket == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if bucket == "year":
        return str(start.year)
    return start.isoformat()
