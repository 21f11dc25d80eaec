"""Read the files of an app package from a folder or a ``.zip``, defensively.

Packages come from consultants and customers, so a package is hostile until
read: no path may leave the package (``../``, absolute paths, symlinks), and
the number and size of files are capped *while reading*, because a zip's
declared sizes can lie (a zip bomb). Everything found is reported at once.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from pathlib import PurePosixPath

from runtime.metadata.problems import Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on what one package may contain; callers may pass tighter or looser ones."""

    max_files: int = 1000
    max_file_bytes: int = 2 * MB  # one metadata document
    max_data_file_bytes: int = 20 * MB  # one file under data/
    max_total_bytes: int = 50 * MB  # everything, uncompressed


def size_text(n: int) -> str:
    """``2 MB``, ``100 KB``, ``512 bytes``: limits as people read them."""
    if n >= MB:
        return f"{n / MB:g} MB"
    return f"{n / 1024:g} KB" if n >= 1024 else f"{n} bytes"


def ignored(parts: tuple[str, ...]) -> bool:
    """Hidden files (``.DS_Store``, ``.git/``) and macOS zip debris are skipped unread."""
    return any(p.startswith(".") for p in parts) or parts[0] == "__MACOSX"


def file_limit(rel: str, limits: Limits) -> int:
    return limits.max_data_file_bytes if rel.startswith("data/") else limits.max_file_bytes


class _Budget:
    """Counts files and bytes across one package and records the first overrun."""

    def __init__(self, limits: Limits, label: str):
        self.limits, self.label = limits, label
        self.files = self.bytes = 0
        self.problems: list[Problem] = []

    def admit(self, rel: str, size: int) -> bool:
        self.files += 1
        if self.files > self.limits.max_files:
            self.fail(f"has more than {self.limits.max_files} files")
            return False
        limit = file_limit(rel, self.limits)
        if size > limit:
            self.problems.append(Problem(rel, "", f"is larger than {size_text(limit)}"))
            return False
        self.bytes += size
        if self.bytes > self.limits.max_total_bytes:
            self.fail(f"is larger than {size_text(self.limits.max_total_bytes)} uncompressed")
            return False
        return True

    def fail(self, message: str) -> None:
        if not any(p.message == message for p in self.problems):
            self.problems.append(Problem(self.label, "", message))

    @property
    def exhausted(self) -> bool:
        return self.files > self.limits.max_files or self.bytes > self.limits.max_total_bytes


def read_folder(root: Path, limits: Limits) -> tuple[dict[str, bytes], list[Problem]]:
    """Every regular file under ``root`` by relative posix path; symlinks are refused."""
    budget = _Budget(limits, root.name)
    files: dict[str, bytes] = {}
    for current, dirs, names in os.walk(root, followlinks=False):
        base = Path(current)
        for name in sorted(dirs):
            rel = (base / name).relative_to(root).as_posix()
            if ignored(tuple(rel.split("/"))):
                dirs.remove(name)
            elif (base / name).is_symlink():
                budget.problems.append(
                    Problem(rel, "", "is a symbolic link; packages may not contain links")
                )
        for name in sorted(names):
            rel = (base / name).relative_to(root).as_posix()
            if ignored(tuple(rel.split("/"))):
                continue
            info = (base / name).lstat()
            if stat.S_ISLNK(info.st_mode):
                budget.problems.append(
                    Problem(rel, "", "is a symbolic link; packages may not contain links")
                )
            elif not stat.S_ISREG(info.st_mode):
                budget.problems.append(Problem(rel, "", "is not a regular file"))
            elif budget.admit(rel, info.st_size):
                files[rel] = (base / name).read_bytes()
            if budget.exhausted:
                return files, budget.problems
    return files, budget.problems


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name:
        return "uses backslashes in its path; zip paths use '/'"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "has an absolute path; paths must stay inside the package"
    if ".." in PurePosixPath(name).parts:
        return "has '..' in its path; paths must stay inside the package"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link; packages may not contain links"
    if info.flag_bits & 0x1:
        return "is encrypted; packages may not be password-protected"
    return None


def _clean(name: str) -> str:
    return "/".join(p for p in name.split("/") if p not in ("", "."))


def read_zip(path: Path, limits: Limits) -> tuple[dict[str, bytes], list[Problem]]:
    """Every file in the archive by its path, each read at most to its size limit."""
    budget = _Budget(limits, path.name)
    files: dict[str, bytes] = {}
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return {}, [Problem(path.name, "", f"is not a readable zip file ({exc})")]
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > limits.max_files:
            return {}, [Problem(path.name, "", f"has more than {limits.max_files} files")]
        if sum(i.file_size for i in infos) > limits.max_total_bytes:
            return {}, [
                Problem(
                    path.name,
                    "",
                    f"is larger than {size_text(limits.max_total_bytes)} uncompressed",
                )
            ]
        for info in infos:
            rel = _clean(info.filename)
            problem = _member_problem(info)
            if problem:
                budget.problems.append(Problem(info.filename, "", problem))
            elif not rel or ignored(tuple(rel.split("/"))):
                continue
            elif rel in files:
                budget.problems.append(Problem(rel, "", "appears twice in the zip"))
            elif budget.admit(rel, info.file_size):
                _read_member(archive, info, rel, files, budget)
            if budget.exhausted:
                break
    return files, budget.problems


def _read_member(archive, info, rel, files, budget) -> None:
    """Read no more than the limit, whatever the header claims."""
    limit = file_limit(rel, budget.limits)
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError) as exc:
        budget.problems.append(Problem(rel, "", f"cannot be read from the zip ({exc})"))
        return
    if len(data) > limit:
        budget.problems.append(Problem(rel, "", f"is larger than {size_text(limit)}"))
        return
    budget.bytes += len(data) - info.file_size
    if budget.bytes > budget.limits.max_total_bytes:
        budget.fail(f"is larger than {size_text(budget.limits.max_total_bytes)} uncompressed")
        return
    files[rel] = data


def strip_top_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """``crm_sales/app.json`` ... -> ``app.json`` ..., when everything sits in one folder."""
    if "app.json" in files or not files:
        return files
    tops = {rel.split("/", 1)[0] for rel in files}
    if len(tops) != 1 or any("/" not in rel for rel in files):
        return files
    top = tops.pop()
    if f"{top}/app.json" not in files:
        return files
    return {rel[len(top) + 1 :]: data for rel, data in files.items()}
