"""Reference fields: link (to a record), table (child rows), user."""

from __future__ import annotations

from sqlalchemy import Integer

from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

MAX_ID = 2**63 - 1  # record ids are 64-bit; a bigger number is bad input, not a database error
MAX_USER_ID = 2**31 - 1  # user ids are 32-bit (metacrm_user.id is INTEGER)
TARGET = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}(\\.[a-z][a-z0-9_]{0,39})?$"}


def _record_id(value, limit: int = MAX_ID) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, bool):
        raise ValueError("expected a record id")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("expected a record id") from None
    if not 0 < number <= limit:
        raise ValueError("expected a record id")
    return number


@register
class LinkType(FieldType):
    """A foreign key to another record; ``on_delete`` is enforced by the database too."""

    name = "link"
    options = {
        "target": TARGET,
        "on_delete": {"enum": ["restrict", "cascade", "set_null"]},
    }
    required_options = ("target",)

    def default_schema(self):
        return {"type": "integer"}

    def column_type(self, field):
        return Integer()

    def storage(self, field):
        return ("link", field.opt("target"))

    def value_kind(self, field):
        return ("link", field.opt("target"))

    def coerce(self, field, value):
        return _record_id(value)


@register
class TableType(FieldType):
    """Child rows held in the target entity's table (which gets ``parent_id``)."""

    name = "table"
    stored = False
    indexable = False
    options = {"target": TARGET, "min_rows": {"type": "integer", "minimum": 0}}
    required_options = ("target",)



@register
class UserType(FieldType):
    name = "user"
    options = {}

    def default_schema(self):
        return {"anyOf": [{"enum": ["$me"]}, {"type": "integer"}]}

    def column_type(self, field):
        return Integer()

    def storage(self, field):
        return ("user",)

    def value_kind(self, field):
        return ("user",)

    def coerce(self, field, value):
        return _record_id(value, MAX_USER_ID)
