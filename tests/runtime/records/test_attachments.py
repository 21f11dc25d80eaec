"""Record attachments: stored like file fields, shown to readers, changed by updaters, kept."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import select

from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.records.attachments import MAX_BYTES
from runtime.records.attachments import add_attachment
from runtime.records.attachments import list_attachments
from runtime.records.attachments import may_attach
from runtime.records.attachments import open_attachment
from runtime.records.attachments import remove_attachment
from runtime.records.files import blob_path
from runtime.records.history import ATTACHMENTS
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.storage.system import attachments
from tests.runtime.security.permissions_app import install

NOW = datetime(2026, 3, 1, 9, 30)
PDF = b"%PDF-1.7\n" + b"x" * 100
ELF = b"\x7fELF" + b"\x00" * 60


@pytest.fixture
def world(engine, settings):
    """The permissions app: a deal of rep_east (rep_east2 may read it, rep_west may not)."""
    people = install(engine)
    with engine.begin() as conn:
        admin = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        deal = admin.create(
            conn,
            "sales",
            "deal",
            {"title": "Big deal", "owner": people["rep_east"]},
            people["admin"],
        )["id"]
    return people, deal, settings.files_dir


def as_user(conn, user_id):
    return records_for(conn, SchemaRegistry.from_connection(conn), user_id)


def attach(engine, world, who="rep_east", content=PDF, name="contract.pdf"):
    people, deal, files_dir = world
    with engine.begin() as conn:
        return add_attachment(
            conn,
            as_user(conn, people[who]),
            files_dir,
            "sales",
            "deal",
            deal,
            content,
            name,
            people[who],
            NOW,
        )


def listed(engine, world, who):
    people, deal, _files = world
    with engine.connect() as conn:
        return list_attachments(conn, as_user(conn, people[who]), "sales", "deal", deal)


def stored_files(files_dir) -> list:
    return [p for p in files_dir.rglob("*") if p.is_file()]


def test_an_updater_attaches_and_a_reader_lists_and_opens_it(engine, world):
    people, deal, files_dir = world
    added = attach(engine, world, content=io.BytesIO(PDF), name="../Q1 <contract>.pdf")
    assert added == {
        "id": added["id"],
        "name": "Q1 <contract>.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "created_by": people["rep_east"],
        "created_by_name": "rep_east",
        "created_at": NOW,
    }
    assert listed(engine, world, "rep_east2") == [added]
    with engine.connect() as conn:
        path, found = open_attachment(
            conn, as_user(conn, people["rep_east2"]), files_dir, "sales", "deal", deal, added["id"]
        )
        digest = conn.execute(select(attachments.c.sha256)).scalar()
    # the file fields' storage
    assert path == blob_path(files_dir, digest) and path.read_bytes() == PDF
    assert found["name"] == "Q1 <contract>.pdf"


def test_newest_first(engine, world):
    first, second = (
        attach(engine, world, name="a.txt", content=b"one"),
        attach(engine, world, name="b.txt", content=b"two"),
    )
    assert [a["id"] for a in listed(engine, world, "manager")] == [second["id"], first["id"]]


def test_a_record_one_may_not_read_is_not_found(engine, world):
    people, deal, files_dir = world
    added = attach(engine, world)
    with engine.connect() as conn:
        west = as_user(conn, people["rep_west"])
        with pytest.raises(NotFound):
            list_attachments(conn, west, "sales", "deal", deal)
        with pytest.raises(NotFound):
            open_attachment(conn, west, files_dir, "sales", "deal", deal, added["id"])
        with pytest.raises(NotFound):  # nobody has no role: not even the entity exists for them
            list_attachments(conn, as_user(conn, people["nobody"]), "sales", "deal", deal)


def test_a_reader_who_may_not_update_may_not_add_or_remove(engine, world):
    people, deal, files_dir = world
    added = attach(engine, world)
    with engine.begin() as conn:
        reader = as_user(conn, people["rep_east2"])
        assert not may_attach(conn, reader, "sales", "deal", deal)
        with pytest.raises(AccessDenied):
            add_attachment(
                conn,
                reader,
                files_dir,
                "sales",
                "deal",
                deal,
                PDF,
                "x.pdf",
                people["rep_east2"],
                NOW,
            )
        with pytest.raises(AccessDenied):
            remove_attachment(
                conn, reader, "sales", "deal", deal, added["id"], people["rep_east2"], NOW
            )
    assert len(listed(engine, world, "rep_east")) == 1


@pytest.mark.parametrize(
    "content, problem",
    [
        (ELF, "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (b"", "empty"),
        (b"x" * (MAX_BYTES + 1), "too large"),
    ],
)
def test_executable_empty_or_oversized_uploads_are_refused_and_nothing_is_stored(
    engine, world, content, problem
):
    _people, _deal, files_dir = world
    with pytest.raises(BadInput) as refused:
        attach(engine, world, content=content, name="setup.pdf")
    assert refused.value.details == {"file": problem}
    assert listed(engine, world, "rep_east") == [] and stored_files(files_dir) == []


def test_removing_marks_the_row_keeps_the_file_and_both_changes_are_in_the_history(engine, world):
    people, deal, files_dir = world
    added = attach(engine, world)
    later = datetime(2026, 3, 2)
    with engine.begin() as conn:
        remove_attachment(
            conn,
            as_user(conn, people["rep_east"]),
            "sales",
            "deal",
            deal,
            added["id"],
            people["rep_east"],
            later,
        )
    assert listed(engine, world, "rep_east") == []
    with engine.connect() as conn:
        row = conn.execute(select(attachments)).mappings().one()
        history = as_user(conn, people["rep_east"]).history(conn, "sales", "deal", deal)
        with pytest.raises(NotFound):  # a removed one is no longer served
            open_attachment(
                conn, as_user(conn, people["admin"]), files_dir, "sales", "deal", deal, added["id"]
            )
    assert row["deleted_at"] == later and row["deleted_by"] == people["rep_east"]
    assert blob_path(files_dir, row["sha256"]).read_bytes() == PDF
    assert [(h["action"], h["user_id"], h["changes"]) for h in history[-2:]] == [
        ("attach", people["rep_east"], {ATTACHMENTS: [None, "contract.pdf"]}),
        ("detach", people["rep_east"], {ATTACHMENTS: ["contract.pdf", None]}),
    ]


def test_ids_of_other_records_and_removed_ones_are_not_found(engine, world):
    people, deal, _files = world
    added = attach(engine, world)
    with engine.begin() as conn:
        admin = as_user(conn, people["admin"])
        other = admin.create(conn, "sales", "deal", {"title": "Other"}, people["admin"])["id"]
        for record_id, attachment_id in (
            (other, added["id"]),
            (deal, added["id"] + 1),
            (deal, 2**64),
        ):
            with pytest.raises(NotFound):
                remove_attachment(
                    conn, admin, "sales", "deal", record_id, attachment_id, people["admin"], NOW
                )
        remove_attachment(conn, admin, "sales", "deal", deal, added["id"], people["admin"], NOW)
        with pytest.raises(NotFound):
            remove_attachment(conn, admin, "sales", "deal", deal, added["id"], people["admin"], NOW)


def test_binned_and_purged_records_show_none_and_a_reused_id_inherits_none(engine, world):
    people, deal, _files = world
    attach(engine, world)
    with engine.begin() as conn:
        admin = as_user(conn, people["admin"])
        admin.delete(conn, "sales", "deal", deal, people["admin"])
        with pytest.raises(NotFound):  # in the recycle bin: not readable, so not listed
            list_attachments(conn, admin, "sales", "deal", deal)
        admin.purge(conn, "sales", "deal", deal, people["admin"], is_admin=True)
        assert conn.execute(select(attachments.c.deleted_at)).scalar() is not None
