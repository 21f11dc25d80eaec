"""The record page: fields in the form's layout, child tables, related lists and history."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from runtime.clock import utcnow
from runtime.records.computed import session_variables
from runtime.records.titles import user_names
from runtime.web.screens.access import screen
from runtime.web.screens.conditions import FormJudge
from runtime.web.screens.conditions import typed_values
from runtime.web.screens.display import title_of
from runtime.web.screens.layout import entity_layout
from runtime.web.screens.layout import without_fields
from runtime.web.screens.related import related_lists
from runtime.web.screens.sharing import sharing_card
from runtime.web.screens.timeline import timeline

__all__ = ["record"]


def record(app: str, entity: str, record_id: int):
    s = screen(app, entity)
    rec = s.service.get(s.conn, app, entity, record_id, user_id=s.user_id)
    language = current_user.language
    related = related_lists(s.conn, s.service, s.registry, s.entity, record_id, s.user_id, s.secret)
    history = s.service.history(s.conn, app, entity, record_id)
    names = user_names(s.conn, {h["user_id"] for h in history})
    layout = without_fields(entity_layout(s.app, s.entity), s.hidden)
    judge = FormJudge(s.conn, s.registry, s.entity, typed_values(s.entity, rec), session_variables(s.user_id, utcnow()))
    return render_template(
        "web/detail.html", s=s, r=rec, title=title_of(s.entity, rec),
        layout=without_fields(layout, judge.hidden_fields(layout)),
        display=s.display(s.entity, [rec]),
        children=_child_displays(s, rec),
        related=[(rel, s.display(rel.entity, rel.rows)) for rel in related],
        timeline=timeline(s.entity, history, names, language), title_of=title_of,
        sharing=sharing_card(s, record_id),
    )


def _child_displays(s, rec: dict) -> dict:
    """A Display per child table, so link and user values inside child rows show titles too."""
    out = {}
    for field in s.entity.fields:
        if field.type == "table":
            child, _table = s.registry.target(s.entity, field.opt("target"))
            out[field.name] = (child, s.display(child, rec.get(field.name) or []))
    return out
