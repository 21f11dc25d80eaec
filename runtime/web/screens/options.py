"""Search-as-you-type for link fields: ``?q=acme`` -> the first matching records' ids and titles.

Goes through the same list path as the list screen (search, permissions), so
a picker never offers a record its user could not open.
"""

from __future__ import annotations

from flask import jsonify
from flask import request

from runtime.web.screens.access import screen
from runtime.web.screens.display import title_of

__all__ = ["options"]

OPTION_ROWS = 20


def options(app: str, entity: str):
    s = screen(app, entity)
    query = request.args.get("q", "").strip()[:100]
    page = s.service.list(s.conn, app, entity, secret=s.secret, user_id=s.user_id, limit=OPTION_ROWS,
                          search=query or None)
    return jsonify({"data": [{"id": r["id"], "title": title_of(s.entity, r)} for r in page.data]})
