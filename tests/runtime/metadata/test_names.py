"""Name rules: pattern, length, reserved SQL/expression words, system columns."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.names import EXPRESSION_RESERVED
from runtime.metadata.names import NAME_PATTERN
from runtime.metadata.names import SQL_RESERVED
from runtime.metadata.names import name_problem
from runtime.metadata.names import reserved_problem
from runtime.metadata.names import syntax_problem

from .fixtures_meta import details
from .fixtures_meta import one
from .fixtures_meta import sample_source
from .fixtures_meta import tiny_app

HOSTILE = {
    '"; drop table x; --': "may only contain a-z, 0-9 and _",
    "select": "reserved word in SQL",
    "a" * 300: "300 characters long; at most 40",
    "名字": "non-ASCII",
    "Name": "must be lowercase: use 'name'",
    "a-b": "use '_' between words",
    "1abc": "must start with a letter",
    "_secret": "starts with '_'",
    "": "empty",
}


@pytest.mark.parametrize("name, fragment", HOSTILE.items(), ids=lambda v: repr(v)[:20])
def test_hostile_names_get_a_clear_reason(name, fragment):
    assert fragment in name_problem(name)


@pytest.mark.parametrize("name", ["name", "a", "a" * 40, "close_date", "x1_y2", "account_city"])
def test_good_names_pass(name):
    assert name_problem(name, is_field=True) is None


def test_forty_one_characters_is_too_long():
    assert "41 characters" in syntax_problem("a" * 41)


def test_long_names_are_not_echoed_in_full():
    assert len(name_problem("a" * 300)) < 150


@pytest.mark.parametrize(
    "word",
    [
        "select",
        "from",
        "where",
        "table",
        "order",
        "group",
        "user",
        "default",
        "index",
        "limit",
        "offset",
        "values",
        "percent",
        "value",
        "desc",
        "ilike",
    ],
)
def test_sql_reserved_words_are_refused(word):
    assert word in SQL_RESERVED
    assert "reserved word in SQL" in name_problem(word)


@pytest.mark.parametrize("word", ["class", "lambda", "pass", "import", "null", "true"])
def test_expression_keywords_are_refused(word):
    assert "reserved word" in name_problem(word)


def test_every_sample_name_is_allowed():
    source = sample_source()
    for path, doc in source.items():
        if path.startswith("entities/"):
            assert name_problem(doc["name"]) is None
            for f in doc["fields"]:
                assert name_problem(f["name"], field_type=f["type"], is_field=True) is None, f[
                    "name"
                ]


@pytest.mark.parametrize("name", [*SYSTEM_COLUMNS, "parent_id", "row_order"])
def test_system_columns_are_refused_as_field_names(name):
    if name == "owner":
        pytest.skip("owner has its own test")
    assert "system column" in reserved_problem(name, field_type="text", is_field=True)


def test_owner_may_be_declared_only_as_a_user_field():
    assert reserved_problem("owner", field_type="user", is_field=True) is None
    assert "only be declared as a 'user' field" in reserved_problem(
        "owner", field_type="text", is_field=True
    )


def test_system_column_names_are_fine_for_entities():
    assert name_problem("version") is None


@given(st.from_regex(NAME_PATTERN, fullmatch=True))
def test_pattern_names_fail_only_for_reserved_words(name):
    problem = name_problem(name)
    assert (problem is None) == (name not in SQL_RESERVED | EXPRESSION_RESERVED)


@given(st.text(max_size=60))
def test_any_text_outside_the_pattern_gets_a_reason(name):
    if not re.fullmatch(NAME_PATTERN, name):
        assert syntax_problem(name)
    else:
        assert syntax_problem(name) is None


def test_every_hostile_field_name_is_reported_at_its_pointer_at_once():
    fields = [{"name": name, "type": "text"} for name in HOSTILE]
    lines = details(tiny_app("tiny", {"name": "thing", "fields": fields}))
    for index, (name, fragment) in enumerate(HOSTILE.items()):
        one(lines, f"entities/thing.json: /fields/{index}/name: ", fragment)
    assert len(lines) == len(HOSTILE)


def test_hostile_entity_app_and_role_names():
    source = tiny_app("Sales")
    source["entities/order.json"] = {"name": "order", "fields": [{"name": "title", "type": "text"}]}
    source["roles/r.json"] = {"name": "a-b"}
    lines = details(source)
    one(lines, "app.json: /name: ", "must be lowercase")
    one(lines, "entities/order.json: /name: ", "'order' is a reserved word in SQL")
    one(lines, "roles/r.json: /name: ", "use '_' between words")


def test_owner_field_in_sample_is_accepted_but_text_owner_is_not():
    source = sample_source()
    owner = next(f for f in source["entities/opportunity.json"]["fields"] if f["name"] == "owner")
    owner["type"] = "text"
    del owner["default"]
    one(details(source), "/fields/10/name", "built-in owner column")
