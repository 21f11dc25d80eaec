"""Create the one SQLAlchemy engine a process uses.

SQLite needs two fixes to behave like a real database here: foreign keys are
off by default, and the pysqlite driver does not open a transaction before
DDL, so a failed publish could leave half a migration behind. The ``begin``
hook below makes every ``engine.begin()`` a real ``BEGIN`` so DDL and data
changes commit or roll back together, as they do on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import make_url


READ_ONLY = "metacrm_read_only"


def read_only(conn):
    """Mark a connection that will only read: on SQLite its transactions take no write lock
    (in WAL mode readers and the one writer then never wait for each other)."""
    return conn.execution_options(**{READ_ONLY: True})


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front, so two writers never deadlock on an
        # upgrade; read-only connections ask for DEFERRED (see ``read_only``).
        conn.exec_driver_sql("BEGIN DEFERRED" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    return engine
