"""`GET /healthz`: is the process up and can it read its database. Role: anyone; not rate limited."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency

from ..store import generation
from .context import Context
from .openapi import NoToken


class Health(msgspec.Struct, frozen=True):
    status: str
    book_generation: int


@get("/healthz", summary="Liveness and database check", tags=["ops"], sync_to_thread=False, operation_class=NoToken)
def healthz(context: NamedDependency[Context]) -> Health:
    return Health(status="ok", book_generation=generation(context.database))
