"""Benchmark: import 100,000 CSV rows into a plain 10-field entity vs a raw executemany.

Run: ``python tests/bench/bench_import.py [--rows N]``. SQLite in a temp file,
and PostgreSQL when ``METACRM_TEST_DATABASE_URL`` is set (scratch schema,
dropped afterwards). The baseline inserts the same rows, already typed, with
one ``conn.execute(insert(table), rows)``; the import also reads and parses
the CSV, coerces and validates every cell, numbers and stamps the rows and
writes a history entry per record. Prints rows/s and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time

from datetime import datetime
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from builder.publish import publish
from runtime.records.importing import import_file
from runtime.records.registry import SchemaRegistry
from runtime.storage.engine import make_engine
from runtime.storage.system import history
from runtime.storage.system import upgrade
from tests.pg_scratch import scratch_schema_url
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

NOW = datetime(2026, 3, 14, 9, 30)
FIELDS = [f("name", required=True), f("email", "email"), f("phone", "phone"), f("city"),
          f("seats", "integer"), f("amount", "currency", precision=2), f("born", "date"),
          f("stage", "select", options=[{"value": "new"}, {"value": "won"}]), f("vip", "boolean"),
          f("seen_at", "datetime")]
HEADER = [x["name"] for x in FIELDS]

def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            out.writerow([f"Person {i}", f"p{i}@example.com", f"+49 30 {i:07d}", "Berlin", i % 50,
                          f"{i}.25", "1990-05-17", "won" if i % 3 else "new", "yes" if i % 2 else "no",
                          "2026-01-02T03:04:05Z"])

def run(url: str, rows: int, path: Path) -> tuple[float, float]:
    engine = make_engine(url)
    upgrade(engine)
    publish(engine, make_app("bench", make_entity("person", FIELDS)))
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    table = registry.table("bench", "person")
    started = time.perf_counter()
    with engine.begin() as conn:
        report = import_file(conn, registry, "bench", "person", path, now=NOW)
    imported = time.perf_counter() - started
    assert report["created"] == rows, report
    # Baseline: the same rows already typed (taken from the import), one executemany.
    with engine.connect() as conn:
        typed = [dict(r._mapping) for r in conn.execute(table.select().order_by(table.c.id))]
    for r in typed:
        r.pop("id")
    with engine.begin() as conn:
        conn.execute(delete(history))
        conn.execute(delete(table))
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(table), typed)
    raw = time.perf_counter() - started
    engine.dispose()
    return imported, raw

def report(name: str, rows: int, imported: float, raw: float) -> None:
    print(f"{name:10} import {rows / imported:>9,.0f} rows/s ({imported:.2f} s)   "
          f"raw executemany {rows / raw:>9,.0f} rows/s ({raw:.2f} s)   ratio {raw / imported:.2f}")

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        write_csv(path, args.rows)
        report("sqlite", args.rows, *run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.rows, path))
        pg = os.environ.get("METACRM_TEST_DATABASE_URL")
        if pg:
            with scratch_schema_url(pg, "bench") as url:
                report("postgresql", args.rows, *run(url, args.rows, path))

if __name__ == "__main__":
    main()
