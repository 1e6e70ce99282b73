"""The shape of the house, checked on the source: floors import only downwards, rows are read by name,
and the store decides nothing.

    book -> domain -> store -> services -> http, cli        (render: the product's pages, below http)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "audit_api"
# Each floor, and what it must never import (its own floor and those below it are fine).
FORBIDDEN = {
    "book": ("domain", "store", "services", "http", "site", "cli", "posters", "litestar", "sqlite_utils", "sqlite3"),
    "domain": ("store", "services", "http", "site", "cli", "posters", "litestar", "sqlite_utils", "sqlite3"),
    "store": ("services", "http", "site", "cli", "posters", "litestar"),
    "services": ("http", "site", "cli", "posters", "litestar"),
    "render": ("store", "services", "http", "site", "cli", "posters", "litestar", "sqlite_utils", "sqlite3"),
    "site": ("http", "services", "store", "cli", "litestar"),
}


def modules(floor: str | None = None) -> list[Path]:
    root = PACKAGE / floor if floor else PACKAGE
    return sorted(root.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The audit_api floors (first part under audit_api) and third-party packages a module imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                parts = node.module.split(".")
                names.add(parts[1] if parts[0] == "audit_api" and len(parts) > 1 else parts[0])
            elif node.level:
                here = path.relative_to(PACKAGE).parts[:-1]
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    names.add(target[0])
                else:  # `from .. import x` at the package root: x is the floor
                    names |= {alias.name for alias in node.names}
    return names


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_nothing_imports_upwards(floor: str) -> None:
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(imported(path) & set(FORBIDDEN[floor]))
        for path in modules(floor)
        if imported(path) & set(FORBIDDEN[floor])
    }
    assert wrong == {}


def positional_row_access(path: Path) -> list[str]:
    """Lines that read SQL rows by position: fetchone/fetchall/fetchmany (tuples), or looping over or
    indexing `.execute(...)` (its rows are tuples). Rows come from `db.query()` (dicts) instead."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("fetchone", "fetchall", "fetchmany"):
            found.append(f"{path.name}:{node.lineno}: .{node.attr}()")
        iterated = [node.iter] if isinstance(node, ast.For | ast.comprehension) else []
        if isinstance(node, ast.Subscript):
            iterated.append(node.value)
        for value in iterated:
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in ("execute", "executemany"):
                found.append(f"{path.name}:{value.lineno}: rows of .execute() by position")
    return found


def test_rows_are_read_by_name() -> None:
    assert [line for path in modules() for line in positional_row_access(path)] == []


def test_the_rule_catches_positional_reads(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "a = db.execute('SELECT 1').fetchone()[0]\n"
        "for x, y in db.execute('SELECT 1, 2'):\n    pass\n"
        "b = [r for r in conn.execute('SELECT 1')]\n"
        "c = next(db.query('SELECT 1 AS one'))['one']\n"
    )
    assert sorted(int(line.split(":")[1]) for line in positional_row_access(sample)) == [1, 2, 4]


def test_the_store_decides_nothing() -> None:
    """Policy words stay out of the store: no role checks, no permission or state decisions."""
    decisions = []
    for path in modules("store"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("role", "all_stores", "covers"):
                decisions.append(f"{path.name}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Raise) and node.exc is not None:
                name = getattr(getattr(node.exc, "func", node.exc), "id", "")
                if name in ("NotFound", "Forbidden", "Conflict", "InvalidInput"):
                    decisions.append(f"{path.name}:{node.lineno}: raise {name}")
    assert decisions == []
