"""The product's exceptions, one small hierarchy, and the problem record of an invalid book.

    AuditError              base of everything this package raises on purpose
    ├── BookInvalid         the standards book has errors; carries every Problem found
    ├── BookNotLoaded       the database holds no published book yet
    ├── SchemaNotCurrent    the database needs `audit db migrate`
    ├── NotFound            an id that does not exist, or that the caller may not know of (HTTP 404)
    ├── Forbidden           the caller is known but may not do this (HTTP 403)
    ├── InvalidInput        a request that breaks a rule; carries per-field errors (HTTP 422)
    ├── TooLarge            an upload over its size limit (HTTP 413)
    └── Conflict            a request that contradicts what is stored (HTTP 409)

The HTTP layer turns each into the one error shape (RFC 9457 problem details, see
`http/problems.py`); the CLI prints them. Nothing else is raised across module boundaries.

Where a request is wrong, `FieldError.path` says where, in one syntax for every error of the API:
the part of the request (`body`, `query`, `path`, `header`), then `.name` for a field and `[n]` for
the n-th element of a list, counted from 0:

    body.answers[3].value     body.window_start     body.file     query.from     header.if-none-match

(The book's own problems, `Problem`, locate a place in a YAML file instead: file, `$.`-path and line.)
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


class FieldError(msgspec.Struct, frozen=True, omit_defaults=True):
    """One broken rule of a request: where (`body.answers[2].value`, see above) and why, in English; `code`,
    where a client may want to say it in its own words, names the rule in a stable word (absent otherwise)."""

    path: str
    message: str
    code: str | None = None


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


class Forbidden(AuditError):
    pass


class InvalidInput(AuditError):
    def __init__(self, detail: str, errors: list[FieldError] | None = None):
        super().__init__(detail)
        self.errors = errors or []


class TooLarge(AuditError):
    pass


class Conflict(AuditError):
    pass
