"""Benchmark: peak Python memory of a CSV (and XLSX) export of 1,000,000 records.

Run: ``python tests/bench/bench_export_memory.py [--rows N] [--xlsx]``. Fills a
temp SQLite table with SQL (fast), then streams the export into a sink and
reports the ``tracemalloc`` peak, which must not grow with the row count.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from builder.publish import publish  # noqa: E402
from runtime.records.exporting import export_csv  # noqa: E402
from runtime.records.exporting import export_xlsx  # noqa: E402
from runtime.records.registry import SchemaRegistry  # noqa: E402
from runtime.storage.engine import make_engine  # noqa: E402
from runtime.storage.system import upgrade  # noqa: E402
from tests.factories import make_app  # noqa: E402
from tests.factories import make_entity  # noqa: E402
from tests.factories import make_field as f  # noqa: E402

FIELDS = [f("name"), f("email", "email"), f("amount", "currency", precision=2), f("born", "date"),
          f("stage", "select", options=[{"value": "new"}, {"value": "won"}]), f("vip", "boolean")]
FILL = ("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
        "INSERT INTO {t} (version, created_at, updated_at, name, email, amount, born, stage, vip) "
        "SELECT 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'Person ' || i, 'p' || i || '@example.com', "
        "i * 100 + 25, '1990-05-17', CASE WHEN i % 3 = 0 THEN 'won' ELSE 'new' END, i % 2 FROM s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        publish(engine, make_app("bench", make_entity("person", FIELDS)))
        with engine.begin() as conn:
            registry = SchemaRegistry.from_connection(conn)
            conn.execute(text(FILL.format(t=registry.table("bench", "person").name)), {"n": args.rows})
        tracemalloc.start()
        started = time.perf_counter()
        with engine.connect() as conn:
            if args.xlsx:
                rows = export_xlsx(conn, registry, "bench", "person", Path(tmp) / "out.xlsx")
                size = (Path(tmp) / "out.xlsx").stat().st_size
            else:
                size = sum(len(chunk) for chunk in export_csv(conn, registry, "bench", "person"))
                rows = args.rows
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        kind = "xlsx" if args.xlsx else "csv"
        print(f"{kind}: {rows:,} rows, {size / 1e6:,.1f} MB written in {seconds:.1f} s "
              f"({rows / seconds:,.0f} rows/s); tracemalloc peak {peak / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
