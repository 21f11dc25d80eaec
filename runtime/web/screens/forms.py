"""WTForms for a record, built from the entity's metadata, and the submitted values read back.

WTForms gives CSRF, input rendering and the parsing of child-table rows
(``lines-0-qty``); checking the values is the record service's job, whose
per-field errors are put back on the WTForms fields, so the server has one
judge for forms, API and imports alike.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField
from wtforms import Field as WTField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice

from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.web.labels import localize
from runtime.web.screens.layout import COMPUTED

__all__ = ["RecordForm", "build_form_class", "editable", "form_values", "invalid_fields", "put_errors"]

UPLOADS = frozenset({"file", "image"})
#: Field types without an input yet; their values are kept as they are.
NO_INPUT = frozenset({"signature", "geo"}) | COMPUTED
INPUT_TYPES = {"email": "email", "phone": "tel", "url": "url", "date": "date", "datetime": "datetime-local",
               "integer": "number", "rating": "number"}
DECIMALS = frozenset({"decimal", "currency", "percent"})
NO_CHOICE = SelectChoice("", "—")


class RecordForm(FlaskForm):
    """The base of every record form: CSRF plus the version the user started editing from."""

    version = HiddenField()


def editable(field: Field) -> bool:
    return field.type not in NO_INPUT and not field.opt("hidden", False)


def build_form_class(entity: Entity, registry, language: str, users: list[tuple[int, str]],
                     base: type[Form] = RecordForm, locked: frozenset[str] = frozenset()) -> type[Form]:
    """A form class with one WTForms field per editable field (child tables as row lists);
    ``locked`` fields (the user may not change them) get no input."""
    attrs: dict[str, Any] = {}
    for field in entity.fields:
        if not editable(field) or field.name in locked:
            continue
        if field.type == "table":
            child, _table = registry.target(entity, field.opt("target"))
            row_form = build_form_class(child, registry, language, users, base=_RowForm)
            attrs[field.name] = FieldList(FormField(row_form), min_entries=0)
        else:
            attrs[field.name] = _wt_field(field, language, users)
    return type(f"{entity.name.title()}Form", (base,), attrs)


class _RowForm(Form):
    """One child row: its id (absent for a new row) and its fields."""

    id = HiddenField()


def _wt_field(field: Field, language: str, users: list[tuple[int, str]]) -> WTField:
    label = localize(field.label, language, field.name)
    kw: dict[str, Any] = {"type": INPUT_TYPES.get(field.type, "text")}
    if field.type in DECIMALS:
        kw["inputmode"] = "decimal"
    if field.opt("max_length"):
        kw["maxlength"] = field.opt("max_length")
    for key in ("min", "max"):
        if field.opt(key) is not None and field.type in ("integer", "rating"):
            kw[key] = field.opt(key)
    if field.type == "select":
        return SelectField(label, choices=[NO_CHOICE, *_options(field, language)], validate_choice=False)
    if field.type == "multiselect":
        return SelectMultipleField(label, choices=_options(field, language), validate_choice=False)
    if field.type == "user":
        choices = [NO_CHOICE, *(SelectChoice(str(i), n) for i, n in users)]
        return SelectField(label, choices=choices, validate_choice=False)
    if field.type == "boolean":
        return BooleanField(label)
    if field.type in ("textarea", "richtext"):
        return TextAreaField(label, render_kw={"rows": 4, **({"maxlength": kw["maxlength"]} if "maxlength" in kw else {})})
    if field.type in UPLOADS:
        accept = ",".join(field.opt("accept", ())) or ("image/*" if field.type == "image" else None)
        upload_kw = {"accept": accept} if accept else {}
        if field.type == "image":
            upload_kw["capture"] = "environment"  # a phone offers its camera
        return MultipleFileField(label, render_kw={**upload_kw, "multiple": bool(field.opt("multiple"))})
    if field.type == "link":
        kw.update(type="number", min=1, step=1, data_link="1")
    if field.type in ("integer", "rating"):
        kw["step"] = 1
    return StringField(label, render_kw=kw)


def _options(field: Field, language: str) -> list[SelectChoice]:
    return [SelectChoice(o["value"], localize(o.get("label"), language, o["value"])) for o in field.opt("options", ())]


def form_values(entity: Entity, form: Form, registry) -> dict[str, Any]:
    """The submitted values as the record service takes them (uploads are handled by the caller)."""
    data = {}
    for field in entity.fields:
        if not editable(field) or field.type in UPLOADS or field.name not in form:
            continue
        wt = form[field.name]
        if field.type == "table":
            child, _table = registry.target(entity, field.opt("target"))
            data[field.name] = [_row_values(child, entry.form, registry) for entry in wt.entries]
        else:
            data[field.name] = _value(field, wt.data)
    return data


def _row_values(child: Entity, row: Form, registry) -> dict[str, Any]:
    values = form_values(child, row, registry)
    row_id = (row["id"].data or "").strip()
    if row_id.isdigit():
        values["id"] = int(row_id)
    return values


def _value(field: Field, raw: Any) -> Any:
    if field.type == "boolean":
        return bool(raw)
    if field.type == "multiselect":
        return list(raw or [])
    if isinstance(raw, str):
        raw = raw.strip()
        return raw or None
    return raw


def put_errors(form: Form, details: dict) -> dict[str, str]:
    """Attach the service's ``{"field": msg, "lines[2].qty": msg}`` to the form; returns what fits nowhere."""
    unplaced = {}
    for key, message in (details or {}).items():
        target = _error_target(form, key)
        if target is None:
            unplaced[key] = message
        else:
            target.errors = [*list(target.errors or []), str(message)]
    return unplaced


def invalid_fields(form: Form) -> frozenset[str]:
    """Fields with an error, child rows included: their collapsed section opens and their tab shows."""
    return frozenset(name for name, wt in form._fields.items() if _has_errors(wt))


def _has_errors(wt: WTField) -> bool:
    if isinstance(wt, FieldList):  # row errors sit on the rows' fields, messages on the list itself
        return any(isinstance(e, str) for e in wt.errors) or any(_has_errors(e) for e in wt.entries)
    if isinstance(wt, FormField):
        return any(_has_errors(f) for f in wt.form)
    return bool(wt.errors)


def _error_target(form: Form, key: str):
    head, _, rest = key.partition(".")
    name, _, index = head.partition("[")
    if name not in form:
        return None
    field = form[name]
    if not index or not isinstance(field, FieldList):
        return field
    i = int(index.rstrip("]")) if index.rstrip("]").isdigit() else -1
    if not 0 <= i < len(field.entries):
        return field
    row = field.entries[i].form
    return row[rest] if rest and rest in row else field
