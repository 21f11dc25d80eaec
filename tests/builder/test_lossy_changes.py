"""A draft change publish would refuse as lossy is a problem at its field while the admin edits,
publishing stays off until a conversion is given, and the designer offers only the types a
saved field can become."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import text

from tests.builder.conftest import edit_draft
from tests.builder.test_designer_pages import shop  # noqa: F401 - the published "shop" app

NOW = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture
def items(engine, shop):  # noqa: F811
    with engine.begin() as conn:
        for name in ("Pen", "12"):
            conn.execute(text("INSERT INTO shop__item (version, created_at, updated_at, name, qty)"
                              " VALUES (1, :now, :now, :name, 1)"), {"now": NOW, "name": name})


def retype(doc, field: str, type_: str, **extra) -> None:
    next(f for f in doc["fields"] if f["name"] == field).update(type=type_, **extra)


def publish_button(client) -> str:
    return client.get("/builder/shop/publish").get_data(as_text=True).split('data-testid="confirm-publish"')[1][:20]


def test_a_lossy_type_change_is_a_problem_at_its_field_until_a_conversion_is_given(admin, items):
    saved = edit_draft(admin, lambda doc: retype(doc, "name", "integer"))
    problems = saved.get_json()["problems"]
    assert [(p["file"], p["pointer"]) for p in problems] == [("entities/item.json", "/fields/0/convert")]
    assert "1 of 2 row(s) have name values that are not valid integer" in problems[0]["message"]
    assert admin.get("/builder/api/shop/draft").get_json()["problems"] == problems
    assert "not valid integer" in admin.get("/builder/shop/json/entities/item.json").get_data(as_text=True)
    assert "disabled" in publish_button(admin)

    fixed = edit_draft(admin, lambda doc: retype(doc, "name", "integer", convert="null_invalid"))
    assert fixed.get_json()["problems"] == []
    assert "disabled" not in publish_button(admin)


def test_a_narrower_field_is_a_problem_at_its_field_and_a_fitting_change_is_none(admin, items):
    assert edit_draft(admin, lambda doc: retype(doc, "qty", "text")).get_json()["problems"] == []
    narrowed = edit_draft(admin, lambda doc: retype(doc, "name", "text", max_length=2)).get_json()["problems"]
    assert [p["pointer"] for p in narrowed] == ["/fields/0/convert"] and "truncate" in narrowed[0]["message"]


def test_validation_problems_come_first(admin, items):
    """An invalid draft cannot be planned; its lossy changes show once it validates."""
    problems = edit_draft(admin, lambda doc: retype(doc, "name", "integer", max_length=3)).get_json()["problems"]
    assert problems and all("/convert" not in p["pointer"] for p in problems)


def test_a_saved_field_can_become_other_data_types_but_not_a_link_or_computed(admin):
    types = {t["name"]: t["becomes"] for t in admin.get("/builder/api/fieldtypes").get_json()["data"]}
    assert {"integer", "textarea", "date", "select"} <= set(types["text"]) and "text" not in types["text"]
    assert not {"link", "user", "formula", "file", "table"} & set(types["text"])
    assert types["formula"] == [] and types["link"] == [] and types["image"] == []
