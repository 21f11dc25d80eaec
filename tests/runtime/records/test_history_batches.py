"""Batch history entries (bulk imports) read back as each record's own entry."""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from runtime.records.history import BATCH_SPAN
from runtime.records.history import record_batch_created
from runtime.records.history import record_change
from runtime.records.history import record_history
from runtime.storage.system import history

AT = datetime(2026, 11, 23, 9, 0)


def test_each_record_sees_only_its_share_of_a_batch(engine):
    far = 10 + BATCH_SPAN * 3
    created = {i: [f"n{i}", None] for i in (10, 11, 13, far)}
    with engine.begin() as conn:
        record_batch_created(conn, "a", "e", ["name", "city"], created, 7, AT)
        record_change(conn, "a", "e", 11, "update", 8, AT, {"name": ["n11", "x"]})
        record_batch_created(conn, "a", "other", ["name"], {12: ["elsewhere"]}, 7, AT)
        entries = conn.execute(select(func.count()).select_from(history)).scalar_one()
        histories = {i: record_history(conn, "a", "e", i) for i in (10, 11, 12, 13, far)}
    assert entries == 4  # two batch entries (the far id starts a new one), one update, one other entity
    assert [e["changes"] for e in histories[10]] == [{"name": [None, "n10"]}]
    assert [(e["action"], e["user_id"]) for e in histories[11]] == [("create", 7), ("update", 8)]
    assert histories[12] == []  # inside the id range, but not one of this batch's records
    assert histories[far][0]["changes"] == {"name": [None, f"n{far}"]}
