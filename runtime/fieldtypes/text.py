"""Text-like fields: text, textarea, richtext, email, phone, url."""

from __future__ import annotations

import re

from sqlalchemy import String
from sqlalchemy import Text

from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_VARCHAR = 10000


class _Text(FieldType):
    default_length = 255
    pattern: re.Pattern | None = None
    pattern_message = ""
    options = {
        "max_length": {"type": "integer", "minimum": 1, "maximum": MAX_VARCHAR},
        "min_length": {"type": "integer", "minimum": 0},
    }

    def default_schema(self):
        return {"type": "string"}

    def length(self, field) -> int:
        return field.opt("max_length", self.default_length)

    def column_type(self, field):
        return String(self.length(field))

    def storage(self, field):
        return ("string", self.length(field))

    def value_kind(self, field):
        return ("text",)

    def coerce(self, field, value):
        return self.coercer(field)(value)

    def coercer(self, field):
        longest, shortest, pattern = self.length(field), field.opt("min_length", 0), self.pattern
        message = self.pattern_message

        def coerce(value):
            if value is None or value == "":
                return None
            if isinstance(value, (dict, list, bool)):
                raise ValueError("expected text")
            value = str(value)
            if len(value) > longest:
                raise ValueError(f"at most {longest} characters")
            if len(value) < shortest:
                raise ValueError(f"at least {shortest} characters")
            if pattern is None:
                return value
            value = value.strip()
            if not pattern.match(value):
                raise ValueError(message)
            return value

        return coerce


@register
class TextType(_Text):
    name = "text"


@register
class EmailType(_Text):
    name = "email"
    default_length = 254
    pattern = EMAIL_RE
    pattern_message = "not a valid email address"


@register
class PhoneType(_Text):
    name = "phone"
    default_length = 40
    pattern = PHONE_RE
    pattern_message = "not a valid phone number"


@register
class UrlType(_Text):
    name = "url"
    default_length = 2048
    pattern = URL_RE
    pattern_message = "not a valid http(s) URL"


class _LongText(_Text):
    """Unbounded text column; ``max_length`` is checked on input only."""

    indexable = False

    def length(self, field):
        return field.opt("max_length", 1_000_000)

    def column_type(self, field):
        return Text()

    def storage(self, field):
        return ("text",)


@register
class TextareaType(_LongText):
    name = "textarea"


@register
class RichtextType(_LongText):
    name = "richtext"
