"""Guessing an entity from a sheet: types, names, labels, encodings, XLSX, edge cases."""

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from builder.sheet_cells import normalise
from builder.sheet_infer import infer_column
from builder.sheet_infer import propose
from builder.sheet_infer import propose_file
from builder.sheet_names import entity_name
from builder.sheet_names import field_names
from builder.sheet_names import has_cjk
from builder.sheet_names import label_for
from builder.sheet_names import slugify
from runtime.errors import BadInput
from runtime.fieldtypes import get_type
from runtime.metadata.names import is_valid_name
from runtime.metadata.names import name_problem
from runtime.metadata.validate import validate_app
from runtime.records.tabular import Sheet

APP = {"name": "t", "version": "1.0.0"}


def kind(header, values):
    return infer_column(0, header, "x", values).type


@pytest.mark.parametrize(("header", "values", "expected"), [
    ("Qty", ["1", "2", "3", "1,200"], "integer"),
    ("Qty", [1, 2.0, 3], "integer"),
    ("Amount", ["12", "30"], "currency"),
    ("金额", ["12.5", "30"], "currency"),
    ("Total", ["¥1,200.50", "￥300", "45"], "currency"),
    ("Fee", ["$19.99", "€5", "£3.50"], "currency"),
    ("Whatever", ["1,200.50元", "300"], "currency"),
    ("Ratio", ["1.5", "2.25", "3"], "decimal"),
    ("Ratio", [1.5, 2.25], "decimal"),
    ("Share", ["45%", "3.5 %", "100%"], "percent"),
    ("Signed", ["2026-01-31", "2026/1/31", "2026.2.1", "2026年3月4日"], "date"),
    ("Signed", [datetime(2026, 1, 31), date(2026, 2, 1)], "date"),
    ("At", ["2026-01-31 09:30", "2026/2/1 10:00:00", "2026-01-31T09:30:00Z"], "datetime"),
    ("At", [datetime(2026, 1, 31, 9, 30), datetime(2026, 2, 1)], "datetime"),
    ("Active", ["Y", "N", "y"], "boolean"),
    ("Active", ["yes", "No", "TRUE", "false"], "boolean"),
    ("启用", ["是", "否", "是"], "boolean"),
    ("Active", [True, False], "boolean"),
    ("Mail", ["a@b.co", "c.d@e.org"], "email"),
    ("Site", ["https://example.com", "http://a.b/c?d=1"], "url"),
    ("Phone", ["13800138000", "+86 138 0013 8000"], "phone"),
    ("手机", ["13800138000", "13900139000"], "phone"),
    ("Contact", ["(555) 123-4567", "+1 555 987 6543"], "phone"),
    ("Stage", ["won", "lost", "won", "open", "won", "lost"], "select"),
    ("Name", ["Ann", "Bob", "Cy"], "text"),
    ("Zip", ["00123", "45678"], "text"),
    ("Code", ["1234567890123456789"], "text"),
    ("Notes", ["x" * 300, "short"], "textarea"),
    ("Notes", ["line one\nline two"], "textarea"),
    ("Empty", [None, "", "  "], "text"),
    ("Mixed", ["1", "two"], "text"),
])
def test_types(header, values, expected):
    assert kind(header, values) == expected


def test_stats_and_reasons():
    column = infer_column(2, "Stage", "stage", ["won", None, "lost", "won", "", "won", "lost"])
    assert (column.filled, column.blanks, column.distinct) == (5, 2, 2)
    assert column.options == ["lost", "won"] and column.samples == ["won", "lost"]
    assert column.reasons == ["only 2 different values, repeated"]
    assert infer_column(0, "Name", "name", ["Ann", "Bob"]).reasons == ["short text"]
    assert "no values" in infer_column(0, "E", "e", [None]).reasons[0]


def test_select_needs_repeats_and_few_values():
    assert kind("Stage", ["a", "b", "c"]) == "text"  # each once: names, not choices
    assert kind("Stage", [f"v{i % 13}" for i in range(60)]) == "text"  # 13 > 12 distinct


