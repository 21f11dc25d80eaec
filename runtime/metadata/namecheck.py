"""Reserved-word checks on every name an app declares.

The schemas already refuse names that break ``^[a-z][a-z0-9_]{0,39}$`` (with
the explanation from ``names``); here the well-formed names are checked
against SQL and expression keywords and, for fields, the system columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.metadata.names import is_valid_name
from runtime.metadata.names import reserved_problem
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer


def _own_name(path: str, doc: Any) -> list[Problem]:
    name = doc.get("name") if isinstance(doc, dict) else None
    if not is_valid_name(name):
        return []
    problem = reserved_problem(name)
    return [Problem(path, "/name", problem)] if problem else []


def _field_names(path: str, doc: Any) -> list[Problem]:
    fields = doc.get("fields") if isinstance(doc, dict) else None
    found = []
    for index, field in enumerate(fields if isinstance(fields, list) else ()):
        name = field.get("name") if isinstance(field, dict) else None
        if not is_valid_name(name):
            continue
        problem = reserved_problem(name, field_type=field.get("type"), is_field=True)
        if problem:
            found.append(Problem(path, pointer("fields", index, "name"), problem))
    return found


def name_problems(source: Mapping[str, Any]) -> list[Problem]:
    """Reserved names across all documents, each at its own pointer."""
    found = []
    for path, doc in source.items():
        found.extend(_own_name(path, doc))
        if path.startswith("entities/"):
            found.extend(_field_names(path, doc))
    return found
