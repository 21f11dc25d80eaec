"""``/admin/audit``: the security audit log for admins, newest first.

Paged by keyset (``before=<id>``: ids only grow, so a page never shifts while
new events arrive) and filtered by event, user, date range and IP.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask_login import login_required
from sqlalchemy import Select
from sqlalchemy import select

from runtime.security.audit import EVENTS
from runtime.storage.system import audit_log
from runtime.web.roles_admin import admin_only

__all__ = ["register"]

PAGE = 50


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _id(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _like(text: str) -> str:
    """A substring pattern with the user's ``%``/``_`` taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def filtered(args) -> tuple[Select, dict]:
    """The query for the page's filters, and the filters as understood (for the form)."""
    wanted = {"event": args.get("event", "") if args.get("event") in EVENTS else "",
              "user": (args.get("user") or "").strip()[:254], "ip": (args.get("ip") or "").strip()[:45],
              "since": _day(args.get("since")), "until": _day(args.get("until"))}
    query = select(audit_log).order_by(audit_log.c.id.desc())
    if wanted["event"]:
        query = query.where(audit_log.c.event == wanted["event"])
    if wanted["user"]:
        user_id = _id(wanted["user"])
        query = query.where(audit_log.c.user_id == user_id if user_id is not None
                            else audit_log.c.email.ilike(_like(wanted["user"]), escape="\\"))
    if wanted["ip"]:
        query = query.where(audit_log.c.ip == wanted["ip"])
    if wanted["since"]:
        query = query.where(audit_log.c.at >= datetime.combine(wanted["since"], datetime.min.time()))
    if wanted["until"]:
        query = query.where(audit_log.c.at < datetime.combine(wanted["until"] + timedelta(days=1),
                                                              datetime.min.time()))
    return query, wanted


@login_required
def audit_page():
    admin_only()
    query, wanted = filtered(request.args)
    before = _id(request.args.get("before"))
    if before is not None:
        query = query.where(audit_log.c.id < before)
    with current_app.extensions["metacrm"]["engine"].connect() as conn:
        rows = conn.execute(query.limit(PAGE + 1)).all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    next_args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template("web/admin_audit.html", rows=rows, wanted=wanted, events=sorted(EVENTS),
                           next_args={**next_args, "before": rows[-1].id} if more else None)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/audit", "admin_audit", audit_page)
