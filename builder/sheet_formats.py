"""What Excel's number formats say about a column: 45% is stored as 0.45, ¥1,200 as 1200.

The tabular reader yields plain values, so the formats are read separately,
from the first rows of the first sheet only (read-only mode, like the reader).
"""

from __future__ import annotations

from pathlib import Path

from runtime.errors import BadInput
from runtime.records.tabular import XLSX_MAGIC
from runtime.records.tabular import open_workbook

__all__ = ["xlsx_formats"]

ROWS = 200
MONEY_MARKS = ("¥", "￥", "$", "€", "£", "[$")


def xlsx_formats(path: str | Path, rows: int = ROWS) -> dict[int, str]:
    """Column index -> ``"percent"`` or ``"currency"`` when most numeric cells are formatted so."""
    path = Path(path)
    with path.open("rb") as fh:
        if fh.read(4) != XLSX_MAGIC:
            return {}
    try:
        book = open_workbook(path, data_only=False)
    except BadInput:  # the reader reports unreadable files; formats are only a hint
        return {}
    try:
        counts: dict[int, dict[str, int]] = {}
        for row in book.worksheets[0].iter_rows(min_row=2, max_row=rows + 1):
            for index, cell in enumerate(row):
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    kind = _kind(getattr(cell, "number_format", "General") or "General")
                    tally = counts.setdefault(index, {})
                    tally[kind] = tally.get(kind, 0) + 1
    finally:
        book.close()
    return {i: kind for i, tally in counts.items() if (kind := max(tally, key=tally.get)) != "number"}


def _kind(number_format: str) -> str:
    if "%" in number_format:
        return "percent"
    if any(mark in number_format for mark in MONEY_MARKS):
        return "currency"
    return "number"
