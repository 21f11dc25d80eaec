"""Benchmark the record layer against hand-written Flask + SQLAlchemy Core doing the same SQL.

Run: ``python tests/bench/bench_records.py [--rows N] [--requests N] [--import-rows N] [--pg-rows N]
[--pages N] [--backends sqlite,postgresql]``.
Always on a temp SQLite file; on PostgreSQL too when ``METACRM_TEST_DATABASE_URL``
is set (scratch schema, dropped afterwards). Both sides go through Flask's
test client in the same process, so the ratio compares the frameworks'
work, not network noise. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask import jsonify
from flask import request
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from apps.config import Settings  # noqa: E402
from apps.web import create_app  # noqa: E402
from builder.publish import publish  # noqa: E402
from runtime.records.importing import import_file  # noqa: E402
from runtime.records.registry import SchemaRegistry  # noqa: E402
from runtime.security.tokens import create_token  # noqa: E402
from runtime.security.users import create_user  # noqa: E402
from runtime.storage.engine import make_engine  # noqa: E402
from runtime.storage.system import api_tokens  # noqa: E402
from runtime.storage.system import history  # noqa: E402
from runtime.storage.system import users  # noqa: E402
from runtime.storage.system import upgrade  # noqa: E402
from tests.factories import make_app  # noqa: E402
from tests.factories import make_entity  # noqa: E402
from tests.factories import make_field as f  # noqa: E402
from tests.pg_scratch import scratch_schema_url  # noqa: E402

STAGES = [{"value": v} for v in ("new", "qualify", "proposal", "won", "lost")]
DEAL_FIELDS = [
    f("name", required=True, max_length=200), f("stage", "select", options=STAGES, default="new"),
    f("amount", "currency"), f("probability", "percent"),
    f("weighted", "formula", expression="amount * probability / 100", result="currency"),
    f("close_date", "date"), f("region", max_length=80), f("source", "select", options=STAGES),
    f("email", "email"), f("phone", "phone"), f("website", "url"), f("notes", "textarea"),
    f("priority", "integer"), f("score", "rating"), f("is_hot", "boolean"), f("closed_at", "datetime"),
    f("discount", "decimal", precision=4), f("tags", "multiselect", options=STAGES),
    f("lines", "table", target="deal_line"),
    f("total", "rollup", source="lines", field="subtotal", function="sum"),
]
LINE_FIELDS = [f("product"), f("qty", "integer"), f("subtotal", "currency")]
BENCH_APP = make_app(
    "bench",
    make_entity("deal", DEAL_FIELDS, indexes=[["stage", "amount"], ["amount"]]),
    make_entity("deal_line", LINE_FIELDS),
)
FILL = {
    "sqlite": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
              "INSERT INTO bench__deal (version, created_at, updated_at, name, stage, amount, probability, region) "
              "SELECT 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'Deal ' || i, "
              "CASE i % 5 WHEN 0 THEN 'won' WHEN 1 THEN 'new' WHEN 2 THEN 'qualify' WHEN 3 THEN 'proposal' "
              "ELSE 'lost' END, (i * 7919 % 1000000) * 100, (i % 100) * 100, 'R' || (i % 20) FROM s",
    "postgresql": "INSERT INTO bench__deal (version, created_at, updated_at, name, stage, amount, probability, "
                  "region) SELECT 1, now(), now(), 'Deal ' || i, (ARRAY['won','new','qualify','proposal','lost'])"
                  "[i % 5 + 1], (i::bigint * 7919 % 1000000), i % 100, 'R' || (i % 20) "
                  "FROM generate_series(1, :n) AS i",
}
NEW_DEAL = {
    "name": "Bench deal", "stage": "proposal", "amount": "12500.50", "probability": "40", "close_date": "2026-12-31",
    "region": "North", "source": "new", "email": "buyer@example.com", "phone": "+86 10 1234 5678",
    "website": "https://example.com", "notes": "Bring the <b>proposal</b>", "priority": 2, "score": 4,
    "is_hot": True, "closed_at": "2026-11-23T10:00:00Z", "discount": "0.0750", "tags": ["won", "new"],
    "lines": [{"product": "Seats", "qty": 10, "subtotal": "9000.00"}, {"product": "Support", "qty": 1,
                                                                         "subtotal": "3500.50"}],
}


def hand_written_app(engine, tables) -> Flask:
    """The baseline: the same SQL written by hand, no metadata layer.

    Create does what the product's create must: the row, its child rows, the
    rollup, one history row and the read-back with the formula.
    """
    deal, line = tables["bench.deal"], tables["bench.deal_line"]
    weighted = (deal.c.amount * deal.c.probability / 100).label("weighted")
    app = Flask("baseline")

    def bearer_ok(conn) -> bool:
        """What any real API does first: look the Bearer token up (sha256, one indexed SELECT
        joined to its user) on the request's connection. No header: skipped, so the bare
        endpoint stays measurable too."""
        header = request.headers.get("Authorization")
        if header is None:
            return True
        digest = hashlib.sha256(header.removeprefix("Bearer ").encode()).hexdigest()
        query = (select(users.c.id).join(api_tokens, api_tokens.c.user_id == users.c.id)
                 .where(api_tokens.c.token_hash == digest, api_tokens.c.revoked_at.is_(None),
                        users.c.is_active.is_(True)))
        return conn.execute(query).first() is not None
        digest = hashlib.sha256(header.removeprefix("Bearer ").encode()).hexdigest()
        query = (select(users.c.id).join(api_tokens, api_tokens.c.user_id == users.c.id)
                 .where(api_tokens.c.token_hash == digest, api_tokens.c.revoked_at.is_(None),
                        users.c.is_active.is_(True)))
        with engine.connect() as conn:
            if conn.execute(query).first() is None:
                return jsonify({"error": "invalid_token"}), 401
        return None

    def as_json(row) -> dict:
        return {k: (str(v) if isinstance(v, (Decimal, date, datetime)) else v) for k, v in row.items()}

    @app.get("/deals")
    def list_deals():
        query = (select(deal, weighted).where(deal.c.stage == request.args["stage"], deal.c.deleted_at.is_(None))
                 .order_by(deal.c.amount.desc(), deal.c.id.desc()).limit(int(request.args.get("limit", 50)) + 1))
        with engine.connect() as conn:
            if not bearer_ok(conn):
                return jsonify({"error": "invalid_token"}), 401
            rows = [as_json(r) for r in conn.execute(query).mappings()]
        return jsonify({"data": rows[:50], "next_cursor": "x" if len(rows) > 50 else None})

    @app.post("/deals")
    def create_deal():
        body = request.get_json()["data"]
        now = datetime.utcnow()
        values = {k: body[k] for k in ("name", "stage", "region", "source", "email", "phone", "website", "notes",
                                       "priority", "score", "is_hot", "tags")}
        values.update(amount=Decimal(body["amount"]), probability=Decimal(body["probability"]),
                      discount=Decimal(body["discount"]), close_date=date.fromisoformat(body["close_date"]),
                      closed_at=datetime.fromisoformat(body["closed_at"].replace("Z", "")),
                      version=1, created_at=now, updated_at=now)
        with engine.begin() as conn:
            deal_id = conn.execute(insert(deal).values(**values)).inserted_primary_key[0]
            conn.execute(insert(line), [{"parent_id": deal_id, "row_order": i, "product": x["product"],
                                         "qty": x["qty"], "subtotal": Decimal(x["subtotal"]), "version": 1,
                                         "created_at": now, "updated_at": now} for i, x in enumerate(body["lines"])])
            total = select(func.sum(line.c.subtotal)).where(line.c.parent_id == deal_id).scalar_subquery()
            conn.execute(update(deal).where(deal.c.id == deal_id).values(total=total))
            conn.execute(insert(history).values(  # the same audit row the product writes
                app="bench", entity="deal", record_id=deal_id, action="create", at=now,
                changes={k: [None, as_json({k: v})[k]] for k, v in values.items()}))
            row = conn.execute(select(deal, weighted).where(deal.c.id == deal_id)).mappings().one()
            lines = conn.execute(select(line).where(line.c.parent_id == deal_id)).mappings().all()
        return jsonify({"data": {**as_json(row), "lines": [as_json(x) for x in lines]}}), 201

    return app


def requests_per_second(call, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return n / (time.perf_counter() - start)


def paired_rates(ours, theirs, n: int, rounds: int = 8) -> tuple[float, float]:
    """Requests per second of both sides, measured in alternating rounds (median of each side):
    a change in the machine's load during the run then hits both alike instead of one."""
    for _ in range(max(5, n // 10)):  # warm up
        ours(), theirs()
    per = max(1, n // rounds)
    mine, hand = [], []
    for _ in range(rounds):
        mine.append(requests_per_second(ours, per))
        hand.append(requests_per_second(theirs, per))
    return statistics.median(mine), statistics.median(hand)


def check(response, status: int):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    return response


def setup(url: str, rows: int, tmp: Path):
    engine = make_engine(url)
    upgrade(engine)
    publish(engine, BENCH_APP)
    with engine.begin() as conn:
        conn.execute(text(FILL[engine.dialect.name]), {"n": rows})
        conn.execute(text("ANALYZE bench__deal"))  # statistics as a table in use has them
        user_id = create_user(conn, "bench@example.com", "bench-password-1", is_admin=True)
        token = create_token(conn, user_id, "bench", "write")
    settings = Settings(database_url=url, instance_dir=tmp / "instance", secret_key="bench", files_dir=tmp / "files")
    app = create_app(settings)
    with engine.connect() as conn:
        tables = SchemaRegistry.from_connection(conn).tables
    return engine, app, token, hand_written_app(engine, tables), user_id


def bench_list_and_create(label: str, engine, app, token, baseline, requests: int) -> None:
    ours, theirs = app.test_client(), baseline.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    def ours_list():
        return check(ours.get("/api/v1/bench/deal?where=stage%20%3D%3D%20%27won%27&order=-amount&limit=50",
                              headers=headers), 200)

    for what, baseline_headers in (("no auth", {}), ("token check", headers)):
        generated, hand = paired_rates(
            ours_list,
            lambda h=baseline_headers: check(theirs.get("/deals?stage=won&limit=50", headers=h), 200),
            requests)
        print(f"{label:10s} list filter+sort  generated {generated:7.0f} req/s  hand-written "
              f"({what}) {hand:7.0f} req/s  ratio {generated / hand:.2f} (target >= 0.7)")
    generated, hand = paired_rates(
        lambda: check(ours.post("/api/v1/bench/deal", json={"data": NEW_DEAL}, headers=headers), 201),
        lambda: check(theirs.post("/deals", json={"data": NEW_DEAL}), 201), max(50, requests // 4))
    print(f"{label:10s} create 20 fields  generated {generated:7.0f} req/s  hand-written {hand:7.0f} req/s  "
          f"ratio {generated / hand:.2f} (target >= 0.5)")


def bench_import(label: str, engine, user_id: int, n: int, tmp: Path) -> None:
    path = tmp / "deals.csv"
    columns = ["name", "stage", "amount", "probability", "close_date", "region", "email", "priority", "is_hot"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(n):
            writer.writerow([f"Imported {i}", "new", f"{i}.25", "30", "2026-06-30", f"R{i % 9}",
                             f"u{i}@example.com", i % 5, "yes" if i % 2 else "no"])
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    start = time.perf_counter()
    with engine.begin() as conn:
        report = import_file(conn, registry, "bench", "deal", path, user_id=user_id)
    generated = time.perf_counter() - start
    assert report["created"] == n, report

    deal = registry.table("bench", "deal")
    start = time.perf_counter()
    with engine.begin() as conn, path.open(newline="") as handle:
        now = datetime.utcnow()
        batch = []
        for row in csv.DictReader(handle):
            batch.append({"name": row["name"], "stage": row["stage"], "amount": Decimal(row["amount"]),
                          "probability": Decimal(row["probability"]),
                          "close_date": date.fromisoformat(row["close_date"]), "region": row["region"],
                          "email": row["email"], "priority": int(row["priority"]), "is_hot": row["is_hot"] == "yes",
                          "version": 1, "created_at": now, "updated_at": now})
            if len(batch) == 1000:
                conn.execute(insert(deal), batch)
                batch = []
        if batch:
            conn.execute(insert(deal), batch)
    hand = time.perf_counter() - start
    print(f"{label:10s} import {n:,} CSV rows  generated {n / generated:8.0f} rows/s  raw executemany "
          f"{n / hand:8.0f} rows/s  ratio {hand / generated:.2f} (target >= 0.5; >= 20,000 rows/s on SQLite)")


def bench_keyset_p95(label: str, app, token, pages: int) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    timings, cursor = [], None
    for _ in range(pages):
        url = "/api/v1/bench/deal?order=-amount&limit=50" + (f"&cursor={cursor}" if cursor else "")
        start = time.perf_counter()
        body = check(client.get(url, headers=headers), 200).get_json()
        timings.append((time.perf_counter() - start) * 1000)
        cursor = body["next_cursor"]
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{label:10s} keyset page (50 rows, order -amount) over {pages} pages: "
          f"median {statistics.median(timings):.1f} ms  p95 {p95:.1f} ms (target < 25 ms)")


def run(label: str, url: str, args, keyset_rows: int | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = keyset_rows or args.rows
        engine, app, token, baseline, user_id = setup(url, rows, Path(tmp))
        print(f"{label:10s} table rows: {rows:,}")
        if keyset_rows:
            bench_keyset_p95(label, app, token, args.pages)
        bench_list_and_create(label, engine, app, token, baseline, args.requests)
        bench_import(label, engine, user_id, args.import_rows, Path(tmp))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if "sqlite" in args.backends:
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", f"sqlite:///{tmp}/bench.db", args)
    pg = os.environ.get("METACRM_TEST_DATABASE_URL")
    if pg and "postgresql" in args.backends:
        with scratch_schema_url(pg, "bench") as url:
            run("postgresql", url, args, keyset_rows=args.pg_rows)


if __name__ == "__main__":
    main()
