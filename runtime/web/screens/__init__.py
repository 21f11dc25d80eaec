"""Generated screens for every published entity: list, record, form, recycle bin (DESIGN §4 URLs)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from runtime.web.screens.bin import bin_view
from runtime.web.screens.bin import delete_record
from runtime.web.screens.bin import purge_record
from runtime.web.screens.bin import restore_record
from runtime.web.screens.boards import move_record
from runtime.web.screens.bulk import bulk
from runtime.web.screens.detail import record
from runtime.web.screens.editing import edit_record
from runtime.web.screens.editing import new_record
from runtime.web.screens.listing import records
from runtime.web.screens.options import options
from runtime.web.screens.sharing import share_record
from runtime.web.screens.sharing import unshare_record
from runtime.web.screens.views_ui import delete_saved_view
from runtime.web.screens.views_ui import save_current_view

__all__ = ["register"]

ENTITY = "/a/<app>/<entity>"
RECORD = ENTITY + "/<int:record_id>"


def register(bp: Blueprint) -> None:
    routes = [
        (ENTITY, "records", records, ["GET"]),
        (ENTITY + "/new", "new_record", new_record, ["GET", "POST"]),
        (ENTITY + "/bin", "bin", bin_view, ["GET"]),
        (ENTITY + "/bulk", "bulk", bulk, ["POST"]),
        (ENTITY + "/options", "options", options, ["GET"]),
        (RECORD, "record", record, ["GET"]),
        (RECORD + "/edit", "edit_record", edit_record, ["GET", "POST"]),
        (RECORD + "/delete", "delete_record", delete_record, ["POST"]),
        (RECORD + "/restore", "restore_record", restore_record, ["POST"]),
        (RECORD + "/purge", "purge_record", purge_record, ["POST"]),
        (RECORD + "/move", "move_record", move_record, ["POST"]),
        (RECORD + "/shares", "share_record", share_record, ["POST"]),
        (RECORD + "/shares/<id32:share_id>/delete", "unshare_record", unshare_record, ["POST"]),
        (ENTITY + "/views", "save_view", save_current_view, ["POST"]),
        (ENTITY + "/views/<id32:view_id>/delete", "delete_view", delete_saved_view, ["POST"]),
    ]
    for rule, endpoint, view, methods in routes:
        bp.add_url_rule(rule, endpoint, login_required(view), methods=methods)
