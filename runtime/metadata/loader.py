"""Load an app package (folder or ``.zip``) into JSON documents plus raw data files.

Only the layout of DESIGN §3 is accepted: ``app.json``, ``*.json`` directly
inside the metadata folders, and ``data/*.csv|*.json``. Anything else is
reported by name rather than ignored, so a misplaced file is never silently
left out of a publish. Loading parses; ``validate_app`` judges the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from runtime.errors import MetadataInvalid
from runtime.metadata.docschema import FOLDER_KINDS
from runtime.metadata.jsondoc import parse_json
from runtime.metadata.package_files import Limits
from runtime.metadata.package_files import read_folder
from runtime.metadata.package_files import read_zip
from runtime.metadata.package_files import strip_top_folder
from runtime.metadata.problems import Problem
from runtime.metadata.problems import raise_all

DATA_FOLDER = "data"
DATA_SUFFIXES = (".csv", ".json")
#: Top-level notes a consultant may ship; skipped, never parsed.
DOC_FILES = {"README.md", "README.txt", "LICENSE", "LICENSE.txt", "LICENSE.md", "CHANGELOG.md"}
EXPECTED = "app.json, " + ", ".join(f"{f}/" for f in (*sorted(FOLDER_KINDS), DATA_FOLDER))


@dataclass(frozen=True)
class Package:
    """What a package holds: ``source`` for ``validate_app``, ``data`` for seeding."""

    name: str
    source: dict[str, Any] = dc_field(default_factory=dict)
    data: dict[str, bytes] = dc_field(default_factory=dict)


def classify(rel: str) -> str | None:
    """``"doc"``, ``"data"``, ``"skip"``, or None for a file that has no place in a package."""
    parts = rel.split("/")
    if rel == "app.json":
        return "doc"
    if len(parts) == 1:
        return "skip" if rel in DOC_FILES else None
    if len(parts) == 2 and parts[0] in FOLDER_KINDS and parts[1].endswith(".json"):
        return "doc"
    if len(parts) == 2 and parts[0] == DATA_FOLDER and parts[1].lower().endswith(DATA_SUFFIXES):
        return "data"
    return None


def misplaced(rels: list[str]) -> list[Problem]:
    """One problem per unknown top-level file or folder, one per stray file in a known folder."""
    found, unknown_folders = [], set()
    for rel in rels:
        top, _, rest = rel.partition("/")
        if not rest:
            found.append(
                Problem(rel, "", f"unknown file at the top of the package (expected {EXPECTED})")
            )
        elif top in FOLDER_KINDS:
            found.append(
                Problem(
                    rel, "", f"unexpected file: {top}/ holds only <name>.json files, no subfolders"
                )
            )
        elif top == DATA_FOLDER:
            found.append(
                Problem(
                    rel, "", "unexpected file: data/ holds only .csv and .json files, no subfolders"
                )
            )
        elif top not in unknown_folders:
            unknown_folders.add(top)
            found.append(
                Problem(top + "/", "", f"unknown folder in the package (expected {EXPECTED})")
            )
    return found


def read_files(path: Path, limits: Limits) -> tuple[dict[str, bytes], list[Problem]]:
    """The raw files of a folder or zip (a zip's single top folder removed)."""
    if path.is_dir():
        return read_folder(path, limits)
    if path.is_file() and path.suffix.lower() == ".zip":
        files, problems = read_zip(path, limits)
        return strip_top_folder(files), problems
    if path.exists():
        return {}, [Problem(path.name, "", "is neither a folder nor a .zip file")]
    return {}, [Problem(str(path), "", "does not exist")]


def load_package(path: str | Path, limits: Limits | None = None) -> Package:
    """Read and parse a package; raise MetadataInvalid listing every problem found."""
    path = Path(path)
    files, problems = read_files(path, limits or Limits())
    package = Package(name=path.stem or str(path))
    stray = []
    for rel, raw in sorted(files.items()):
        kind = classify(rel)
        if kind == "doc":
            doc, found = parse_json(rel, raw)
            problems.extend(found)
            if not found:
                package.source[rel] = doc
        elif kind == "data":
            package.data[rel] = raw
        elif kind is None:
            stray.append(rel)
    problems.extend(misplaced(stray))
    if files and "app.json" not in files and not problems:
        problems.append(
            Problem("app.json", "", "missing: every package needs an app.json at its top")
        )
    if not files and not problems:
        raise MetadataInvalid(f"package {package.name} is empty", details=[])
    raise_all(problems, f"package {package.name}")
    return package
