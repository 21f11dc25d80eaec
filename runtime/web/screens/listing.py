"""The list screen: a page of records with search, filters, sort, chosen columns and keyset paging.

The service applies the user's rights (runtime/security/guarded.py); the
page never counts all rows unless asked (DESIGN §5).
"""

from __future__ import annotations

from flask import render_template
from flask import request
from flask_login import current_user

from runtime.errors import ValidationFailed
from runtime.records.queries import Page
from runtime.web.screens.access import screen
from runtime.web.screens.boards import BOARD_MODES
from runtime.web.screens.boards import board
from runtime.web.screens.columns import list_columns
from runtime.web.screens.columns import listable
from runtime.web.screens.columns import sortable
from runtime.web.screens.filters import KIND_OPERATORS
from runtime.web.screens.filters import OPERATORS
from runtime.web.screens.filters import filter_kind
from runtime.web.screens.filters import filterable
from runtime.web.screens.rows import column_headers
from runtime.web.screens.rows import table_rows
from runtime.web.screens.views_ui import view_state

__all__ = ["PAGE_SIZE", "records"]

PAGE_SIZE = 50


def records(app: str, entity: str):
    s = screen(app, entity)
    state, views = view_state(s, request.args)
    if state.mode in BOARD_MODES:
        return board(s, state, views)
    columns = list_columns(s.entity, list(state.columns), s.hidden)
    error, status = None, 200
    try:
        page = s.service.list(s.conn, app, entity, secret=s.secret, user_id=s.user_id, limit=PAGE_SIZE,
                              where=state.combined_where(s.entity), order=state.order or None,
                              cursor=state.cursor or None, search=state.search or None, count=state.count)
    except ValidationFailed as err:  # a bad filter or sort: show it at the filter bar, list nothing
        page, error, status = Page([], None), err, 422
    display = s.display(s.entity, page.data)
    headers = column_headers(s.entity, columns, current_user.language)
    return render_template(
        "web/list.html", s=s, state=state, page=page, columns=columns, error=error,
        rows=table_rows(s, page.data, columns, display, headers),
        sortable=sortable, locked=s.locked,
        all_columns=[f for f in s.entity.fields if listable(f) and f.name not in s.hidden],
        filter_fields=[f for f in filterable(s.entity) if f.name not in s.hidden],
        operators=OPERATORS, kind_operators=KIND_OPERATORS, filter_kind=filter_kind, views=views,
    ), status
