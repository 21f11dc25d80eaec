"""Database identifiers for generated objects, always within PostgreSQL's 63 bytes.

Names from metadata are validated (``^[a-z][a-z0-9_]{0,39}$``) before they get
here; these functions only compose them and shorten long results with a
stable hash so the same metadata always maps to the same identifiers.
"""

from __future__ import annotations

import hashlib

MAX_IDENTIFIER = 63


def short_name(name: str, limit: int = MAX_IDENTIFIER) -> str:
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}_{digest}"


def table_name(app: str, entity: str) -> str:
    """``crm_sales`` + ``opportunity`` -> ``crm_sales__opportunity``."""
    return short_name(f"{app}__{entity}")


def index_name(table: str, columns: tuple[str, ...], unique: bool = False) -> str:
    return short_name(f"{'uq' if unique else 'ix'}_{table}_{'_'.join(columns)}")


def search_index_name(table: str, column: str) -> str:
    """The trigram (PostgreSQL) search index of one text column."""
    return short_name(f"ix_{table}_{column}_trgm")


def fk_name(table: str, column: str) -> str:
    return short_name(f"fk_{table}_{column}")


def archived_name(name: str, version: int) -> str:
    """Name a removed column or table keeps while archived: ``_x7_amount``."""
    return short_name(f"_x{version}_{name}")
