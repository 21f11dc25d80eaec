"""Choice fields: boolean, select, multiselect."""

from __future__ import annotations

from sqlalchemy import Boolean

from runtime.fieldtypes.base import CodeStorage
from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

OPTION_VALUE = {"type": "string", "minLength": 1, "maxLength": 64}
OPTIONS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": OPTION_VALUE,
            "label": {"$ref": "#/$defs/label"},
            "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        },
        "additionalProperties": False,
    },
}
TRUE_WORDS = {"1", "true", "yes", "y", "on", "是", "对"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "否", "不"}


def option_values(field) -> list[str]:
    return [o["value"] for o in field.opt("options", ())]


@register
class BooleanType(FieldType):
    name = "boolean"
    indexable = True

    def default_schema(self):
        return {"type": "boolean"}

    def column_type(self, field):
        return Boolean()

    def storage(self, field):
        return ("boolean",)

    def value_kind(self, field):
        return ("boolean",)

    def coerce(self, field, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("expected yes or no")


@register
class SelectType(CodeStorage, FieldType):
    name = "select"
    options = {"options": OPTIONS}
    required_options = ("options",)

    def default_schema(self):
        return OPTION_VALUE


    def coerce(self, field, value):
        return self.coercer(field)(value)

    def coercer(self, field):
        allowed = frozenset(option_values(field))

        def coerce(value):
            if value is None or value == "":
                return None
            value = str(value)
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of the options")
            return value

        return coerce


@register
class MultiselectType(FieldType):
    name = "multiselect"
    options = {"options": OPTIONS}
    required_options = ("options",)
    indexable = False

    def default_schema(self):
        return {"type": "array", "items": OPTION_VALUE}

    def column_type(self, field):
        from runtime.storage.system import JsonType

        return JsonType

    def storage(self, field):
        return ("json",)

    def value_kind(self, field):
        return ("list",)

    def coerce(self, field, value):
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ValueError("expected a list of options")
        allowed = option_values(field)
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ValueError(f"{bad[0]!r} is not one of the options")
        return [v for v in allowed if v in value]  # canonical order, no duplicates
