"""A list's links (sort, mode, paging, clear) are built from one path plus an encoded query,
not one ``url_for`` with the query per link: they must read exactly as ``url_for`` wrote them."""

from __future__ import annotations

import pytest
from flask import url_for

from runtime.web.screens.filters import FilterRow
from runtime.web.screens.list_state import ListState

STATES = [
    ListState("crm", "deal"),
    ListState("crm", "deal", view=2),
    ListState("crm", "deal", search="a b&c=d/é?#+%", where="amount > 1 and stage == 'won'", order="-amount",
              columns=("name", "stage"), rows=(FilterRow("name", "eq", "1 2"), FilterRow("stage", "contains", "ü&")),
              view=3, mode="kanban", extra={"group": "stage", "month": "2026-01"}, cursor="abc=", count=True),
]


@pytest.mark.parametrize("state", STATES)
def test_a_list_url_reads_as_url_for_writes_it(app, state):
    with app.test_request_context():
        grouped: dict = {}
        for key, value in state.args():
            grouped.setdefault(key, []).append(value)
        assert state.url(cursor=state.cursor) == url_for("web.records", app="crm", entity="deal", **grouped)


def test_sorting_a_column_starts_at_page_one(app):
    with app.test_request_context():
        assert ListState("crm", "deal", cursor="abc", order="name").sort_url("name") == "/a/crm/deal?order=-name"
