"""JSON Schemas: the files themselves, per-type field options, and readable errors."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from runtime.fieldtypes import get_type
from runtime.fieldtypes import type_names
from runtime.metadata.docschema import SCHEMA_DIR
from runtime.metadata.docschema import document_problems
from runtime.metadata.docschema import field_validator
from runtime.metadata.docschema import schema_problems
from runtime.metadata.problems import ordered

from .fixtures_meta import details
from .fixtures_meta import one
from .fixtures_meta import sample_source
from .fixtures_meta import tiny_app

KINDS = ["common", "app", "entity", "form", "role", "workflow", "automation", "report", "dashboard"]


def lines(path: str, doc) -> list[str]:
    return [str(p) for p in ordered(document_problems(path, doc))]


def entity(*fields, **extra) -> dict:
    return {"name": "thing", "fields": list(fields), **extra}


@pytest.mark.parametrize("kind", KINDS)
def test_schema_files_are_valid_2020_12_schemas_with_an_id(kind):
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{kind}.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", type_names())
def test_every_field_type_schema_is_valid_with_shared_defs(name):
    validator = field_validator(name)
    Draft202012Validator.check_schema(validator.schema)
    assert "label" in validator.schema["$defs"]
    assert not list(
        validator.iter_errors(
            {"name": "x", "type": name, "label": {"en": "X", "zh": "叉"}, **_required_options(name)}
        )
    )


def _required_options(name: str) -> dict:
    examples = {
        "options": [{"value": "a"}],
        "target": "thing",
        "expression": "1",
        "result": "integer",
        "source": "s",
        "field": "f",
        "function": "count",
        "format": "N-{###}",
    }
    return {k: examples[k] for k in get_type(name).required_options}


def test_sample_app_has_no_schema_problems():
    assert schema_problems(sample_source()) == []


def test_sample_app_uses_every_field_type():
    used = {
        f["type"]
        for p, d in sample_source().items()
        if p.startswith("entities/")
        for f in d["fields"]
    }
    assert used == set(type_names())


def test_unknown_field_type_lists_the_known_ones():
    found = lines("entities/thing.json", entity({"name": "amount", "type": "nmber"}))
    assert found == [f"entities/thing.json: /fields/0/type: 'nmber' is not one of {type_names()!r}"]


def test_field_option_errors_point_at_the_option():
    doc = entity(
        *[{"name": f"f{i}", "type": "text"} for i in range(3)],
        {"name": "code", "type": "text", "max_length": 0},
    )
    assert lines("entities/thing.json", doc) == [
        "entities/thing.json: /fields/3/max_length: 0 is less than the minimum of 1"
    ]


def test_unknown_option_is_named_with_a_suggestion():
    found = lines("entities/thing.json", entity({"name": "code", "type": "text", "max_lenght": 5}))
    assert found == [
        "entities/thing.json: /fields/0/max_lenght: unknown key for a text field; did you mean 'max_length'?"
    ]


def test_missing_required_option_and_no_default_for_computed_fields():
    doc = entity(
        {"name": "stage", "type": "select"},
        {"name": "x", "type": "formula", "expression": "1", "result": "integer", "default": 1},
    )
    found = lines("entities/thing.json", doc)
    assert found == [
        "entities/thing.json: /fields/0: missing required key 'options'",
        "entities/thing.json: /fields/1/default: a formula field takes no default",
    ]


def test_wrong_json_types_say_what_was_expected():
    found = lines(
        "entities/thing.json", entity({"name": "n", "type": "integer", "required": "yes"}, "oops")
    )
    one(found, "/fields/0/required: expected true or false, got 'yes'")
    one(found, "/fields/1: expected an object {...}, got 'oops'")


@pytest.mark.parametrize(
    "label, ok",
    [
        ("Deal", True),
        ({"en": "Deal", "zh": "商机"}, True),
        ({"zh-CN": "x"}, True),
        (5, False),
        ({}, False),
        ({"english": "x"}, False),
        ("", False),
    ],
)
def test_labels_are_text_or_a_language_map(label, ok):
    assert (
        lines("entities/thing.json", entity({"name": "n", "type": "text"}, label=label)) == []
    ) == ok


def test_app_manifest_rules():
    found = lines(
        "app.json",
        {
            "name": "x",
            "version": "1.0",
            "requires": {"crm": "soon"},
            "platform": ">=0.1",
            "lable": "X",
        },
    )
    assert found == [
        "app.json: /lable: unknown key for app.json; did you mean 'label'?",
        "app.json: /requires/crm: 'soon' is not a version range like \">=1.0,<2\"",
        "app.json: /version: '1.0' is not a version like \"1.2.0\"",
    ]
    assert (
        lines("app.json", {"name": "x", "version": "1.2.0-beta.1", "requires": {"crm": ">=1.0,<2"}})
        == []
    )


def test_form_schema():
    good = {
        "entity": "thing",
        "layout": [
            {
                "section": "Main",
                "columns": 2,
                "fields": ["a", {"field": "b", "visible_when": "a > 1", "read_only": True}],
            },
            {"tab": {"en": "More"}, "sections": [{"fields": ["c"]}]},
        ],
    }
    assert lines("forms/thing.json", good) == []
    bad = {
        "entity": "thing",
        "layout": [
            {"section": "Main", "columns": 9, "fields": [{"field": "a", "hide": 1}, 3]},
            {"tab": "T"},
        ],
    }
    found = lines("forms/thing.json", bad)
    one(found, "/layout/0/columns: 9 is greater than the maximum of 4")
    one(found, "/layout/0/fields/0/hide: unknown key here")
    one(found, "/layout/0/fields/1: expected text, got 3")
    one(found, "/layout/1: missing required key 'fields'")


def test_role_schema():
    found = lines(
        "roles/r.json",
        {"name": "r", "entities": {"crm.a.b": {}, "thing": {"read": 1, "fields": {"x": "all"}}}},
    )
    one(found, "/entities/crm.a.b: bad key:", "at most one '.'")
    one(found, "/entities/thing/read: expected true, false or an expression, got 1")
    one(found, "/entities/thing/fields/x: 'all' is not one of ['hidden', 'read', 'write']")


@pytest.mark.parametrize("folder", ["workflows", "automations"])  # reports: tests/runtime/reports
def test_later_documents_need_an_object_with_a_valid_name(folder):
    path = f"{folder}/x.json"
    assert lines(path, {"name": "ok", "anything": {"goes": True}}) == []
    assert lines(path, {"label": "x"}) == [f"{path}: missing required key 'name'"]
    assert "must be lowercase" in lines(path, {"name": "Bad"})[0]
    assert lines(path, []) == [f"{path}: expected an object {{...}}, got []"]


def test_all_errors_are_collected_and_sorted_by_file_then_pointer():
    fields = [{"name": f"f{i}", "type": "text"} for i in range(12)]
    fields[2]["max_length"] = -1
    fields[10]["type"] = "nope"
    fields[9]["min_length"] = -1
    source = tiny_app("tiny", {"name": "thing", "fields": fields})
    source["app.json"]["version"] = "x"
    source["entities/thing.json"]["label"] = 3
    found = details(source)
    assert [line.split(": ")[:2] for line in found] == [
        ["app.json", "/version"],
        ["entities/thing.json", "/fields/2/max_length"],
        ["entities/thing.json", "/fields/9/min_length"],
        ["entities/thing.json", "/fields/10/type"],
        ["entities/thing.json", "/label"],
    ]


def test_missing_manifest_is_reported():
    source = tiny_app()
    del source["app.json"]
    one(details(source), "app.json: missing")
