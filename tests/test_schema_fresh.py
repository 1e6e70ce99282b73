"""The committed JSON Schemas match the Structs: run `make schema` after changing `book/models.py`."""

from __future__ import annotations

import json

import jsonschema
import pytest

from audit_api.book.schema import schema_files
from audit_api.book.source import read_source

from .conftest import DEMO_BOOK

SCHEMAS = DEMO_BOOK / "schemas"


@pytest.mark.parametrize("name", sorted(schema_files()))
def test_committed_schema_is_current(name: str) -> None:
    committed = SCHEMAS / name
    assert committed.exists(), f"{committed} is missing: run `make schema`"
    assert committed.read_text(encoding="utf-8") == schema_files()[name], f"{committed} is stale: run `make schema`"


def test_no_stray_schema_files() -> None:
    assert {p.name for p in SCHEMAS.glob("*.json")} == set(schema_files())


def test_every_book_file_points_at_its_schema_and_validates() -> None:
    files = [DEMO_BOOK / "chain.yaml", DEMO_BOOK / "faq.yaml", *sorted(DEMO_BOOK.glob("*/*.yaml"))]
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), file
        schema_path = (file.parent / first.split("$schema=")[1]).resolve()
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        jsonschema.validate(read_source(file).data, schema)