@pytest.mark.parametrize(("values", "precision"), [(["1.5"], 2), (["1.125", "2"], 3), (["0.123456789"], 8)])
def test_decimal_precision(values, precision):
    assert infer_column(0, "Ratio", "ratio", values).precision == precision


@pytest.mark.parametrize(("kind_", "raw", "stored"), [
    ("currency", "¥1,200.50", Decimal("1200.50")),
    ("currency", "$ 19.99", Decimal("19.99")),
    ("currency", "300元", Decimal("300.00")),
    ("integer", "1,200", 1200),
    ("integer", 3.0, 3),
    ("percent", "45%", Decimal("45.00")),
    ("date", "2026/1/31", date(2026, 1, 31)),
    ("date", "2026年1月31日", date(2026, 1, 31)),
    ("date", datetime(2026, 1, 31), date(2026, 1, 31)),
    ("datetime", "2026/1/31 9:30", datetime(2026, 1, 31, 9, 30)),
    ("datetime", "2026-01-31T09:30:00+08:00", datetime(2026, 1, 31, 1, 30)),
    ("datetime", date(2026, 1, 31), datetime(2026, 1, 31)),
    ("boolean", "是", True),
    ("boolean", "N", False),
    ("text", 12.0, "12"),
    ("phone", 13800138000, "13800138000"),
    ("text", "  padded  ", "padded"),
    ("text", "   ", None),
])
def test_normalise_gives_what_the_runtime_coercer_accepts(kind_, raw, stored):
    field = validate_app({"app.json": APP, "entities/e.json": {"name": "e", "fields": [
        {"name": "f", "type": kind_, **({"precision": 2} if kind_ in ("currency", "percent") else {})}]}}
                         ).entity("e").field("f")
    assert get_type(kind_).coerce(field, normalise(kind_, raw)) == stored


def test_normalise_leaves_nonsense_for_the_coercer_to_report():
    assert normalise("date", "next week") == "next week"
    assert normalise("integer", "a lot") == "a lot"
    assert normalise("date", "2026/2/30") == "2026/2/30"


# --- names and labels ------------------------------------------------------------------

@pytest.mark.parametrize(("header", "name"), [
    ("Close Date", "close_date"), ("dealValue", "deal_value"), ("E-mail", "e_mail"), ("Café", "cafe"),
    ("2024 Sales", "f_2024_sales"), ("  Amount ($) ", "amount"), ("金额", ""), ("%%", ""),
])
def test_slugify(header, name):
    assert slugify(header) == name


def test_field_names_are_valid_unique_and_not_reserved():
    names = field_names(["Name", "name", "NAME", "Order", "id", "owner", "金额", "", "x" * 60, "Select"])
    assert names[:3] == ["name", "name_2", "name_3"]
    assert names[3:8] == ["order_value", "id_value", "owner_value", "field_7", "field_8"]
    assert names[8] == "x" * 40 and names[9] == "select_value"


@given(st.lists(st.text(max_size=60), max_size=40))
def test_any_headers_give_valid_unique_field_names(headers):
    names = field_names(headers)
    assert len(names) == len(headers) and len(set(names)) == len(names)
    for name in names:
        assert is_valid_name(name) and name_problem(name, is_field=True) is None


@given(st.text(max_size=80), st.sets(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), max_size=20))
def test_any_filename_gives_a_free_entity_name(filename, taken):
    name = entity_name(filename + ".csv", taken)
    assert is_valid_name(name) and name_problem(name) is None and name not in taken


def test_labels_by_script():
    assert label_for("Close Date") == {"en": "Close Date"}
    assert label_for("成交 日期") == {"zh": "成交 日期"}
    assert has_cjk("金额") and has_cjk("Ａ") and not has_cjk("Amount")


# --- whole sheets ----------------------------------------------------------------------

def sheet(header, rows):
    return Sheet(header, iter([(n, r) for n, r in enumerate(rows, start=2)]), len(rows))


