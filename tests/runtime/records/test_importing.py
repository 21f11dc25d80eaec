"""CSV/XLSX import: column mapping, coercion, per-row errors, modes, upsert, encodings, history."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy import select

from runtime.errors import BadInput
from runtime.errors import ValidationFailed
from runtime.records.importing import import_file
from runtime.records.service import RecordService
from runtime.storage.system import history
from tests.runtime.records.contacts_app import NOW
from tests.runtime.records.contacts_app import publish_crm


@pytest.fixture
def crm(engine):
    return engine, publish_crm(engine)


def write(tmp_path, text: str, encoding="utf-8", name="in.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(crm, path, entity="contact", **options):
    engine, registry = crm
    with engine.begin() as conn:
        return import_file(conn, registry, "crm", entity, path, user_id=1, now=NOW, **options)


def contacts(crm) -> list[dict]:
    engine, registry = crm
    table = registry.table("crm", "contact")
    with engine.connect() as conn:
        ids = conn.execute(select(table.c.id).order_by(table.c.id)).scalars().all()
        service = RecordService(registry, clock=lambda: NOW)
        return [service.get(conn, "crm", "contact", i) for i in ids]


def test_maps_columns_by_zh_label_en_label_and_name(crm, tmp_path):
    path = write(tmp_path, "姓名, e-MAIL ,Amount,生日,STAGE,重要,tags,junk\n"
                           "张三,zs@example.cn,1234.5,1990-05-17,won,是,\"hot, cold\",x\n")
    report = run(crm, path)
    assert report["created"] == 1 and report["errors"] == []
    assert report["columns"] == {"姓名": "name", "e-MAIL": "email", "Amount": "amount", "生日": "born",
                                 "STAGE": "stage", "重要": "vip", "tags": "tags"}
    assert report["unknown_columns"] == ["junk"]
    [c] = contacts(crm)
    assert (c["name"], c["email"], c["amount"], c["born"], c["stage"], c["vip"], c["tags"]) == (
        "张三", "zs@example.cn", "1234.50", "1990-05-17", "won", True, ["hot", "cold"])
    assert c["code"] == "C-0001" and c["owner"] == 1 and c["doubled"] == "2469.00"


def test_defaults_apply_to_blank_cells(crm, tmp_path):
    run(crm, write(tmp_path, "name,stage\nAnn,\n"))
    assert contacts(crm)[0]["stage"] == "new"


def test_all_or_nothing_writes_nothing_and_lists_every_error_with_row_numbers(crm, tmp_path):
    path = write(tmp_path, "name,email,amount,seats\nAnn,a@x.io,1,2\n,b@x.io,2,3\nCid,not-an-email,x,-1\nDan,,,\n")
    with pytest.raises(ValidationFailed) as caught:
        run(crm, path)
    errors = caught.value.details["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(3, "name"), (4, "email"), (4, "amount"), (4, "seats")}
    assert next(e for e in errors if e["field"] == "amount") == {
        "row": 4, "field": "amount", "column": "amount", "message": "expected a number"}
    assert caught.value.details["bad_rows"] == 2
    assert contacts(crm) == []


def test_skip_bad_rows_writes_the_good_ones(crm, tmp_path):
    path = write(tmp_path, "name,email\nAnn,a@x.io\nBob,bad\nCid,c@x.io\n")
    report = run(crm, path, mode="skip_bad_rows")
    assert (report["created"], report["bad_rows"]) == (2, 1)
    assert report["errors"] == [{"row": 3, "field": "email", "column": "email",
                                 "message": "not a valid email address"}]
    assert [c["name"] for c in contacts(crm)] == ["Ann", "Cid"]
    assert [c["code"] for c in contacts(crm)] == ["C-0001", "C-0002"]


def test_unique_values_checked_against_the_table_and_the_file(crm, tmp_path):
    run(crm, write(tmp_path, "name,email\nAnn,a@x.io\n"))
    path = write(tmp_path, "name,email\nA2,a@x.io\nBob,b@x.io\nBob2,b@x.io\n", name="two.csv")
    report = run(crm, path, mode="skip_bad_rows")
    assert [(e["row"], e["message"]) for e in report["errors"]] == [
        (2, "already used by another record"), (4, "same value as row 3")]


def test_links_and_blank_lines_and_row_numbers(crm, tmp_path):
    engine, registry = crm
    with engine.begin() as conn:
        company = RecordService(registry, clock=lambda: NOW).create(conn, "crm", "company", {"name": "Acme"}, 1)
    path = write(tmp_path, f"name,company\nAnn,{company['id']}\n\nBob,999\n")
    report = run(crm, path, mode="skip_bad_rows")
    assert report["errors"] == [{"row": 4, "field": "company", "column": "company",
                                 "message": "no record 999 to link to"}]
    assert contacts(crm)[0]["company"] == company["id"]


def test_upsert_updates_by_key_and_creates_the_rest(crm, tmp_path):
    run(crm, write(tmp_path, "name,email,amount\nAnn,a@x.io,1\nBob,b@x.io,2\n"))
    path = write(tmp_path, "email,amount,name\na@x.io,10,Ann\nc@x.io,3,Cid\na@x.io,11,Ann\n", name="u.csv")
    with pytest.raises(ValidationFailed) as caught:  # the key twice in one file
        run(crm, path, mode="upsert", upsert_on="email")
    assert caught.value.details["errors"][0]["row"] == 4
    path = write(tmp_path, "email,amount,name\na@x.io,10,Ann\nc@x.io,3,Cid\n", name="u2.csv")
    report = run(crm, path, mode="upsert", upsert_on="email")
    assert (report["created"], report["updated"]) == (1, 1)
    rows = {c["email"]: c for c in contacts(crm)}
    assert rows["a@x.io"]["amount"] == "10.00" and rows["a@x.io"]["version"] == 2
    assert rows["b@x.io"]["amount"] == "2.00" and rows["c@x.io"]["code"] == "C-0003"


def test_upsert_needs_a_unique_key(crm, tmp_path):
    with pytest.raises(BadInput, match="unique"):
        run(crm, write(tmp_path, "name\nAnn\n"), mode="upsert", upsert_on="name")


def test_gbk_csv_from_chinese_excel(crm, tmp_path):
    path = write(tmp_path, "姓名,邮箱\n李四,ls@example.cn\n王五,ww@example.cn\n", encoding="gbk")
    assert run(crm, path)["created"] == 2
    assert [c["name"] for c in contacts(crm)] == ["李四", "王五"]


def test_utf8_bom_and_semicolons(crm, tmp_path):
    path = write(tmp_path, "name;amount\nAnn;3\n", encoding="utf-8-sig")
    assert run(crm, path)["created"] == 1 and contacts(crm)[0]["amount"] == "3.00"


def test_explicit_mapping_is_strict(crm, tmp_path):
    path = write(tmp_path, "Who,Money,Other\nAnn,5,x\n")
    report = run(crm, path, mapping={"Who": "name", "Money": "amount", "Other": None})
    assert report["created"] == 1 and report["ignored_columns"] == ["Other"]
    with pytest.raises(BadInput) as caught:
        run(crm, path, mapping={"Who": "name", "Nope": "amount", "Money": "doubled"})
    assert len(caught.value.details) == 2


def test_xlsx_rows_keep_sheet_row_numbers(crm, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "金额", "生日"])
    sheet.append(["Ann", 12.5, NOW])
    sheet.append([None, None, None])
    sheet.append(["Bob", "lots", None])
    book.save(tmp_path / "in.xlsx")
    report = run(crm, tmp_path / "in.xlsx", mode="skip_bad_rows")
    assert report["errors"] == [{"row": 4, "field": "amount", "column": "金额", "message": "expected a number"}]
    [ann] = contacts(crm)
    assert ann["amount"] == "12.50" and ann["born"] == "2026-03-14"


def test_fifty_rows_write_history_like_the_service(crm, tmp_path):
    lines = "\n".join(f"P{i},p{i}@x.io,{i}.5" for i in range(50))
    assert run(crm, write(tmp_path, "name,email,amount\n" + lines + "\n"))["created"] == 50
    engine, registry = crm
    records = contacts(crm)
    seventh = records[7]["id"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(history)).scalar_one() == 1  # one for the batch
        every = [RecordService(registry).history(conn, "crm", "contact", r["id"]) for r in records]
        entries = RecordService(registry).history(conn, "crm", "contact", seventh)
    assert [[(e["action"], e["changes"]["name"][1]) for e in h] for h in every] == \
           [[("create", f"P{i}")] for i in range(50)]
    assert [e["action"] for e in entries] == ["create"]
    assert entries[0]["changes"] == {"name": [None, "P7"], "email": [None, "p7@x.io"], "amount": [None, "7.50"],
                                     "stage": [None, "new"], "owner": [None, 1], "code": [None, "C-0008"]}


def test_batched_path_matches_the_record_service(crm, tmp_path):
    """The same data through ``RecordService.create`` gives the same record and history."""
    engine, registry = crm
    run(crm, write(tmp_path, "name,email,amount,born,vip,tags,spot\n"
                             "Ann,a@x.io,1.005,2001-01-02,no,hot,\"{\"\"lat\"\": 1, \"\"lng\"\": 2}\"\n"))
    service = RecordService(registry, clock=lambda: NOW)
    with engine.begin() as conn:
        made = service.create(conn, "crm", "contact", {"name": "Ann", "email": "b@x.io", "amount": "1.005",
                                                      "born": "2001-01-02", "vip": "no", "tags": "hot",
                                                      "spot": {"lat": 1, "lng": 2}}, 1)
    imported, created = contacts(crm)
    assert created == made
    strip = {"id", "email", "code"}
    assert {k: v for k, v in imported.items() if k not in strip} == {k: v for k, v in made.items() if k not in strip}
    with engine.connect() as conn:
        a, b = (service.history(conn, "crm", "contact", c["id"]) for c in (imported, created))
    drop = ("email", "code")
    assert [{k: v for k, v in e["changes"].items() if k not in drop} for e in a] == \
           [{k: v for k, v in e["changes"].items() if k not in drop} for e in b]


def test_rules_are_judged_per_row_and_bad_rows_skipped(engine, tmp_path):
    from builder.publish import publish
    from runtime.records.registry import SchemaRegistry
    from tests.factories import make_app
    from tests.factories import make_entity
    from tests.factories import make_field as f

    publish(engine, make_app("crm", make_entity("deal", [f("name"), f("amount", "currency")],
                                                rules=[{"when": "amount < 0", "message": "no negatives"}])))
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    path = write(tmp_path, "name,amount\nA,1\nB,-1\n")
    report = run((engine, registry), path, entity="deal", mode="skip_bad_rows")
    assert report["created"] == 1
    assert report["errors"] == [{"row": 3, "field": "_rules", "column": None, "message": "no negatives"}]


def test_parents_with_rollups_import_in_batches_with_empty_totals(engine, tmp_path):
    from builder.publish import publish
    from runtime.records.registry import SchemaRegistry
    from runtime.records.service import RecordService
    from tests.factories import make_app
    from tests.factories import make_entity
    from tests.factories import make_field as f

    publish(engine, make_app("crm", make_entity("deal", [
        f("name"), f("lines", "table", target="line"),
        f("total", "rollup", source="lines", field="amount", function="sum"),
        f("line_count", "rollup", source="lines", function="count"),
        f("biggest", "rollup", source="lines", field="amount", function="max"),
    ]), make_entity("line", [f("amount", "currency")])))
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    report = run((engine, registry), write(tmp_path, "name\nImported\n"), entity="deal")
    assert report["created"] == 1
    service = RecordService(registry, clock=lambda: NOW)
    with engine.begin() as conn:
        by_service = service.create(conn, "crm", "deal", {"name": "By hand"}, user_id=1)
        imported = service.get(conn, "crm", "deal", by_service["id"] - 1)
        histories = [service.history(conn, "crm", "deal", r["id"])[0]["changes"] for r in (imported, by_service)]
    assert (imported["total"], imported["line_count"], imported["biggest"]) == ("0.00", 0, None)
    assert {k: v for k, v in by_service.items() if k not in ("id", "name")} == \
           {k: v for k, v in imported.items() if k not in ("id", "name")}
    assert histories[0].keys() == histories[1].keys()


def test_big_imports_refresh_planner_statistics_on_postgresql(crm, tmp_path, monkeypatch):
    from sqlalchemy import text as sql

    from runtime.records import importing

    engine, _registry = crm
    if engine.dialect.name != "postgresql":
        pytest.skip("ANALYZE after imports is for PostgreSQL's planner")
    monkeypatch.setattr(importing, "ANALYZE_AFTER", 3)
    assert run(crm, write(tmp_path, "name,email\nA,a@x.io\nB,b@x.io\nC,c@x.io\n"))["created"] == 3
    with engine.connect() as conn:
        analyzed = conn.execute(sql(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'crm__contact' "
            "AND schemaname = current_schema()")).scalar()
    assert analyzed is not None



def test_imports_never_reuse_a_generic_plan_on_postgresql(engine, tmp_path):
    """A batch's unique check (``name IN (...500 values)``) is prepared by psycopg after five
    runs; PostgreSQL then switched to a generic plan (a sequential scan comparing every row
    with every parameter) once the table grew in the same transaction: a 55,000-row import
    took three minutes instead of six seconds. Imports now plan each statement for its values."""
    from sqlalchemy import text as sql

    from builder.publish import publish
    from runtime.metadata.loader import load_package
    from runtime.records.registry import SchemaRegistry
    from tests.runtime.metadata.fixtures_meta import SAMPLE_APP

    if engine.dialect.name != "postgresql":
        pytest.skip("plan caching of prepared statements is PostgreSQL's")
    publish(engine, load_package(str(SAMPLE_APP)).source)
    padding = "x" * 180  # the shape of the sheet that showed it: generic plans after ~20,000 rows
    rows = "".join(f"Company {i:06d} {padding},Lyon\n" for i in range(30_000))
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        report = import_file(conn, registry, "sample_sales", "account",
                             write(tmp_path, "Name,City\n" + rows), user_id=1, now=NOW)
        generic = conn.execute(sql(
            "SELECT coalesce(sum(generic_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE '%IN (%'")).scalar()
    assert report["created"] == 30_000
    assert generic == 0
