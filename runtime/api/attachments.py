"""``/api/v1/<app>/<entity>/<id>/attachments``: list, add, download and remove a record's files.

The rules are the attachment service's (``runtime/records/attachments.py``);
a token needs write scope to add or remove, like any other change (``auth.py``).
Downloads are served like file fields' (``data.as_download``).
"""

from __future__ import annotations

from flask import Blueprint
from flask import request
from flask import send_file
from flask import url_for
from werkzeug.datastructures import FileStorage

from runtime.api import context
from runtime.api.auth import api_user
from runtime.api.data import as_download
from runtime.api.routes import RECORD
from runtime.api.routes import RecordRoutes
from runtime.api.serialize import empty_response
from runtime.api.serialize import json_response
from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.records.attachments import FORM_FIELD
from runtime.records.attachments import MAX_BYTES
from runtime.records.attachments import add_attachment
from runtime.records.attachments import list_attachments
from runtime.records.attachments import open_attachment
from runtime.records.attachments import remove_attachment

FORM_OVERHEAD = 65536  # multipart headers around the file


def posted_upload() -> FileStorage | None:
    """The request's file (multipart field ``FORM_FIELD``). The body may hold the largest file
    allowed, over the app's usual limit; the file's own limit is checked on storing."""
    request.max_content_length = MAX_BYTES + FORM_OVERHEAD
    return request.files.get(FORM_FIELD)


def attach_upload(conn, service, app: str, entity: str, record_id: int, upload: FileStorage,
                  user_id: int) -> dict:
    """``add_attachment`` for an upload of this request (the API's and the record page's)."""
    return add_attachment(conn, service, context.settings().files_dir, app, entity, record_id,
                          upload.stream, upload.filename, user_id, utcnow())


class AttachmentRoutes:
    """Attachment views on the record routes' unit of work (registry, guarded service, 404s)."""

    def __init__(self, records: RecordRoutes):
        self.records = records

    def list(self, app: str, entity: str, record_id: int):
        with self.records.unit(app, entity, record_id) as (conn, service, _ent, _out):
            found = list_attachments(conn, service, app, entity, record_id)
        return json_response({"data": [_public(app, entity, record_id, a) for a in found]})

    def add(self, app: str, entity: str, record_id: int):
        upload = posted_upload()
        if upload is None:
            raise BadInput(f'Send the file as multipart form field "{FORM_FIELD}".')
        with self.records.unit(app, entity, record_id, write=True) as (conn, service, _ent, _out):
            added = attach_upload(conn, service, app, entity, record_id, upload, api_user().id)
        body = _public(app, entity, record_id, added)
        return json_response({"data": body}, 201, {"Location": body["download"]})

    def download(self, app: str, entity: str, record_id: int, attachment_id: int):
        with self.records.unit(app, entity, record_id) as (conn, service, _ent, _out):
            path, found = open_attachment(
                conn, service, context.settings().files_dir, app, entity, record_id, attachment_id
            )
        return as_download(
            send_file(
                path,
                mimetype=found["content_type"],
                as_attachment=True,
                download_name=found["name"],
            )
        )

    def remove(self, app: str, entity: str, record_id: int, attachment_id: int):
        with self.records.unit(app, entity, record_id, write=True) as (conn, service, _ent, _out):
            remove_attachment(
                conn, service, app, entity, record_id, attachment_id, api_user().id, utcnow()
            )
        return empty_response(204)

    def register(self, bp: Blueprint) -> None:
        one = f"{RECORD}/attachments/<int:attachment_id>"
        bp.add_url_rule(f"{RECORD}/attachments", "record_attachments", self.list, methods=["GET"])
        bp.add_url_rule(f"{RECORD}/attachments", "attach", self.add, methods=["POST"])
        bp.add_url_rule(one, "record_attachment", self.download, methods=["GET"])
        bp.add_url_rule(one, "detach", self.remove, methods=["DELETE"])


def _public(app: str, entity: str, record_id: int, attachment: dict) -> dict:
    """The attachment resource: its facts and where to download it."""
    return {
        **attachment,
        "download": url_for(
            "api.record_attachment",
            app=app,
            entity=entity,
            record_id=record_id,
            attachment_id=attachment["id"],
        ),
    }


def register(bp: Blueprint, registries: context.RegistryCache) -> None:
    AttachmentRoutes(RecordRoutes(registries)).register(bp)
