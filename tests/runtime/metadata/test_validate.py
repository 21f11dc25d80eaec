"""validate_app: cross-checks, expressions, cycles, and EntityScope."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from runtime.errors import MetadataInvalid
from runtime.fieldtypes import type_names
from runtime.metadata import validate_app

from .fixtures_meta import add_fields
from .fixtures_meta import customers_app
from .fixtures_meta import details
from .fixtures_meta import entity_doc
from .fixtures_meta import field_doc
from .fixtures_meta import one
from .fixtures_meta import sample_source

OPP = "entities/opportunity.json"


# -- the sample app ---------------------------------------------------------------


def test_sample_app_is_valid_and_typed():
    app = validate_app(sample_source())
    assert app.name == "sample_sales"
    assert [e.name for e in app.entities] == ["account", "opportunity", "opportunity_line"]
    assert app.entity("opportunity_line").parent == ("opportunity", "lines")
    assert app.entity("opportunity").field("ratio").opt("precision") == 4


def test_three_independent_errors_are_all_reported():
    source = sample_source()
    field_doc(source, "opportunity", "seats")["type"] = "nmber"
    field_doc(source, "opportunity", "account")["target"] = "acount"
    field_doc(source, "opportunity", "stage")["default"] = "won_big"
    with pytest.raises(MetadataInvalid) as info:
        validate_app(source)
    assert info.value.message == "app sample_sales has 3 errors"
    assert info.value.details == [
        (
            f"{OPP}: /fields/1/target: link target 'acount' does not exist in this app; "
            "did you mean 'account'? (entities: account, opportunity, opportunity_line)"
        ),
        f"{OPP}: /fields/2/default: default 'won_big' is not one of the options ['qualify', 'won', 'lost']",
        f"{OPP}: /fields/21/type: 'nmber' is not one of {type_names()!r}",
    ]


def test_a_schema_error_does_not_cascade_into_expression_errors():
    source = sample_source()
    field_doc(source, "opportunity", "amount")["precision"] = (
        "two"  # used by a formula, a rule and a form
    )
    lines = details(source)
    assert lines == [f"{OPP}: /fields/3/precision: expected a whole number, got 'two'"]


# -- references ---------------------------------------------------------------------


def test_link_to_another_app_needs_requires_and_installation():
    source = sample_source()
    (index,) = add_fields(
        source,
        "opportunity",
        {"name": "customer", "type": "link", "target": "crm_customers.account"},
    )
    one(details(source), f"/fields/{index}/target", 'does not list in "requires"')
    source["app.json"]["requires"] = {"crm_customers": ">=1.0,<2"}
    one(
        details(source),
        f"/fields/{index}/target",
        "needs app 'crm_customers', which is not installed",
    )
    app = validate_app(source, {"crm_customers": customers_app()})
    assert app.entity("opportunity").field("customer").opt("target") == "crm_customers.account"
    field_doc(source, "opportunity", "customer")["target"] = "crm_customers.acount"
    one(
        details(source, {"crm_customers": customers_app()}),
        "app 'crm_customers' has no entity 'acount'",
    )


def test_table_rules():
    source = sample_source()
    a, b, c = add_fields(
        source,
        "opportunity",
        {"name": "again", "type": "table", "target": "opportunity_line"},
        {"name": "me_too", "type": "table", "target": "opportunity"},
        {"name": "remote", "type": "table", "target": "sample_sales.account"},
    )
    lines = details(source)
    one(
        lines,
        f"/fields/{a}/target",
        "already holds the rows of opportunity.lines; a child entity has one parent",
    )
    one(lines, f"/fields/{b}/target", "cannot hold its own rows")
    one(lines, f"/fields/{c}/target", "write 'account' without an app name")


def test_child_tables_may_not_loop():
    source = sample_source()
    (index,) = add_fields(
        source, "opportunity_line", {"name": "back", "type": "table", "target": "opportunity"}
    )
    one(details(source), "entities/opportunity_line.json", f"/fields/{index}/target", "form a loop")


def test_lookup_rules():
    source = sample_source()
    a, b, c = add_fields(
        source,
        "opportunity",
        {"name": "l1", "type": "lookup", "source": "stage", "field": "city"},
        {"name": "l2", "type": "lookup", "source": "account", "field": "cty"},
        {"name": "l3", "type": "lookup", "source": "acount", "field": "city"},
    )
    lines = details(source)
    one(
        lines, f"/fields/{a}/source: 'stage' is a select field; a lookup reads through a link field"
    )
    one(lines, f"/fields/{b}/field: cannot look up account.cty: unknown field 'cty'")
    one(lines, f"/fields/{c}/source: 'opportunity' has no field 'acount'; did you mean 'account'?")


def test_rollup_rules():
    source = sample_source()
    a, b, c, d = add_fields(
        source,
        "opportunity",
        {"name": "r1", "type": "rollup", "source": "account", "field": "x", "function": "sum"},
        {"name": "r2", "type": "rollup", "source": "lines", "field": "product", "function": "max"},
        {"name": "r3", "type": "rollup", "source": "lines", "function": "avg"},
        {"name": "r4", "type": "rollup", "source": "lines", "field": "nope", "function": "sum"},
    )
    add_fields(
        source,
        "opportunity",
        {"name": "line_count", "type": "rollup", "source": "lines", "function": "count"},
        {
            "name": "qty_total",
            "type": "rollup",
            "source": "lines",
            "field": "qty",
            "function": "sum",
        },
    )
    lines = details(source)
    assert len(lines) == 4
    one(
        lines,
        f"/fields/{a}/source: 'account' is a link field; a rollup reads through a table field",
    )
    one(
        lines,
        f"/fields/{b}/field: 'max' needs a number, but opportunity_line.product is not numeric",
    )
    one(lines, f"/fields/{c}: a 'avg' rollup needs a \"field\"")
    one(lines, f"/fields/{d}/field", "unknown field 'nope'")


def test_title_field_indexes_and_flags():
    source = sample_source()
    entity_doc(source, "opportunity")["title_field"] = "weighted"
    entity_doc(source, "account")["title_field"] = "nam"
    entity_doc(source, "opportunity")["indexes"] += [["notes", "nope", "created_at", "owner"]]
    field_doc(source, "opportunity", "body")["unique"] = True
    lines = details(source)
    assert len(lines) == 5
    one(lines, f"{OPP}: /title_field: 'weighted' is a formula field, which is not stored")
    one(
        lines,
        "entities/account.json: /title_field: 'account' has no field 'nam'; did you mean 'name'?",
    )
    one(lines, f"{OPP}: /indexes/1/0: 'notes' is a textarea field, which cannot be indexed")
    one(lines, f"{OPP}: /indexes/1/1: 'opportunity' has no field 'nope'")
    one(lines, f"{OPP}: /fields/16/unique: a richtext field cannot be unique")


def test_select_options_and_defaults():
    source = sample_source()
    field_doc(source, "opportunity", "stage")["default"] = "qualfy"
    field_doc(source, "opportunity", "tags")["default"] = ["hot", "cold"]
    field_doc(source, "account", "industry")["options"].append({"value": "tech"})
    lines = details(source)
    assert len(lines) == 3
    one(
        lines,
        f"{OPP}: /fields/2/default: default 'qualfy' is not one of the options",
        "did you mean 'qualify'?",
    )
    one(lines, f"{OPP}: /fields/14/default/1: default 'cold' is not one of the options")
    one(lines, "entities/account.json: /fields/2/options/3/value: option 'tech' appears twice")


def test_names_are_unique_in_their_scope():
    source = sample_source()
    (index,) = add_fields(source, "opportunity", {"name": "amount", "type": "integer"})
    source["entities/deal.json"] = {"name": "account", "fields": []}
    source["roles/other.json"] = {"name": "sales_rep"}
    source["forms/second.json"] = {"entity": "opportunity", "layout": [{"fields": ["name"]}]}
    lines = details(source)
    assert len(lines) == 5
    one(
        lines,
        f"{OPP}: /fields/{index}/name: duplicate field name 'amount' (first defined at /fields/3)",
    )
    one(lines, "entities/deal.json: /name: entity 'account' must be in entities/account.json")
    one(
        lines,
        "entities/deal.json: /name: entity 'account' is already defined in entities/account.json",
    )
    one(
        lines,
        "roles/sales_rep.json: /name: role 'sales_rep' is already defined in roles/other.json",
    )
    one(lines, "form 'default' of 'opportunity' is already defined in forms/opportunity.json")


def test_renamed_from_may_not_name_a_current_field():
    source = sample_source()
    a, b = add_fields(
        source,
        "opportunity",
        {"name": "n1", "type": "text", "renamed_from": "stage"},
        {"name": "n2", "type": "text", "renamed_from": "old"},
    )
    add_fields(source, "opportunity", {"name": "n3", "type": "text", "renamed_from": "old"})
    lines = details(source)
    one(lines, f"/fields/{a}/renamed_from: 'stage' is still a field of 'opportunity'")
    one(lines, f"/fields/{b + 1}/renamed_from: field 'n2' is already renamed from 'old'")


def test_forms_reference_existing_fields_once():
    source = sample_source()
    source["forms/opportunity.json"]["layout"][0]["fields"] += ["name", "stag", {"field": "seats"}]
    source["forms/ghost.json"] = {"entity": "ghost", "layout": [{"fields": ["x"]}]}
    lines = details(source)
    assert len(lines) == 4
    one(
        lines,
        "forms/opportunity.json: /layout/0/fields/9: field 'name' is already placed at /layout/0/fields/0",
    )
    one(
        lines,
        "forms/opportunity.json: /layout/0/fields/10: 'opportunity' has no field 'stag'; did you mean 'stage'?",
    )
    one(
        lines,
        "forms/opportunity.json: /layout/2/sections/0/fields/6: field 'seats' is already placed",
    )
    one(lines, "forms/ghost.json: /entity: entity 'ghost' does not exist in this app")


def test_roles_reference_existing_entities_and_fields():
    source = sample_source()
    grants = source["roles/sales_rep.json"]["entities"]
    grants["ghost"] = {"read": True}
    grants["crm_customers.account"] = {"read": True}
    grants["account"]["fields"] = {"nme": "read"}
    lines = details(source)
    assert len(lines) == 3
    one(lines, "roles/sales_rep.json: /entities/ghost: entity 'ghost' does not exist")
    one(lines, "roles/sales_rep.json: /entities/crm_customers.account:", '"requires"')
    one(
        lines,
        "roles/sales_rep.json: /entities/account/fields/nme: 'account' has no field 'nme'; did you mean 'name'?",
    )


# -- expressions ---------------------------------------------------------------------


def test_bad_expression_reports_pointer_and_position():
    source = sample_source()
    field_doc(source, "opportunity", "weighted")["expression"] = "amount * / 100"
    line = one(details(source), f"{OPP}: /fields/5/expression: line 1, col ")
    assert "syntax" in line


def test_unknown_field_and_unusable_field_in_formulas():
    source = sample_source()
    a, b, c = add_fields(
        source,
        "opportunity",
        {"name": "f1", "type": "formula", "expression": "amout + 1", "result": "decimal"},
        {
            "name": "f2",
            "type": "formula",
            "expression": "LEN(name) + contract",
            "result": "integer",
        },
        {"name": "f3", "type": "formula", "expression": "account.nme", "result": "text"},
    )
    lines = details(source)
    one(lines, f"/fields/{a}/expression: line 1, col 1: unknown field 'amout'")
    one(
        lines,
        f"/fields/{b}/expression: line 1, col 13: field 'contract' (file) cannot be used in an expression",
    )
    one(lines, f"/fields/{c}/expression: line 1, col 1: unknown field 'nme' on 'account'")


def test_formula_result_must_match_its_declared_type():
    source = sample_source()
    field_doc(source, "opportunity", "weighted")["result"] = "date"
    one(details(source), "/fields/5/expression: line 1, col 1:", "DATE", "DECIMAL")


def test_conditions_must_be_boolean_everywhere():
    source = sample_source()
    entity_doc(source, "opportunity")["rules"][0]["when"] = "amount + 1"
    source["forms/opportunity.json"]["layout"][0]["fields"][3]["visible_when"] = "stage"
    source["roles/sales_rep.json"]["entities"]["sample_sales.opportunity"]["update"] = "owner.email"
    lines = details(source)
    assert len(lines) == 3
    one(lines, f"{OPP}: /rules/0/when: line 1, col", "BOOLEAN")
    one(lines, "forms/opportunity.json: /layout/0/fields/3/visible_when:", "BOOLEAN")
    one(lines, "roles/sales_rep.json: /entities/sample_sales.opportunity/update:", "BOOLEAN")


def test_role_rules_are_checked_against_installed_entities():
    source = sample_source()
    source["app.json"]["requires"] = {"crm_customers": ">=1.0"}
    source["roles/sales_rep.json"]["entities"]["crm_customers.account"] = {
        "read": "city == 'Berlin'"
    }
    installed = {"crm_customers": customers_app()}
    validate_app(source, installed)
    source["roles/sales_rep.json"]["entities"]["crm_customers.account"]["read"] = "cty == 'Berlin'"
    one(
        details(source, installed),
        "/entities/crm_customers.account/read: line 1, col 1: unknown field 'cty'",
    )


# -- cycles ---------------------------------------------------------------------------


def test_formula_cycle_is_named():
    source = sample_source()
    a, _ = add_fields(
        source,
        "opportunity",
        {"name": "a", "type": "formula", "expression": "b + 1", "result": "integer"},
        {"name": "b", "type": "formula", "expression": "a * 2", "result": "integer"},
    )
    assert details(source) == [f"{OPP}: /fields/{a}: cycle: a -> b -> a"]


def test_self_reference_is_a_cycle():
    source = sample_source()
    (a,) = add_fields(
        source,
        "opportunity",
        {"name": "a", "type": "formula", "expression": "a + 1", "result": "integer"},
    )
    assert details(source) == [f"{OPP}: /fields/{a}: cycle: a -> a"]


def test_cycle_through_a_link_and_a_lookup():
    source = sample_source()
    add_fields(
        source,
        "account",
        {"name": "main_deal", "type": "link", "target": "opportunity"},
        {"name": "deal_weighted", "type": "lookup", "source": "main_deal", "field": "weighted"},
    )
    validate_app(source)
    field_doc(source, "opportunity", "weighted")["expression"] = "account.deal_weighted * 2"
    assert details(source) == [
        "entities/account.json: /fields/9: cycle: account.deal_weighted -> opportunity.weighted -> account.deal_weighted"
    ]


def test_cycle_through_a_rollup():
    source = sample_source()
    add_fields(
        source,
        "opportunity_line",
        {"name": "deal", "type": "link", "target": "opportunity"},
        {"name": "boost", "type": "formula", "result": "decimal", "expression": "price * 2"},
    )
    (index,) = add_fields(
        source,
        "opportunity",
        {
            "name": "boosted",
            "type": "rollup",
            "source": "lines",
            "field": "boost",
            "function": "sum",
        },
    )
    validate_app(source)
    field_doc(source, "opportunity_line", "boost")["expression"] = "deal.boosted + price"
    assert details(source) == [
        f"{OPP}: /fields/{index}: cycle: opportunity.boosted -> opportunity_line.boost -> opportunity.boosted"
    ]


# -- robustness -------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 300) | st.sampled_from(
        ["", "x", "account", "lines", "opportunity", "text", "link", "amount > 1", "a +", "$me", "qualify", "Name"]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "type", "target", "source", "field", "expression", "options", "value", "x"]),
        inner, max_size=3),
    max_leaves=6,
)


def _containers(node, steps=()):
    yield steps, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        if isinstance(child, (dict, list)):
            yield from _containers(child, (*steps, key))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_gives_an_app_or_metadata_invalid(data):
    source = sample_source()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(sorted(source)))
        steps, container = data.draw(st.sampled_from(list(_containers(source[path]))))
        value = data.draw(JSON_VALUES)
        if isinstance(container, dict):
            key = data.draw(st.sampled_from([*container, "name", "type", "target", "extra"]))
            container[key] = value
        elif container:
            container[data.draw(st.integers(0, len(container) - 1))] = value
    try:
        validate_app(source)
    except MetadataInvalid as exc:
        assert exc.details and all(isinstance(line, str) and ": " in line for line in exc.details)


def test_public_api():
    import runtime.metadata

    assert set(runtime.metadata.__all__) >= {
        "load_package", "validate_app", "App", "Entity", "Field", "build_app", "EntityScope"
    }
