"""Record lists on the sample sales app: where, order, keyset pages, count, search, errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event
from sqlalchemy import update

from runtime.errors import BadInput
from runtime.errors import ValidationFailed
from runtime.metadata.expressions import ExpressionError
from runtime.records.cursor import InvalidCursor
from runtime.records.ordering import InvalidOrder
from runtime.records.queries import list_records

SECRET = "test-secret"


def listing(engine, service, entity="deal", **options):
    options.setdefault("secret", SECRET)
    with engine.connect() as conn:
        return list_records(conn, service.registry, "sales", entity, **options)


def names(page) -> list[str]:
    return [r["name"] for r in page.data]


@pytest.fixture
def deals(published, service):
    """Seven deals with NULLs and ties in every sortable kind of field."""
    with published.begin() as conn:
        paris = service.create(conn, "sales", "account", {"name": "Acme", "city": "Paris"}, 1)["id"]
        lyon = service.create(conn, "sales", "account", {"name": "Bolt", "city": "Lyon"}, 1)["id"]
        nowhere = service.create(conn, "sales", "account", {"name": "Cube"}, 1)["id"]
        rows = [
            ("alpha", "10.00", 50, paris, "2026-01-05"),
            ("bravo", "10.00", 20, lyon, "2026-01-03"),
            ("charlie", None, 50, paris, None),
            ("delta", "250.50", None, nowhere, "2026-01-05"),
            ("echo", "-3.25", 100, None, "2025-12-31"),
            ("foxtrot", "0.00", 10, lyon, None),
            ("golf", None, None, None, "2026-02-01"),
        ]
        for name, amount, probability, account, opened in rows:
            service.create(conn, "sales", "deal", {"name": name, "amount": amount, "probability": probability,
                                                    "account": account, "opened": opened}, 1)
    return published


# -- where ------------------------------------------------------------------------

@pytest.mark.parametrize(("where", "expected"), [
    ("amount == null", ["charlie", "golf"]),
    ("amount != null and amount < 10", ["echo", "foxtrot"]),
    ("weighted > 4", ["alpha"]),  # formula: amount * probability / 100
    ("weighted == null", ["charlie", "delta", "golf"]),
    ("account_city == 'Paris'", ["alpha", "charlie"]),  # lookup
    ("account.city == 'Lyon' or account.name == 'Cube'", ["bravo", "delta", "foxtrot"]),  # link paths
    ("account_city == null", ["delta", "echo", "golf"]),
    ("opened >= $today", []),
    ("stage in ['new', 'won'] and LEN(name) == 4", ["echo", "golf"]),
    ("owner == $me", ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]),
])
def test_where_filters_on_stored_formula_lookup_and_link_fields(deals, service, where, expected):
    page = listing(deals, service, where=where, order="name", user_id=1)
    assert names(page) == expected


def test_where_can_follow_a_user_field_to_its_attributes(deals, service, engine):
    from sqlalchemy import update

    from runtime.storage.system import users

    with engine.begin() as conn:
        conn.execute(update(users).values(department="Sales"))
    assert len(listing(deals, service, where="owner.department == 'Sales'").data) == 7
    assert listing(deals, service, where="owner.department == 'Legal'").data == []


def test_blank_where_means_no_filter(deals, service):
    assert len(listing(deals, service, where="  ").data) == 7


@pytest.mark.parametrize(("where", "col", "words"), [
    ("amount >", 9, "syntax"),
    ("amount", 1, "must be"),
    ("nope == 1", 1, "nope"),
    ("name == 1", 6, "cannot compare"),
    ("amount > 1 and __import__('os')", 16, ""),
    ("owner.phone == 'x'", 1, "owner.phone"),
    ("name == '\\x00'", 9, "NUL"),
    ("name in ['a', '\\ud800']", 15, "surrogate"),
    ("name == '\x00'", 1, "null bytes"),
])
def test_bad_where_is_a_422_with_a_position(deals, service, where, col, words):
    with pytest.raises(ExpressionError) as caught:
        listing(deals, service, where=where)
    error = caught.value
    assert error.http_status == 422 and error.details["line"] == 1
    assert error.details["col"] == col, error.message
    assert words in error.message


# -- order ------------------------------------------------------------------------

@pytest.mark.parametrize(("order", "expected"), [
    ("name", ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]),
    ("-name", ["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]),
    ("amount", ["echo", "foxtrot", "alpha", "bravo", "delta", "charlie", "golf"]),  # ties by id, NULLs last
    ("-amount", ["delta", "bravo", "alpha", "foxtrot", "echo", "golf", "charlie"]),  # then -id
    ("-amount,-name", ["delta", "bravo", "alpha", "foxtrot", "echo", "golf", "charlie"]),
    ("opened,name", ["echo", "bravo", "alpha", "delta", "golf", "charlie", "foxtrot"]),
    ("-opened,-name", ["golf", "delta", "alpha", "bravo", "echo", "foxtrot", "charlie"]),
    ("weighted", ["echo", "foxtrot", "bravo", "alpha", "charlie", "delta", "golf"]),
    ("-weighted", ["alpha", "bravo", "foxtrot", "echo", "golf", "delta", "charlie"]),
    ("account_city,-name", ["foxtrot", "bravo", "charlie", "alpha", "golf", "echo", "delta"]),
    ("-account_city,name", ["alpha", "charlie", "bravo", "foxtrot", "delta", "echo", "golf"]),
    ("account.name,name", ["alpha", "charlie", "bravo", "foxtrot", "delta", "echo", "golf"]),
    ("-id", ["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]),
])
def test_sort_with_nulls_last_and_ties(deals, service, order, expected):
    assert names(listing(deals, service, order=order)) == expected
    # The same order, walked one row at a time through cursors.
    walked, cursor = [], None
    while True:
        page = listing(deals, service, order=order, limit=2, cursor=cursor)
        walked += names(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert walked == expected


def test_default_order_is_most_recently_updated_first(deals, service):
    with deals.begin() as conn:
        table = service.registry.table("sales", "deal")
        conn.execute(update(table).where(table.c.name == "charlie").values(updated_at=datetime(2027, 1, 1)))
    assert names(listing(deals, service))[:3] == ["charlie", "golf", "foxtrot"]


@pytest.mark.parametrize(("order", "col", "words"), [
    ("nope", 1, "unknown field 'nope'"),
    ("name,-nope", 6, "unknown field"),
    ("name, notes", 7, "richtext"),
    ("lines", 1, "table"),
    ("deleted_at", 1, "cannot sort"),
    ("name,-name", 6, "twice"),
    ("name,,amount", 6, "empty"),
    ("-", 1, "not a field name"),
    ("name desc", 1, "not a field name"),
    ("amount.x", 1, "not a link"),
    ("account.nope", 1, "unknown field 'nope' on 'account'"),
    ("a,b,c,d,e,f,g", 1, "unknown"),
])
def test_bad_order_is_a_422_with_a_position(deals, service, order, col, words):
    with pytest.raises(InvalidOrder) as caught:
        listing(deals, service, order=order)
    assert caught.value.http_status == 422 and caught.value.code == "invalid_order"
    assert caught.value.details["col"] == col and words in caught.value.message


def test_too_many_sort_keys(deals, service):
    with pytest.raises(InvalidOrder, match="at most 6"):
        listing(deals, service, order="name,amount,opened,weighted,stage,probability,code")


def test_keys_after_id_are_ignored(deals, service):
    assert names(listing(deals, service, order="-id,name"))[0] == "golf"


# -- paging ---------------------------------------------------------------------

@pytest.mark.parametrize("limit", [0, -1, 501, "abc", "1.5", True, None, 2.0, "9" * 5000, "¹", "٣"])
def test_bad_limit_is_a_400(deals, service, limit):
    with pytest.raises(BadInput) as caught:
        listing(deals, service, limit=limit)
    assert caught.value.http_status == 400 and "limit" in caught.value.message


def test_limit_from_a_query_string(deals, service):
    assert len(listing(deals, service, limit="3").data) == 3


def test_last_page_has_no_cursor_and_exact_fit_too(deals, service):
    assert listing(deals, service, limit=7).next_cursor is None
    assert listing(deals, service, limit=6).next_cursor is not None


def test_lists_carry_computed_values_but_not_child_rows(deals, service):
    row = listing(deals, service, where="name == 'alpha'").data[0]
    assert row["weighted"] == "5.00" and row["account_city"] == "Paris" and row["amount"] == "10.00"
    assert "lines" not in row and row["total"] == "0.00"
    assert not any(key.startswith("_") for key in row)
    with deals.connect() as conn:
        assert {k: v for k, v in service.get(conn, "sales", "deal", row["id"]).items() if k != "lines"} == row


def test_deleted_records_are_not_listed(deals, service):
    first = listing(deals, service, order="name").data[0]
    with deals.begin() as conn:
        service.delete(conn, "sales", "deal", first["id"], 1)
    page = listing(deals, service, order="name", count=True)
    assert "alpha" not in names(page) and page.total == 6


def test_extra_where_is_anded_in(deals, service):
    table = service.registry.table("sales", "deal")
    page = listing(deals, service, where="amount != null", extra_where=table.c.probability >= 50, order="name")
    assert names(page) == ["alpha", "echo"]


def test_child_entities_are_listed_through_their_parent(deals, service):
    with pytest.raises(BadInput, match="parent"):
        listing(deals, service, entity="deal_line")


# -- cursors ----------------------------------------------------------------------

def test_a_tampered_cursor_is_a_400(deals, service):
    cursor = listing(deals, service, limit=2).next_cursor
    body, signature = cursor.split(".")
    flipped = body[:5] + ("A" if body[5] != "A" else "B") + body[6:]
    with pytest.raises(InvalidCursor) as caught:
        listing(deals, service, limit=2, cursor=f"{flipped}.{signature}")
    assert caught.value.http_status == 400


@pytest.mark.parametrize("change", [
    {"where": "amount != null"}, {"order": "name"}, {"search": "a"}, {"user_id": 2}, {"entity": "account"},
    {"secret": "another"},
])
def test_a_cursor_from_another_list_is_a_400(deals, service, change):
    cursor = listing(deals, service, limit=2, order="-id").next_cursor
    options = {"limit": 2, "order": "-id", "cursor": cursor, **change}
    with pytest.raises(InvalidCursor):
        listing(deals, service, **options)


def test_another_limit_may_continue_a_list(deals, service):
    first = listing(deals, service, limit=2, order="name")
    rest = listing(deals, service, limit=10, order="name", cursor=first.next_cursor)
    assert names(first) + names(rest) == names(listing(deals, service, order="name"))


# -- count ----------------------------------------------------------------------

def _statements(engine) -> list[str]:
    seen: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        # SQLite's compiler always writes "LIMIT ? OFFSET ?"; a zero offset scans nothing.
        if "OFFSET" in statement:
            assert list(parameters)[-1] == 0 if isinstance(parameters, (list, tuple)) else False
            statement = statement.replace("OFFSET", "")
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", remember)
    return seen


def test_count_only_on_request(deals, service):
    seen = _statements(deals)
    page = listing(deals, service, limit=2, where="amount != null")
    assert page.total is None and not any("count(" in s for s in seen)
    assert not any("offset" in s for s in seen)
    page = listing(deals, service, limit=2, where="amount != null", count=True)
    assert page.total == 5 and sum("count(" in s for s in seen) == 1
    later = listing(deals, service, limit=2, where="amount != null", count=True, cursor=page.next_cursor)
    assert later.total == 5  # the whole filtered list, not what is left of it


# -- search ---------------------------------------------------------------------

@pytest.fixture
def accounts(published, service):
    with published.begin() as conn:
        for name, city in [("100% Organic", "Lyon"), ("100 Organic", "Nice"), ("snake_case Ltd", "Paris"),
                           ("snakeXcase Ltd", "Paris"), ("北京科技有限公司", "北京"), ("Müller GmbH", "Berlin"),
                           ("back\\slash", None)]:
            service.create(conn, "sales", "account", {"name": name, "city": city}, 1)
    return published


@pytest.mark.parametrize(("search", "expected"), [
    ("100%", ["100% Organic"]),
    ("%", ["100% Organic"]),
    ("snake_case", ["snake_case Ltd"]),
    ("_", ["snake_case Ltd"]),
    ("\\", ["back\\slash"]),
    ("科技", ["北京科技有限公司"]),
    ("北京", ["北京科技有限公司"]),
    ("organic LYON", ["100% Organic"]),  # every word, each in any field; ASCII case ignored
    ("ltd paris snake", ["snake_case Ltd", "snakeXcase Ltd"]),
    ("ltd nice", []),
    ("Müller", ["Müller GmbH"]),
    ("   ", None),
])
def test_search_across_text_fields(accounts, service, search, expected):
    page = listing(accounts, service, entity="account", search=search, order="id")
    everything = listing(accounts, service, entity="account", order="id")
    assert names(page) == (names(everything) if expected is None else expected)


def test_search_matches_select_labels_and_ids(deals, service):
    with deals.begin() as conn:
        service.create(conn, "sales", "deal", {"name": "hotel", "stage": "won", "amount": 1}, 1)
    assert names(listing(deals, service, search="won")) == ["hotel"]
    alpha = listing(deals, service, where="name == 'alpha'").data[0]
    assert alpha["id"] in [r["id"] for r in listing(deals, service, search=str(alpha["id"])).data]


def test_search_combines_with_where_and_pages(deals, service):
    page = listing(deals, service, search="o", where="amount != null", order="name", limit=1)
    seen = names(page)
    while page.next_cursor:
        page = listing(deals, service, search="o", where="amount != null", order="name", limit=1,
                       cursor=page.next_cursor)
        seen += names(page)
    assert seen == ["bravo", "echo", "foxtrot"]


def test_unicode_digits_are_words_not_ids(deals, service):
    assert listing(deals, service, search="¹").data == []


@pytest.mark.parametrize("search", ["x" * 201, " ".join("abcdefghi"), "a\x00", "\ud800"])
def test_oversized_search_is_a_400(deals, service, search):
    with pytest.raises(BadInput) as caught:
        listing(deals, service, search=search)
    assert caught.value.http_status == 400 and not isinstance(caught.value, ValidationFailed)


# -- the service ----------------------------------------------------------------

def test_record_service_list_delegates(deals, service):
    with deals.connect() as conn:
        page = service.list(conn, "sales", "deal", secret=SECRET, order="name", limit=3, count=True,
                            where="owner == $me", user_id=1)
        assert names(page) == ["alpha", "bravo", "charlie"] and page.total == 7
        again = service.list(conn, "sales", "deal", secret=SECRET, order="name", limit=3,
                             where="owner == $me", user_id=1, cursor=page.next_cursor)
    assert names(again) == ["delta", "echo", "foxtrot"]
