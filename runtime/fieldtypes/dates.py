"""Date and datetime fields; datetimes are stored naive in UTC."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timezone

from sqlalchemy import Date
from sqlalchemy import DateTime

from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

DATE_DEFAULTS = {"type": "string", "anyOf": [{"format": "date"}, {"enum": ["$today"]}]}


@register
class DateType(FieldType):
    name = "date"

    def default_schema(self):
        return DATE_DEFAULTS

    def column_type(self, field):
        return Date()

    def storage(self, field):
        return ("date",)

    def value_kind(self, field):
        return ("date",)

    def coerce(self, field, value):
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValueError("expected a date like 2026-01-31") from None


@register
class DatetimeType(FieldType):
    name = "datetime"

    def default_schema(self):
        return {"type": "string", "anyOf": [{"format": "date-time"}, {"enum": ["$now"]}]}

    def column_type(self, field):
        return DateTime()

    def storage(self, field):
        return ("datetime",)

    def value_kind(self, field):
        return ("datetime",)

    def coerce(self, field, value):
        if value is None or value == "":
            return None
        if not isinstance(value, datetime):
            try:
                value = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("expected a date and time like 2026-01-31T09:30:00Z") from None
        if value.tzinfo is not None:
            try:
                value = value.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:
                raise ValueError("date and time out of range") from None
        return value
