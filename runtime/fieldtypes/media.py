"""Uploaded and drawn content: file, image, signature; and geo points."""

from __future__ import annotations

import re

from sqlalchemy import Text

from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

FILE_ID = re.compile(r"^[0-9a-f-]{1,36}$")


def _json_column():
    from runtime.storage.system import JsonType

    return JsonType


class _Upload(FieldType):
    """Descriptors of stored files (``{"id", "name", "size", "content_type"}``)."""

    indexable = False
    options = {
        "max_size_mb": {"type": "number", "exclusiveMinimum": 0, "maximum": 1024},
        "accept": {"type": "array", "items": {"type": "string"}},
        "multiple": {"type": "boolean"},
    }


    def column_type(self, field):
        return _json_column()

    def storage(self, field):
        return ("json",)

    def coerce(self, field, value):
        if value in (None, "", []):
            return None
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, dict) and isinstance(i.get("id"), str) and FILE_ID.match(i["id"]) for i in items):
            raise ValueError('expected uploaded files as [{"id": "<file id>"}]')
        if len(items) > 1 and not field.opt("multiple", False):
            raise ValueError("only one file allowed")
        return [{"id": i["id"]} for i in items]  # the server fills in name, size and type


@register
class FileType(_Upload):
    name = "file"


@register
class ImageType(_Upload):
    name = "image"


@register
class SignatureType(FieldType):
    """A drawn signature as a PNG data URL."""

    name = "signature"
    indexable = False


    def column_type(self, field):
        return Text()

    def storage(self, field):
        return ("text",)

    def coerce(self, field, value):
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not value.startswith("data:image/png;base64,"):
            raise ValueError("expected a PNG data URL")
        if len(value) > 2_000_000:
            raise ValueError("signature image too large")
        return value


@register
class GeoType(FieldType):
    """A point as ``{"lat": .., "lng": ..}``."""

    name = "geo"
    indexable = False


    def column_type(self, field):
        return _json_column()

    def storage(self, field):
        return ("json",)

    def coerce(self, field, value):
        if value in (None, ""):
            return None
        try:
            lat, lng = float(value["lat"]), float(value["lng"])
        except (TypeError, KeyError, ValueError):
            raise ValueError('expected {"lat": .., "lng": ..}') from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError("latitude or longitude out of range")
        return {"lat": lat, "lng": lng}
