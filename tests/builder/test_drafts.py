"""Drafts: per-document revisions, conflicts with both versions, preview, publish, versions, rollback."""

import pytest

from builder.drafts import DraftConflict
from builder.drafts import create_app_draft
from builder.drafts import load_draft
from builder.drafts import open_draft
from builder.drafts import save_document
from builder.json_lines import line_of
from builder.json_lines import pointer_lines
from builder.json_lines import pretty
from builder.preview import preview_publish
from builder.publish import publish
from builder.versions import diff_versions
from builder.versions import list_versions
from builder.versions import rollback
from runtime.errors import BadInput
from runtime.errors import Conflict
from runtime.errors import NotFound
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field


@pytest.fixture
def shop(engine):
    publish(engine, make_app("shop", make_entity("item", [make_field("name"), make_field("price", "currency")])))
    return "shop"


def test_a_draft_starts_as_the_published_version(engine, shop):
    with engine.begin() as conn:
        draft = open_draft(conn, "shop", None)
    assert draft.base_version == 1
    assert set(draft.documents) == {"app.json", "entities/item.json"}
    assert draft.revisions == {"app.json": 1, "entities/item.json": 1}


def test_saving_needs_the_revision_it_started_from(engine, shop):
    with engine.begin() as conn:
        doc = open_draft(conn, "shop", None).documents["entities/item.json"]
        mine = {**doc, "fields": [*doc["fields"], make_field("sku")]}
        assert save_document(conn, "shop", "entities/item.json", mine, 1, None) == 2
    theirs = {**doc, "label": {"en": "Product"}}
    with engine.begin() as conn, pytest.raises(DraftConflict) as caught:
        save_document(conn, "shop", "entities/item.json", theirs, 1, None)
    assert caught.value.details["theirs"] == mine and caught.value.details["yours"] == theirs
    with engine.connect() as conn:
        assert load_draft(conn, "shop").documents["entities/item.json"] == mine


def test_edits_to_different_documents_do_not_collide(engine, shop):
    with engine.begin() as conn:
        save_document(conn, "shop", "entities/order.json", make_entity("order"), None, None)
        draft = load_draft(conn, "shop")
        save_document(conn, "shop", "app.json", {**draft.documents["app.json"], "version": "1.1.0"}, 1, None)
        assert load_draft(conn, "shop").revisions == {"app.json": 2, "entities/item.json": 1, "entities/order.json": 1}


def test_paths_and_app_json_are_guarded(engine, shop):
    with engine.begin() as conn:
        for path in ("../x.json", "entities/Bad.json", "secrets/x.json", "entities/x.txt"):
            with pytest.raises(BadInput):
                save_document(conn, "shop", path, {}, None, None)
        with pytest.raises(BadInput):
            save_document(conn, "shop", "app.json", {"name": "other"}, 1, None)


def test_new_app_draft_and_name_checks(engine, shop):
    with engine.begin() as conn:
        draft = create_app_draft(conn, "projects", {"en": "Projects"}, None)
        assert draft.base_version is None and draft.documents["app.json"]["name"] == "projects"
        with pytest.raises(Conflict):
            create_app_draft(conn, "shop", {"en": "Shop"}, None)
        with pytest.raises(BadInput):
            create_app_draft(conn, "Bad Name", {"en": "x"}, None)
    with engine.begin() as conn, pytest.raises(NotFound):
        open_draft(conn, "nope", None)


def test_preview_lists_problems_then_changes(engine, shop):
    with engine.begin() as conn:
        doc = open_draft(conn, "shop", None).documents["entities/item.json"]
        save_document(conn, "shop", "entities/item.json", {**doc, "fields": [*doc["fields"], {"name": "select", "type": "text"}]}, 1, None)
        source = load_draft(conn, "shop").source
    preview = preview_publish(engine, "shop", source)
    assert not preview.can_publish and any("select" in p["message"] or "reserved" in p["message"] for p in preview.problems)
    with engine.begin() as conn:
        save_document(conn, "shop", "entities/item.json", {**doc, "fields": [*doc["fields"], make_field("sku")]}, 2, None)
        source = load_draft(conn, "shop").source
    preview = preview_publish(engine, "shop", source)
    assert preview.can_publish and [c["kind"] for c in preview.changes] == ["add_field"]


def test_preview_refuses_lossy_changes(engine, shop):
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("INSERT INTO shop__item (version, created_at, updated_at, name) "
                          "VALUES (1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'abc')"))
        doc = open_draft(conn, "shop", None).documents["entities/item.json"]
        fields = [make_field("name", "integer"), make_field("price", "currency")]
        save_document(conn, "shop", "entities/item.json", {**doc, "fields": fields}, 1, None)
        source = load_draft(conn, "shop").source
    preview = preview_publish(engine, "shop", source)
    assert preview.refused and not preview.can_publish


def test_versions_diff_and_rollback(engine, shop):
    source = make_app("shop", make_entity("item", [make_field("name"), make_field("sku")]), version="1.1.0")
    publish(engine, source, author="ann@example.com")
    with engine.connect() as conn:
        versions = list_versions(conn, "shop")
        diff = diff_versions(conn, "shop", 1, 2)
    assert [v["number"] for v in versions] == [2, 1] and versions[0]["author"] == "ann@example.com"
    changed = {d["path"]: d for d in diff["documents"]}
    pointers = {i["pointer"] for i in changed["entities/item.json"]["items"]}
    assert {"/fields/sku", "/fields/price"} <= pointers
    assert any("add field item.sku" in c for c in diff["changes"])
    result = rollback(engine, "shop", 1, author="ann@example.com")
    assert result.version == 3
    assert any(c.kind == "archive_field" and c.field == "sku" for c in result.changes)


def test_pointer_lines_follow_the_admins_own_layout():
    text = '{"name": "x",\n "fields": [\n   {"name": "a"},\n   {"name": "b", "type": "nmber"}\n ]}'
    lines = pointer_lines(text)
    assert lines["/fields/1/type"] == 4 and line_of(lines, "/fields/1/missing") == 4
    assert pointer_lines(pretty({"a": [1, {"b": 2}]})) == {"": 1, "/a": 2, "/a/0": 3, "/a/1": 4, "/a/1/b": 5}
