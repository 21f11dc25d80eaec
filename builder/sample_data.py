"""Sample data of an app package: checked as a whole, then created through the record service.

The format is meant for people writing templates by hand:

* ``data/<entity>.json`` is a list of records of one top-level entity of the
  package's app. A record is an object of field values as the REST API takes
  them (select values, ISO dates, numbers), plus:

  - ``"$key": "acme"`` names the record inside the package (unique per entity);
  - a link field takes ``{"$ref": "acme"}``: the record of the link's target
    entity whose ``$key`` is ``acme`` (links to other apps are not supported);
  - a table field takes its child rows inline, as a list of objects (same
    rules, no ``$key``; child rows get no field defaults, as in the API);
  - a user field, and ``owner``, takes ``"$me"`` (the installing user) or a
    user's email; an email without a user falls back to the installing user;
  - a date field takes ``"$today"``, ``"$today-30"`` or ``"$today+7"`` (days)
    and a datetime field ``"$now"``, ``"$now-2"``, so demo data stays recent.

* ``data/<entity>.csv`` suits flat entities: a header of field names
  (``$key`` allowed), one record per line, an empty cell leaves the field out,
  and a link column holds the ``$key`` of the target record.

Every file is checked before anything is written and every problem is listed
by file and JSON pointer (CSV: line), e.g. ``data/contact.json: /4/account:
no account with "$key": "acme"``. Records are then created in dependency
order through ``RecordService.create`` in one transaction, so autonumbers,
defaults, formulas, rollups, rules and history apply as for typed-in records.

Sample data only goes into empty entities: when any entity the files name
already has a record (even one in the recycle bin), nothing is loaded and the
result says which entity, so installing twice never duplicates records.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from runtime.errors import MetadataInvalid
from runtime.fieldtypes import COMPUTED_TYPES
from runtime.metadata.jsondoc import decode_text
from runtime.metadata.jsondoc import parse_json
from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.model import split_target
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer
from runtime.records.files import UPLOAD_TYPES

KEY, REF, ME = "$key", "$ref", "$me"
#: ``$today``, ``$today-30``, ``$now+2``: relative days, per field type.
RELATIVE = re.compile(r"^\$(today|now)(?:([+-])(\d{1,5}))?$")
RELATIVE_WORD = {"date": "today", "datetime": "now"}
OWNER = Field("owner", "user", {})


@dataclass(frozen=True)
class Ref:
    """A link to the sample record ``key`` of ``entity``, resolved to its id when loading."""

    entity: str
    key: str


@dataclass(frozen=True)
class UserRef:
    """A user by email; ``None`` stands for the installing user (``$me``)."""

    email: str | None


@dataclass(frozen=True)
class Relative:
    """``$today-3`` / ``$now+1``: a moment this many days from the time of loading."""

    word: str
    days: int

    def at(self, now: datetime):
        moment = now + timedelta(days=self.days)
        return moment.date() if self.word == "today" else moment


@dataclass
class SampleRecord:
    """One checked record: where it came from, its key, and its values with placeholders."""

    file: str
    index: int
    entity: str
    key: str | None
    data: dict
    line: int | None = None  # CSV line, for messages
    needs: set[tuple[str, str]] = dc_field(default_factory=set)

    def problem(self, steps: tuple, message: str) -> Problem:
        if self.line is None:
            return Problem(self.file, pointer(self.index, *steps), message)
        column = f"column {steps[0]}: " if steps else ""
        return Problem(self.file, f"line {self.line}", column + message)


@dataclass(frozen=True)
class SampleResult:
    """How many records each entity got, or why nothing was loaded."""

    created: dict[str, int]
    skipped: str | None = None

    def describe(self) -> str:
        if self.skipped:
            return f"sample data skipped: {self.skipped}"
        counts = ", ".join(f"{n} {entity}" for entity, n in self.created.items())
        return f"sample data loaded: {counts or 'no records'}"


# -- reading and checking --------------------------------------------------------


def read_sample_data(app: App, files: Mapping[str, bytes]) -> list[SampleRecord]:
    """Every record of the data files, checked and in dependency order.

    Raises MetadataInvalid listing every problem, so nothing is written for bad data.
    """
    problems: list[Problem] = []
    records: list[SampleRecord] = []
    seen: dict[str, str] = {}
    for rel, raw in sorted(files.items()):
        entity = _entity_of(app, rel, seen, problems)
        if entity is not None:
            records += _parse_file(entity, rel, raw, problems)
    checker = _Checker(app, _collect_keys(records, problems), problems)
    for record in records:
        record.data = checker.record(app.entity(record.entity), record, record.data)
    _check_unique(app, records, problems)
    records = _in_dependency_order(records, problems)
    raise_problems(problems, app.name)
    return records


def _entity_of(app: App, rel: str, seen: dict, problems: list) -> Entity | None:
    name = PurePosixPath(rel).stem
    if not app.has_entity(name):
        problems.append(Problem(rel, "", f"no entity {name!r} in app {app.name} "
                                         "(a data file is named after its entity: data/<entity>.json)"))
        return None
    entity = app.entity(name)
    if entity.parent is not None:
        problems.append(Problem(rel, "", f"{name} rows belong inline under {entity.parent[0]}'s "
                                         f"{entity.parent[1]!r} field, not in a file of their own"))
        return None
    if name in seen:
        problems.append(Problem(rel, "", f"{name} already has sample data in {seen[name]}"))
        return None
    seen[name] = rel
    return entity


def _parse_file(entity: Entity, rel: str, raw: bytes, problems: list) -> list[SampleRecord]:
    if rel.lower().endswith(".csv"):
        return _csv_records(entity, rel, raw, problems)
    doc, found = parse_json(rel, raw)
    problems += found
    if found:
        return []
    if not isinstance(doc, list):
        problems.append(Problem(rel, "", "must be a JSON list of records"))
        return []
    records = []
    for i, item in enumerate(doc):
        if isinstance(item, dict):
            records.append(SampleRecord(rel, i, entity.name, item.get(KEY), item))
        else:
            problems.append(Problem(rel, pointer(i), "a record must be a JSON object"))
    return records


def _csv_records(entity: Entity, rel: str, raw: bytes, problems: list) -> list[SampleRecord]:
    text, found = decode_text(rel, raw)
    problems += found
    reader = csv.reader(io.StringIO(text or ""), strict=True)
    records: list[SampleRecord] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        if len(set(header)) != len(header):
            problems.append(Problem(rel, "line 1", "a column name appears twice"))
            return []
        for row in reader:
            if row:  # a blank line
                _csv_record(entity, rel, header, row, reader.line_num, records, problems)
    except csv.Error as exc:
        problems.append(Problem(rel, f"line {reader.line_num}", f"is not readable CSV ({exc})"))
    return records


def _csv_record(entity: Entity, rel: str, header: list, row: list, line: int, records: list, problems: list):
    if len(row) != len(header):
        problems.append(Problem(rel, f"line {line}", f"{len(row)} cells for {len(header)} columns"))
        return
    data = {name: _csv_cell(entity, name, cell) for name, cell in zip(header, row) if cell != ""}
    records.append(SampleRecord(rel, len(records), entity.name, data.get(KEY), data, line=line))


def _csv_cell(entity: Entity, name: str, cell: str) -> Any:
    """A link column's cell is the target's ``$key``; everything else is text for the field to coerce."""
    if entity.has_field(name) and entity.field(name).type == "link":
        return {REF: cell}
    return cell


def _collect_keys(records: list[SampleRecord], problems: list) -> dict[tuple[str, str], SampleRecord]:
    keys: dict[tuple[str, str], SampleRecord] = {}
    for record in records:
        key = record.key
        if key is None:
            continue
        if not isinstance(key, str) or not key.strip():
            problems.append(record.problem((KEY,), "a $key is a non-empty string"))
            record.key = None
        elif (record.entity, key) in keys:
            first = keys[(record.entity, key)]
            problems.append(record.problem((KEY,), f"duplicate $key {key!r} (also at {_place(first)})"))
        else:
            keys[(record.entity, key)] = record
    return keys


def _place(record: SampleRecord) -> str:
    return f"line {record.line}" if record.line is not None else pointer(record.index)


class _Checker:
    """Checks records against one app, turning refs, users and relative dates into placeholders."""

    def __init__(self, app: App, keys: dict, problems: list):
        self.app, self.keys, self.problems = app, keys, problems

    def record(self, entity: Entity, record: SampleRecord, data: dict, steps: tuple = (), *,
               child: bool = False) -> dict:
        """The values of one record (or child row) with placeholders; problems are collected."""
        values = {}
        for name, value in data.items():
            at = steps + (name,)
            if name == KEY:
                if child:
                    self.problems.append(record.problem(at, "child rows cannot have a $key"))
                continue
            field = _writable_field(entity, name)
            if isinstance(field, str):
                self.problems.append(record.problem(at, field))
                continue
            checked, message = self.value(entity, field, value, record, at) if value is not None else (None, None)
            if message:
                self.problems.append(record.problem(at, message))
            else:
                values[name] = checked
        _check_required(entity, data, record, steps, self.problems, defaults=not child)
        return values

    def value(self, entity: Entity, field: Field, value: Any, record: SampleRecord, at: tuple):
        """``(value, None)`` or ``(None, problem message)``."""
        if field.type == "link":
            return self.link(entity, field, value, record)
        if field.type == "table":
            return self.rows(entity, field, value, record, at)
        if field.type == "user":
            return _user(value)
        return _plain(field, value)

    def link(self, entity: Entity, field: Field, value: Any, record: SampleRecord):
        if not (isinstance(value, dict) and set(value) == {REF} and isinstance(value[REF], str)):
            return None, 'a link takes {"$ref": "<$key of the target record>"}'
        app_name, target = split_target(field.opt("target"), entity.app)
        if app_name != entity.app:
            return None, f"links to another app ({app_name}) cannot be sample data"
        if (target, value[REF]) not in self.keys:
            return None, f'no {target} with "$key": {json.dumps(value[REF], ensure_ascii=False)}'
        record.needs.add((target, value[REF]))
        return Ref(target, value[REF]), None

    def rows(self, entity: Entity, field: Field, value: Any, record: SampleRecord, at: tuple):
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            return None, "a table field takes a list of row objects"
        child = self.app.entity(split_target(field.opt("target"), entity.app)[1])
        return [self.record(child, record, row, at + (i,), child=True) for i, row in enumerate(value)], None


def _writable_field(entity: Entity, name: str) -> Field | str:
    """The field ``name`` may set, or the reason it may not."""
    if name.startswith("$"):
        return f"unknown special key {name!r} (use $key, or $ref inside a link)"
    if not entity.has_field(name):
        return OWNER if name == "owner" else f"unknown field of {entity.name}"
    field = entity.field(name)
    if field.type in COMPUTED_TYPES:
        return f"{field.type} fields are computed and cannot be set"
    if field.opt("read_only"):
        return "this field is read-only"
    if field.type in UPLOAD_TYPES:
        return "files cannot be part of sample data"
    return field


def _user(value: Any):
    if value == ME:
        return UserRef(None), None
    if isinstance(value, str) and "@" in value:
        return UserRef(value.strip().lower()), None
    return None, 'a user is "$me" or an email'


def _plain(field: Field, value: Any):
    if isinstance(value, str) and value.startswith("$") and field.type in RELATIVE_WORD:
        return _relative(field, value)
    try:
        field.kind.coerce(field, value)
    except ValueError as exc:
        return None, str(exc)
    return value, None


def _relative(field: Field, value: str):
    word = RELATIVE_WORD[field.type]
    match = RELATIVE.match(value)
    if match is None or match.group(1) != word:
        return None, f'a relative {field.type} looks like "${word}", "${word}-30" or "${word}+7"'
    sign, days = match.group(2), int(match.group(3) or 0)
    return Relative(word, -days if sign == "-" else days), None


def _check_required(entity: Entity, data: dict, record: SampleRecord, steps: tuple, problems: list,
                    *, defaults: bool) -> None:
    for field in entity.stored_fields:
        if field.type in COMPUTED_TYPES or not field.required or (defaults and field.default is not None):
            continue
        if data.get(field.name) in (None, "", []):
            problems.append(record.problem(steps + (field.name,), "required"))


def _check_unique(app: App, records: list[SampleRecord], problems: list) -> None:
    """Unique fields must differ between the sample records, as they will in the table."""
    seen: dict[tuple, SampleRecord] = {}
    for record in records:
        for field in app.entity(record.entity).stored_fields:
            value = record.data.get(field.name)
            if not field.unique or value is None or isinstance(value, (Ref, UserRef, Relative)):
                continue
            spot = (record.entity, field.name, json.dumps(value, ensure_ascii=False, sort_keys=True))
            if spot in seen:
                problems.append(record.problem((field.name,), f"same value as {_place(seen[spot])}; "
                                                             "the field is unique"))
            else:
                seen[spot] = record


def _in_dependency_order(records: list[SampleRecord], problems: list) -> list[SampleRecord]:
    """Linked-to records first, otherwise file order (Kahn's algorithm, smallest position first)."""
    position = {(r.entity, r.key): i for i, r in enumerate(records) if r.key is not None}
    blockers = [len({n for n in r.needs if n in position}) for r in records]
    dependents: dict[tuple, list[int]] = {}
    for i, record in enumerate(records):
        for need in record.needs & position.keys():
            dependents.setdefault(need, []).append(i)
    ready = [i for i, count in enumerate(blockers) if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        record = records[heapq.heappop(ready)]
        order.append(record)
        for j in dependents.pop((record.entity, record.key), ()) if record.key is not None else ():
            blockers[j] -= 1
            if blockers[j] == 0:
                heapq.heappush(ready, j)
    problems += [r.problem((), "its links form a cycle; no order can create it")
                 for i, r in enumerate(records) if blockers[i] > 0]
    return order


def raise_problems(problems: list[Problem], app_name: str) -> None:
    """One MetadataInvalid listing every problem in reading order; nothing when there are none."""
    found = sorted(set(problems), key=_reading_order)
    if found:
        noun = "error" if len(found) == 1 else "errors"
        raise MetadataInvalid(f"sample data of {app_name} has {len(found)} {noun}; nothing was loaded",
                              details=[str(p) for p in found])


def _reading_order(problem: Problem) -> tuple:
    """By file, then CSV line, then JSON pointer (numbers compared as numbers)."""
    line = problem.pointer[5:] if problem.pointer.startswith("line ") else ""
    return (problem.file, int(line) if line.isdigit() else 0, problem.sort_key())
