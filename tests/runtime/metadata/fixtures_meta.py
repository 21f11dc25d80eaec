"""Helpers for the metadata tests: the sample app, small app builders, zip writers.

Plain functions rather than fixtures so each test states what it builds; the
sample app under ``tests/fixtures/apps/sample_sales`` is shared with other suites.
"""

from __future__ import annotations

import copy
import functools
import zipfile
from pathlib import Path

import pytest

from runtime.errors import MetadataInvalid
from runtime.metadata import load_package
from runtime.metadata import validate_app

SAMPLE_APP = Path(__file__).resolve().parents[2] / "fixtures" / "apps" / "sample_sales"


@functools.cache
def _sample() -> dict:
    return load_package(SAMPLE_APP).source


def sample_source() -> dict:
    """A fresh, freely editable copy of the sample app's documents."""
    return copy.deepcopy(_sample())


def entity_doc(source: dict, name: str) -> dict:
    return source[f"entities/{name}.json"]


def field_doc(source: dict, entity: str, name: str) -> dict:
    return next(f for f in entity_doc(source, entity)["fields"] if f["name"] == name)


def add_fields(source: dict, entity: str, *fields: dict) -> list[int]:
    """Append fields to an entity; returns their indexes (for expected pointers)."""
    fields_list = entity_doc(source, entity)["fields"]
    start = len(fields_list)
    fields_list.extend(fields)
    return list(range(start, len(fields_list)))


def tiny_app(name: str = "tiny", *entities: dict, **manifest) -> dict:
    """An app with the given entity documents (default: one entity with one text field)."""
    if not entities:
        entities = ({"name": "thing", "fields": [{"name": "title", "type": "text"}]},)
    source = {"app.json": {"name": name, "version": "1.0.0", **manifest}}
    for doc in entities:
        source[f"entities/{doc['name']}.json"] = doc
    return source


def details(source: dict, installed=None) -> list[str]:
    """The error lines ``validate_app`` reports; fails the test if it accepts the app."""
    with pytest.raises(MetadataInvalid) as info:
        validate_app(source, installed)
    return info.value.details


def load_details(path) -> list[str]:
    with pytest.raises(MetadataInvalid) as info:
        load_package(path)
    return info.value.details


def one(lines: list[str], *fragments: str) -> str:
    """The single line containing every fragment (fails with all lines shown otherwise)."""
    hits = [line for line in lines if all(f in line for f in fragments)]
    assert len(hits) == 1, f"expected one line with {fragments}, got {hits} in:\n" + "\n".join(
        lines
    )
    return hits[0]


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def write_zip(
    path: Path, members: dict[str, str | bytes], symlinks: dict[str, str] | None = None
) -> Path:
    """A zip with the given members, written verbatim (hostile names included)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
    return path


def sample_files() -> dict[str, bytes]:
    """The sample app's files as bytes, by relative path."""
    return {
        p.relative_to(SAMPLE_APP).as_posix(): p.read_bytes()
        for p in SAMPLE_APP.rglob("*")
        if p.is_file()
    }


def customers_app():
    """An installed app other apps may link to."""
    source = tiny_app(
        "crm_customers", {"name": "account", "fields": [{"name": "city", "type": "text"}]}
    )
    from runtime.metadata import validate_app

    return validate_app(source)
