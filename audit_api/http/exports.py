"""`GET /api/v1/exports/{audits,responses,complaints}`: downloads as CSV or JSON lines, streamed.

Roles: managers (their stores) and admins; auditors 403. Filtered like the dashboard: `from` and `to`
(store-local days, both included), `store`, `city`, `country`, always within the reader's scope. The
answer is an attachment (`Content-Disposition`, a file name naming the kind and the period), streamed a
batch at a time from a generator (`services/exports.py`): each batch is read and encoded on a worker
thread, and nothing holds the whole export in memory. The columns are listed in each route's
description, from `domain/exports.py`, which also says how CSV cells are written (byte order mark,
formula injection).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.params import QueryParameter
from litestar.response import Stream

from ..domain.exports import COLUMNS, MEDIA_TYPES, Format, Kind
from ..errors import FieldError, InvalidInput
from ..services import exports
from .auth import require
from .context import SignedIn
from .feedback_api import FIRST_DAY, LAST_DAY
from .openapi import Documented, headers, problems
from .security import content_disposition

_DAY_RANGE = f"a date from {FIRST_DAY} to {LAST_DAY}"
FormatParameter = Annotated[Format, QueryParameter(name="format", description="`csv` (the default) or `jsonl` (JSON lines)")]
Since = Annotated[dt.date | None, QueryParameter(name="from", description=f"first day, in each store's time zone, {_DAY_RANGE}")]
Until = Annotated[dt.date | None, QueryParameter(name="to", description=f"last day (included), in each store's time zone, {_DAY_RANGE}")]
StoreFilter = Annotated[str | None, QueryParameter(name="store", description="only this store (within the reader's scope)")]
CityFilter = Annotated[str | None, QueryParameter(name="city", description="only the stores of this city (any of its names)")]
CountryFilter = Annotated[str | None, QueryParameter(name="country", description="only the stores of this country (ISO code)")]
DOWNLOAD = headers({
    "Content-Disposition": "attachment, with a file name naming the kind and the period, e.g. `audits-2026-11-01-to-2026-11-30.csv`",
    "Cache-Control": "no-store",
})


@dataclass
class Download(Documented):
    """An export: CSV or JSON lines (by `format`), a stream of text whose columns the description lists."""

    def __post_init__(self) -> None:
        super().__post_init__()
        response = (self.responses or {}).get("200")
        if isinstance(response, OpenAPIResponse):
            text = Schema(type=OpenAPIType.STRING)
            response.content = {media_type.split(";")[0]: OpenAPIMediaType(schema=text) for media_type in MEDIA_TYPES.values()}


def _described(kind: Kind, what: str) -> str:
    columns = "\n".join(f"- `{name}`: {text}" for name, text in COLUMNS[kind])
    return (
        f"{what} CSV (`text/csv`, UTF-8 with a byte order mark so that spreadsheets read every language, a header row; "
        "booleans `true`/`false`, an empty cell for no value; a text cell that a spreadsheet would take for a formula, "
        "starting with `=`, `+`, `-`, `@`, a tab or a carriage return, starts with `'`) or, with `format=jsonl`, JSON lines "
        "(`application/x-ndjson`, one object a row, the same keys with their JSON types). Streamed; times in each store's "
        f"time zone. The columns, in order:\n\n{columns}"
    )


def _download(context: SignedIn, kind: Kind, fmt: Format, since: dt.date | None, until: dt.date | None,
              store: str | None, city: str | None, country: str | None) -> Stream:
    errors = [FieldError(f"query.{name}", _DAY_RANGE) for name, day in (("from", since), ("to", until))
              if day is not None and not FIRST_DAY <= day <= LAST_DAY]
    if errors:
        raise InvalidInput("the period lies outside the dates this API answers for", errors)
    export = exports.export(
        context.database, context.book, context.user, kind, fmt, first_day=since, last_day=until, store=store, city=city, country=country
    )
    return Stream(
        export.chunks, media_type=export.media_type,
        headers={"Content-Disposition": content_disposition(export.media_type, export.filename), "Cache-Control": "no-store"},
    )


class ExportsController(Controller):
    path = "/api/v1/exports"
    tags = ["reports"]
    guards = [require("admin", "manager")]

    @get(
        "/audits", summary="Audits, one row per item answer of each visit's latest revision (CSV or JSON lines)",
        description=_described("audits", "Every visit's latest revision within the filters, by day, one row per item answer."),
        sync_to_thread=False, response_headers=DOWNLOAD, responses=problems(400, 401, 403, 422), operation_class=Download,
        response_description="The export as an attachment: CSV, or JSON lines with `format=jsonl`; the columns are in the description",
    )
    def audits(
        self, context: NamedDependency[SignedIn], fmt: FormatParameter = "csv", since: Since = None, until: Until = None,
        store: StoreFilter = None, city: CityFilter = None, country: CountryFilter = None,
    ) -> Stream:
        return _download(context, "audits", fmt, since, until, store, city, country)

    @get(
        "/responses", summary="Survey responses, one row each (CSV or JSON lines)",
        description=_described("responses", "Every survey response within the filters, by day; contact details only where the customer consented."),
        sync_to_thread=False, response_headers=DOWNLOAD, responses=problems(400, 401, 403, 422), operation_class=Download,
        response_description="The export as an attachment: CSV, or JSON lines with `format=jsonl`; the columns are in the description",
    )
    def responses(
        self, context: NamedDependency[SignedIn], fmt: FormatParameter = "csv", since: Since = None, until: Until = None,
        store: StoreFilter = None, city: CityFilter = None, country: CountryFilter = None,
    ) -> Stream:
        return _download(context, "responses", fmt, since, until, store, city, country)

    @get(
        "/complaints", summary="Complaints, one row each, with their clock (CSV or JSON lines)",
        description=_described("complaints", "Every complaint received within the filters, by the day it was received."),
        sync_to_thread=False, response_headers=DOWNLOAD, responses=problems(400, 401, 403, 422), operation_class=Download,
        response_description="The export as an attachment: CSV, or JSON lines with `format=jsonl`; the columns are in the description",
    )
    def complaints(
        self, context: NamedDependency[SignedIn], fmt: FormatParameter = "csv", since: Since = None, until: Until = None,
        store: StoreFilter = None, city: CityFilter = None, country: CountryFilter = None,
    ) -> Stream:
        return _download(context, "complaints", fmt, since, until, store, city, country)
