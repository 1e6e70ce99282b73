"""JSON Schemas of the book's files, generated from the Structs, so editors validate YAML as people type.

The generated files live in `checklists/schemas/` and are committed; a test fails when they are
stale. Each YAML file points at its schema on its first line (`# yaml-language-server: $schema=...`).

An editor must refuse what `audit check` refuses and accept what it accepts
(`tests/test_book_schema_agree.py`). msgspec's schemas need two touches for plain JSON Schema:

- a union tagged by `kind` comes out as `anyOf` with OpenAPI's `discriminator`, which JSON Schema
  validators ignore: a bad `yes_no` item is then reported against every kind ("'min' is a required
  property"). It becomes an enum of the kinds plus one `if kind is X then X's schema` per kind, so a
  bad kind is reported as such and an item is checked against its own kind only;
- a date (`format: date`) also gets the pattern YYYY-MM-DD, for editors that do not check formats.

Patterns mean the same in Python and in editors' ECMA 262 engines by construction (`base.whole`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from .base import whole
from .loader import FOLDERS, SINGLE_FILES

SCHEMA_FOLDER = "schemas"


def schema_files() -> dict[str, str]:
    """File name -> JSON text of every schema, e.g. `store.schema.json`."""
    kinds = {name.removesuffix(".yaml"): type_ for name, type_ in SINGLE_FILES.items()}
    kinds |= {type_.__name__.lower(): type_ for type_ in FOLDERS.values()}
    files = {}
    for kind, type_ in sorted(kinds.items()):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **_plain(msgspec.json.schema(type_))}
        files[f"{kind}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return files


def write_schemas(book_folder: Path) -> list[Path]:
    """(Re)write the schema files; returns the files that changed."""
    folder = Path(book_folder) / SCHEMA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in schema_files().items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


_DATE_PATTERN = whole(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _plain(node: Any) -> Any:
    """msgspec's schema as plain JSON Schema 2020-12: tagged unions by if/then, dates with a pattern."""
    if isinstance(node, list):
        return [_plain(child) for child in node]
    if not isinstance(node, dict):
        return node
    node = {key: _plain(value) for key, value in node.items()}
    if "discriminator" in node:
        return _by_kind(node)
    if node.get("format") == "date" and node.get("type") == "string":
        node.setdefault("pattern", _DATE_PATTERN)
    return node


def _by_kind(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf` + `discriminator` -> an object whose tag is one of the kinds, checked against that kind's schema."""
    discriminator, rest = node["discriminator"], {k: v for k, v in node.items() if k not in ("anyOf", "discriminator")}
    tag, by_ref = discriminator["propertyName"], {ref: kind for kind, ref in discriminator["mapping"].items()}
    kinds = [by_ref[branch["$ref"]] for branch in node["anyOf"]]  # in the union's order: the order people read
    return {
        **rest,
        "type": "object",
        "required": [tag],
        "properties": {tag: {"enum": kinds}},
        "allOf": [
            {"if": {"properties": {tag: {"const": kind}}, "required": [tag]}, "then": {"$ref": discriminator["mapping"][kind]}}
            for kind in kinds
        ],
    }
