"""Names and labels for fields and entities made from a sheet's headers.

Names must pass ``runtime.metadata.names`` (``^[a-z][a-z0-9_]{0,39}$``, no
reserved words, no system columns) and be unique; the header itself is kept
as the label people read. Headers without Latin letters (Chinese) cannot be
transliterated here, so they become ``field_<column number>``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from runtime.metadata.names import MAX_LENGTH
from runtime.metadata.names import name_problem

__all__ = ["entity_name", "field_names", "has_cjk", "label_for", "slugify"]

CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text or ""))


def label_for(header: str) -> dict[str, str]:
    """A Chinese header labels the zh UI, anything else the English one (the other is filled in by hand)."""
    header = " ".join(str(header).split())[:200] or "?"
    return {"zh": header} if has_cjk(header) else {"en": header}


def slugify(header: str) -> str:
    """``Close Date`` -> ``close_date``, ``dealValue`` -> ``deal_value``; '' when nothing Latin is left."""
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()
    text = re.sub(r"[^a-z0-9]+", "_", text.encode("ascii", "ignore").decode()).strip("_")
    if not re.search(r"[a-z]", text):
        return ""
    if not text[0].isalpha():
        text = f"f_{text}"
    return text[:MAX_LENGTH].rstrip("_")


def field_names(headers: list[str]) -> list[str]:
    """One valid, unique field name per header, in order."""
    taken: set[str] = set()
    names = []
    for position, header in enumerate(headers, start=1):
        base = slugify(header) or f"field_{position}"
        name = _free(base, taken, is_field=True)
        taken.add(name)
        names.append(name)
    return names


def entity_name(filename: str, taken: set[str] = frozenset()) -> str:
    """An entity name from the file's name (``Customers 2026.xlsx`` -> ``customers_2026``)."""
    base = slugify(Path(filename).stem) or "sheet"
    return _free(base, set(taken), is_field=False)


def _free(base: str, taken: set[str], *, is_field: bool) -> str:
    """``base`` itself, or with ``_value`` when reserved, or with ``_2``, ``_3`` … until unique."""
    if name_problem(base, is_field=is_field):
        base = f"{base[:MAX_LENGTH - 6]}_value"
    name, counter = base, 1
    while name in taken or name_problem(name, is_field=is_field):
        counter += 1
        suffix = f"_{counter}"
        name = f"{base[:MAX_LENGTH - len(suffix)]}{suffix}"
    return name
