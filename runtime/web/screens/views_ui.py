"""Saved views on the list screen: apply one, save the current list as one, delete one's own.

A view fills in only what the URL leaves out, so a link that sorts or filters
a viewed list still wins over the view (``list_state.with_view``).
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from runtime.api import context
from runtime.errors import AccessDenied
from runtime.errors import MetacrmError
from runtime.errors import NotFound
from runtime.records.saved_views import delete_view
from runtime.records.saved_views import get_view
from runtime.records.saved_views import list_views
from runtime.records.saved_views import save_view
from runtime.web.i18n import translate
from runtime.web.screens.access import Screen
from runtime.web.screens.access import screen
from runtime.web.screens.boards import default_date_field
from runtime.web.screens.boards import default_group
from runtime.web.screens.list_state import ListState
from runtime.web.screens.list_state import with_view

__all__ = ["delete_saved_view", "save_current_view", "view_state"]


def view_state(s: Screen, args: MultiDict) -> tuple[ListState, list[dict]]:
    """The list's state with its saved view applied, and the views the user can pick from."""
    app, entity = s.app.name, s.entity.name
    views = list_views(s.conn, s.user_id, app, entity)
    state = ListState.from_args(app, entity, args)
    if state.view is None:
        return state, views
    view = next((v for v in views if v["id"] == state.view), None)
    if view is None:
        flash(_t("That saved view no longer exists; showing the plain list."), "warning")
        return ListState.from_args(app, entity, _without(args, "view")), views
    return ListState.from_args(app, entity, with_view(args, view["spec"])), views


def save_current_view(app: str, entity: str):
    """Store the list as the form describes it (the page's own state) under the given name."""
    state = ListState.from_args(app, entity, _without(request.form, "view", "cursor", "count"))
    try:
        with context.engine().begin() as conn:
            s = screen(app, entity, conn)
            view = save_view(conn, s.registry, s.user_id, app, entity, request.form.get("name", ""),
                             _spec(s, state), request.form.get("shared") == "1", s.service.clock())
    except MetacrmError as err:
        flash(_t("The view was not saved: {problem}", problem=err.message), "danger")
        return redirect(state.url())
    flash(_t("Saved the view {name}.", name=view["name"]), "success")
    return redirect(url_for("web.records", app=app, entity=entity, view=view["id"]))


def delete_saved_view(app: str, entity: str, view_id: int):
    """Only one's own views are offered for deletion; someone else's shared view is refused here too."""
    try:
        with context.engine().begin() as conn:
            s = screen(app, entity, conn)
            view = get_view(conn, s.user_id, view_id)
            if (view["app"], view["entity"]) != (app, entity):
                raise NotFound(f"no saved view {view_id}")
            if not view["own"]:
                raise AccessDenied(_t("Only the owner can delete a view."))
            delete_view(conn, s.user_id, view_id)
    except MetacrmError as err:
        flash(_t("The view was not deleted: {problem}", problem=err.message), "danger")
    else:
        flash(_t("Deleted the view {name}.", name=view["name"]), "success")
    return redirect(url_for("web.records", app=app, entity=entity))


def _spec(s: Screen, state: ListState) -> dict:
    """The view spec of a list state; a board without an explicit field keeps the one it shows."""
    group, date_field = state.extra.get("group"), state.extra.get("date_field")
    group = default_group(s.entity, group) if group or state.mode == "kanban" else None
    date_field = default_date_field(s.entity, date_field) if date_field or state.mode == "calendar" else None
    return {"columns": list(state.columns), "where": state.combined_where(s.entity), "order": state.order,
            "search": state.search, "mode": state.mode, "group_by": group, "date_field": date_field}


def _without(args: MultiDict, *keys: str) -> MultiDict:
    kept = MultiDict(args)
    for key in keys:
        kept.poplist(key)
    return kept


def _t(text: str, **params) -> str:
    return translate(text, current_user.language, **params)
