"""A throwaway PostgreSQL schema per test or benchmark, so runs never share tables."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg.errors import DeadlockDetected
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from runtime.storage.engine import make_engine


@contextmanager
def scratch_schema_url(pg_url: str, prefix: str = "t") -> Iterator[str]:
    """``pg_url`` pointed (via ``search_path``) at a new schema, dropped with everything in it afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        _drop_schema(admin, schema)
        admin.dispose()


def _drop_schema(admin, schema: str, attempts: int = 5) -> None:
    """``DROP SCHEMA … CASCADE``, tried again when PostgreSQL picks it as a deadlock's victim.

    A test's own background work (a live server's thread, a job run after
    commit) can still be finishing a query on the schema's tables while it
    is dropped; PostgreSQL then aborts one side, and the drop simply waits
    its turn and goes again.
    """
    for attempt in range(attempts):
        try:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            return
        except OperationalError as error:
            if not isinstance(error.orig, DeadlockDetected) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