def test_proposal_is_a_valid_entity():
    proposal = propose(sheet(["Name", "Amount", "金额", "Name"], [["Ann", "1", "2", "x"], ["Bob", "3"]]),
                       "Deals 2026.xlsx")
    entity = proposal.entity
    assert entity["name"] == "deals_2026" and entity["label"] == {"en": "Deals 2026"}
    assert entity["title_field"] == "name"
    assert [f["name"] for f in entity["fields"]] == ["name", "amount", "field_3", "name_2"]
    assert entity["fields"][2]["label"] == {"zh": "金额"}
    assert proposal.columns[2].blanks == 1 and proposal.sampled == 2
    validate_app({"app.json": APP, f"entities/{entity['name']}.json": entity})


def test_two_hundred_columns():
    header = [f"Col {i}" for i in range(200)]
    proposal = propose(sheet(header, [[str(i) for i in range(200)]] * 3), "wide.csv")
    assert len(proposal.entity["fields"]) == 200 and proposal.columns[199].type == "integer"
    validate_app({"app.json": APP, "entities/wide.json": proposal.entity})


def test_trailing_blank_headers_and_short_rows():
    proposal = propose(sheet(["A", "", "B", "", ""], [["1"], ["2", "", "x", "", "junk"]]), "s.csv")
    assert [c.header for c in proposal.columns] == ["A", "Column 2", "B"]
    assert proposal.columns[2].filled == 1


def test_header_only_sheet_gives_text_fields():
    proposal = propose(sheet(["A", "B"], []), "s.csv")
    assert [c.type for c in proposal.columns] == ["text", "text"] and proposal.rows == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "客户.csv"
    path.write_bytes("名称,金额,日期\n张三,100,2026/1/31\n李四,200.5,2026/2/1\n".encode(encoding))
    proposal = propose_file(path, path.name)
    assert [c.header for c in proposal.columns] == ["名称", "金额", "日期"]
    assert [c.type for c in proposal.columns] == ["text", "currency", "date"]
    assert proposal.entity["name"] == "sheet" and proposal.entity["label"] == {"zh": "客户"}
    assert proposal.rows[0] == (2, ["张三", "100", "2026/1/31"])


def test_xlsx(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["Name", "Joined", "Visits", "Spend", "VIP", "Email"])
    ws.append(["Ann", datetime(2026, 1, 31), 3, 12.5, True, "ann@example.com"])
    ws.append(["Bob", datetime(2026, 2, 1), 5, 7.25, False, "bob@example.com"])
    book.create_sheet("Ignored").append(["Other"])
    path = tmp_path / "members.xlsx"
    book.save(path)
    proposal = propose_file(path, "members.xlsx")
    assert [c.type for c in proposal.columns] == ["text", "date", "integer", "currency", "boolean", "email"]
    assert proposal.total == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"", "no header row"),
    (b"\n\n", "no header row"),
    (b"PK\x03\x04garbage", "not a readable XLSX file"),
])
def test_unreadable_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(BadInput, match=message):
        propose_file(path, "bad.csv")


def test_empty_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(BadInput, match="no header row"):
        propose_file(path, "empty.xlsx")


def test_xlsx_number_formats_mark_percent_and_money(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["Share", "Paid", "Plain"])
    for share, paid in ((0.45, 1200), (0.125, 30.5)):
        ws.append([share, paid, paid])
        ws.cell(ws.max_row, 1).number_format = "0.0%"
        ws.cell(ws.max_row, 2).number_format = '"¥"#,##0.00'
    path = tmp_path / "shares.xlsx"
    book.save(path)
    share, paid, plain = propose_file(path, "shares.xlsx").columns
    assert (share.type, share.fraction, share.precision) == ("percent", True, 2)
    assert "percentages" in share.reasons[0]
    assert (paid.type, paid.fraction) == ("currency", False) and plain.type == "decimal"
    assert normalise("percent", 0.455, True) == "45.5" and normalise("percent", 0.455) == 0.455
    assert normalise("decimal", 0.455, True) == 0.455
