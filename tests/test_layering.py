"""Imports point one way: apps -> builder -> runtime (DESIGN §2)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_packages(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            found |= {(str(path.relative_to(ROOT)), n.split(".")[0]) for n in names}
    return found


def test_runtime_never_imports_builder_or_apps():
    bad = {(p, n) for p, n in imported_packages("runtime") if n in ("builder", "apps")}
    assert not bad


def test_builder_never_imports_apps():
    assert not {(p, n) for p, n in imported_packages("builder") if n == "apps"}


def test_no_eval_or_exec_in_product_code():
    for package in ("runtime", "builder", "apps"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    assert node.func.id not in ("eval", "exec", "compile"), f"{path}: {node.func.id}"
