"""Benchmark: publish "add a field" on a 1,000,000-row entity vs a hand-written ALTER TABLE.

Run: ``python tests/bench/bench_publish_add_field.py [--rows N]``. Uses a temp
SQLite file, and PostgreSQL too when ``METACRM_TEST_DATABASE_URL`` is set (in
a scratch schema that is dropped afterwards). Prints seconds and the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from builder.publish import publish  # noqa: E402
from runtime.storage.engine import make_engine  # noqa: E402
from runtime.storage.system import upgrade  # noqa: E402
from tests.factories import evolve  # noqa: E402
from tests.pg_scratch import scratch_schema_url  # noqa: E402
from tests.factories import make_app  # noqa: E402
from tests.factories import make_entity  # noqa: E402
from tests.factories import make_field  # noqa: E402

FIELDS = [make_field("name"), make_field("amount", "currency"), make_field("stage", "select",
          options=[{"value": "new"}, {"value": "won"}])]
FILL = {
    "sqlite": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
              "INSERT INTO {t} (version, created_at, updated_at, name, amount, stage) "
              "SELECT 1, '2026-01-01', '2026-01-01', 'Deal ' || i, i * 100, 'new' FROM s",
    "postgresql": "INSERT INTO {t} (version, created_at, updated_at, name, amount, stage) "
                  "SELECT 1, now(), now(), 'Deal ' || i, i, 'new' FROM generate_series(1, :n) AS i",
}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(url: str, rows: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    v1 = make_app("bench", make_entity("deal", FIELDS))
    publish(engine, v1)
    with engine.begin() as conn:
        conn.execute(text(FILL[engine.dialect.name].format(t="bench__deal")), {"n": rows})
        conn.execute(text("CREATE TABLE baseline_deal AS SELECT * FROM bench__deal"))
    v2 = evolve(v1, "deal", FIELDS + [make_field("region", max_length=80)], version="1.1.0")

    generated = timed(lambda: publish(engine, v2))

    def hand_written():
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE baseline_deal ADD COLUMN region VARCHAR(80)"))

    baseline = timed(hand_written)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM bench__deal")) == rows
    print(f"{engine.dialect.name:10s} rows={rows:>9,}  publish add-field {generated * 1000:8.1f} ms   "
          f"hand-written ALTER {baseline * 1000:8.1f} ms   ratio {generated / baseline:6.1f}x")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", args.rows)
    pg = os.environ.get("METACRM_TEST_DATABASE_URL")
    if pg:
        with scratch_schema_url(pg, "bench") as url:
            run(url, args.rows)


if __name__ == "__main__":
    main()
