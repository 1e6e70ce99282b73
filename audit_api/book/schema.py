"""JSON Schemas of the book's files, generated from the Structs, so editors validate YAML as people type.

The generated files live in `checklists/schemas/` and are committed; a test fails when they are
stale. Each YAML file points at its schema on its first line (`# yaml-language-server: $schema=...`).
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from .loader import FOLDERS, SINGLE_FILES

SCHEMA_FOLDER = "schemas"


def schema_files() -> dict[str, str]:
    """File name -> JSON text of every schema, e.g. `store.schema.json`."""
    kinds = {name.removesuffix(".yaml"): type_ for name, type_ in SINGLE_FILES.items()}
    kinds |= {type_.__name__.lower(): type_ for type_ in FOLDERS.values()}
    files = {}
    for kind, type_ in sorted(kinds.items()):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **msgspec.json.schema(type_)}
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
