"""EntityScope: the types expressions see for fields, link paths, users and variables."""

from __future__ import annotations

import pytest

from runtime.metadata import EntityScope
from runtime.metadata import validate_app
from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.expressions import DATE
from runtime.metadata.expressions import DATETIME
from runtime.metadata.expressions import INTEGER
from runtime.metadata.expressions import TEXT
from runtime.metadata.expressions import decimal_type
from runtime.metadata.expressions import list_type

from .fixtures_meta import add_fields
from .fixtures_meta import customers_app
from .fixtures_meta import sample_source

SCOPE_TYPES = {
    ("name",): TEXT,
    ("account",): INTEGER,
    ("account", "city"): TEXT,
    ("account", "revenue"): decimal_type(2),
    ("account_city",): TEXT,
    ("stage",): TEXT,
    ("amount",): decimal_type(2),
    ("probability",): decimal_type(2),
    ("weighted",): decimal_type(2),
    ("total",): decimal_type(2),
    ("code",): TEXT,
    ("owner",): INTEGER,
    ("owner", "email"): TEXT,
    ("owner", "department"): TEXT,
    ("owner", "id"): INTEGER,
    ("close_date",): DATE,
    ("closed_at",): DATETIME,
    ("won",): BOOLEAN,
    ("tags",): list_type(TEXT),
    ("notes",): TEXT,
    ("seats",): INTEGER,
    ("ratio",): decimal_type(4),
    ("created_at",): DATETIME,
    ("created_by", "display_name"): TEXT,
    ("id",): INTEGER,
}


@pytest.fixture(scope="module")
def opp_scope():
    return EntityScope(validate_app(sample_source()), "opportunity")


@pytest.mark.parametrize(
    "path, expected", SCOPE_TYPES.items(), ids=lambda v: ".".join(v) if isinstance(v, tuple) else ""
)
def test_scope_field_types(opp_scope, path, expected):
    assert opp_scope.field_type(path) == expected
    assert opp_scope.explain(path) is None


@pytest.mark.parametrize(
    "path, reason",
    [
        (("contract",), "field 'contract' (file) cannot be used in an expression"),
        (("lines",), "field 'lines' (table) cannot be used"),
        (("photo",), "(image)"),
        (("sign",), "(signature)"),
        (("location",), "(geo)"),
        (("nope",), "unknown field 'nope'"),
        (("amount", "x"), "'.' cannot follow it"),
        (("owner", "password"), "a user has only id, email, display_name, department"),
        (("account", "nope"), "unknown field 'nope' on 'account'"),
    ],
)
def test_scope_refuses_unusable_paths_with_a_reason(opp_scope, path, reason):
    assert opp_scope.field_type(path) is None
    assert reason in opp_scope.explain(path)


def test_scope_variables(opp_scope):
    assert opp_scope.variable_type(("me",)) == INTEGER
    assert opp_scope.variable_type(("me", "email")) == TEXT
    assert opp_scope.variable_type(("me", "department")) == TEXT
    assert opp_scope.variable_type(("today",)) == DATE
    assert opp_scope.variable_type(("now",)) == DATETIME
    assert opp_scope.variable_type(("role",)) == TEXT
    assert opp_scope.variable_type(("me", "salary")) is None
    assert opp_scope.variable_type(("tomorrow",)) is None


def test_scope_follows_links_into_installed_apps():
    source = sample_source()
    source["app.json"]["requires"] = {"crm_customers": ">=1.0"}
    add_fields(
        source,
        "opportunity",
        {"name": "customer", "type": "link", "target": "crm_customers.account"},
    )
    installed = {"crm_customers": customers_app()}
    scope = EntityScope(validate_app(source, installed), "opportunity", installed)
    assert scope.field_type(("customer", "city")) == TEXT
    assert (
        EntityScope(validate_app(source, installed), "opportunity").field_type(("customer", "city"))
        is None
    )
