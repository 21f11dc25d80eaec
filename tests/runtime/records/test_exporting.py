"""CSV/XLSX export: labels in the header, values in the cells, filters, keyset paging, round trips."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import select

from runtime.records.exporting import export_csv
from runtime.records.exporting import export_file
from runtime.records.importing import import_file
from runtime.records.service import RecordService
from runtime.storage.system import history
from tests.runtime.records.contacts_app import NOW
from tests.runtime.records.contacts_app import publish_crm

ROWS = [
    {"name": "张三", "email": "zs@example.cn", "amount": "1234.56", "born": "1990-05-17", "stage": "won",
     "vip": True, "seats": 3, "tags": ["hot", "cold"], "seen_at": "2026-01-02T03:04:05",
     "spot": {"lat": 31.2, "lng": 121.5}},
    {"name": "=HYPERLINK(\"http://evil\")", "email": "b@x.io", "amount": "0.10", "stage": "new", "vip": False},
    {"name": "Cid", "seats": 0},
]
FIELDS = ("name", "email", "amount", "born", "stage", "vip", "seats", "tags", "seen_at", "spot", "doubled")


@pytest.fixture
def crm(engine):
    registry = publish_crm(engine)
    service = RecordService(registry, clock=lambda: NOW)
    with engine.begin() as conn:
        for row in ROWS:
            service.create(conn, "crm", "contact", row, 1)
    return engine, registry


def csv_rows(crm, **options) -> list[list[str]]:
    engine, registry = crm
    with engine.connect() as conn:
        data = b"".join(export_csv(conn, registry, "crm", "contact", **options))
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_header_in_the_users_language_and_values_not_labels(crm):
    rows = csv_rows(crm, language="zh")
    assert rows[0][:6] == ["ID", "姓名", "邮箱", "金额", "生日", "stage"]
    first = dict(zip(rows[0], rows[1]))
    assert first["姓名"] == "张三" and first["金额"] == "1234.56" and first["stage"] == "won"
    assert first["重要"] == "true" and first["tags"] == "hot, cold" and first["生日"] == "1990-05-17"
    assert first["spot"] == '{"lat": 31.2, "lng": 121.5}' and first["doubled"] == "2469.12"
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\")"  # never a live formula in Excel
    assert len(rows) == 4


def test_where_search_and_order_are_respected(crm):
    assert [r[1] for r in csv_rows(crm, where="amount > 1")[1:]] == ["张三"]
    assert [r[1] for r in csv_rows(crm, search="cid")[1:]] == ["Cid"]
    assert [r[1] for r in csv_rows(crm, order="-name")[1:]][0] == "张三"


def test_export_reads_in_keyset_pages(crm, tmp_path):
    engine, registry = crm
    lines = "\n".join(f"P{i},p{i}@x.io" for i in range(1100))
    (tmp_path / "many.csv").write_text("name,email\n" + lines + "\n")
    with engine.begin() as conn:
        import_file(conn, registry, "crm", "contact", tmp_path / "many.csv", user_id=1, now=NOW)
    table = registry.table("crm", "contact").name
    seen: list[str] = []

    def capture(_conn, _cursor, statement, *_args):
        if table in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        rows = csv_rows(crm)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(rows) == 1 + 1103
    assert len(seen) == 3  # 500 + 500 + 103 rows, one bounded query each
    assert all("LIMIT" in s for s in seen)
    assert all(s.count("?") or s.count("%(") for s in seen[1:])  # later pages start after a key


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_export_then_import_gives_the_same_records(crm, tmp_path, fmt):
    engine, registry = crm
    path = tmp_path / f"out.{fmt}"
    service = RecordService(registry, clock=lambda: NOW)
    with engine.connect() as conn:
        assert export_file(conn, registry, "crm", "contact", path, fmt, language="zh") == 3
        before = [service.get(conn, "crm", "contact", i) for i in (1, 2, 3)]
    table = registry.table("crm", "contact")
    with engine.begin() as conn:
        conn.execute(delete(history))
        conn.execute(delete(table))
    with engine.begin() as conn:
        report = import_file(conn, registry, "crm", "contact", path, user_id=1, now=NOW)
    assert report["created"] == 3 and report["errors"] == []
    assert set(report["ignored_columns"]) == {"ID", "code", "doubled"}
    with engine.connect() as conn:
        ids = conn.execute(select(table.c.id).order_by(table.c.id)).scalars().all()
        after = [service.get(conn, "crm", "contact", i) for i in ids]
    for old, new in zip(before, after):
        assert {k: new[k] for k in FIELDS} == {k: old[k] for k in FIELDS}


def test_xlsx_cells_are_typed_and_text_is_never_a_formula(crm, tmp_path):
    engine, registry = crm
    with engine.connect() as conn:
        export_file(conn, registry, "crm", "contact", tmp_path / "x.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "x.xlsx").active
    head = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(head, sheet[3])}
    assert row["Full name"].data_type == "s" and row["Full name"].value == ROWS[1]["name"]
    first = {h: c.value for h, c in zip(head, sheet[2])}
    assert first["Amount"] == 1234.56 and first["seats"] == 3 and first["Birthday"].year == 1990
