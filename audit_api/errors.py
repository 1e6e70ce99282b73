"""The product's exceptions, one small hierarchy, and the problem record of an invalid book.

    AuditError              base of everything this package raises on purpose
    ├── BookInvalid         the standards book has errors; carries every Problem found
    ├── BookNotLoaded       the database holds no published book yet
    ├── SchemaNotCurrent    the database needs `audit db migrate`
    ├── NotFound            an id that does not exist (HTTP 404)
    ├── InvalidInput        a request that breaks a rule; carries per-field errors (HTTP 422)
    └── Conflict            a request that contradicts what is stored (HTTP 409)

The HTTP layer turns each into the one error shape (RFC 9457 problem details, see
`http/problems.py`); the CLI prints them. Nothing else is raised across module boundaries.
"""

from __future__ import annotations

import msgspec


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One finding about the book: where it is (file, path inside it, line) and what is wrong."""

    file: str
    path: str
    line: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.path}: {self.message}"


class FieldError(msgspec.Struct, frozen=True):
    """One broken rule of a request: where (a JSON path such as `$.answers[2].value`) and why."""

    path: str
    message: str


class AuditError(Exception):
    """Base of every error this package raises on purpose."""


class BookInvalid(AuditError):
    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        super().__init__(f"the standards book has {len(self.problems)} error(s)")


class BookNotLoaded(AuditError):
    def __init__(self, db_path: str):
        super().__init__(f"no standards book is loaded in {db_path}: run `audit load` first")


class SchemaNotCurrent(AuditError):
    pass


class NotFound(AuditError):
    pass


class InvalidInput(AuditError):
    def __init__(self, detail: str, errors: list[FieldError] | None = None):
        super().__init__(detail)
        self.errors = errors or []


class Conflict(AuditError):
    pass
