"""Pages of the API's lists: `?limit=` and `?cursor=` in, a JSON array and `Link: <...>; rel="next"` out.

A list answers at most `limit` rows (100 unless asked, at most 500). When more follow, the answer's
`Link` header (RFC 8288) names the next page: the same path and query with `cursor` (and `limit`) set;
the last page has no `Link`. The cursor is opaque to clients: the list's name and its last row's sort
key (`store/pages.py`), as JSON in unpadded urlsafe base64. A cursor that does not decode to a key of
that list answers 400 in the API's one error shape (`query.cursor`). A cursor only says where a page
starts: the reader's scope applies to every page, whatever the cursor holds.

Not for: the order itself or how a page is read (`store/pages.py`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from ..store.pages import Order
from .openapi import headers

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
_CURSOR_MAX = 1000  # characters: a sort key is a few short values

Limit = Annotated[
    int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT, description=f"rows a page, 1 to {MAX_LIMIT} ({DEFAULT_LIMIT} unless given)")
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        name="cursor", max_length=_CURSOR_MAX,
        description="where the page starts: copy it from the previous page's `Link: <...>; rel=\"next\"` header; opaque",
    ),
]
NEXT_PAGE = headers({
    "Link": 'The next page, when there is one (RFC 8288): `<path?...&cursor=...&limit=...>; rel="next"`, '
    "the same query with the cursor set; absent on the last page",
}, required=False)

T = TypeVar("T", bound=msgspec.Struct)


def position(cursor: str | None, name: str, order: Order) -> list[object] | None:
    """The sort key a cursor of the list `name` holds (None without a cursor); a 400 for any other cursor."""
    if cursor is None:
        return None
    try:
        decoded = msgspec.json.decode(base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True))
    except (binascii.Error, ValueError, msgspec.DecodeError):
        decoded = None
    if not isinstance(decoded, list) or len(decoded) != len(order.columns) + 1 or decoded[0] != name or not all(map(_storable, decoded[1:])):
        raise ValidationException(
            "the cursor is not one this list gave", extra=[{"source": "query", "key": "cursor", "message": "use the cursor of a Link header as it came"}]
        )
    return list(decoded[1:])


def _storable(value: object) -> bool:
    """A value SQLite takes as a parameter: text it can encode, a 64-bit integer."""
    if isinstance(value, str):
        return value.isprintable() and value == value.encode("utf-8", "replace").decode()
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _cursor(name: str, key: Sequence[object]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([name, *key])).decode().rstrip("=")


def answer(request: Request[Any, Any, Any], rows: list[T], limit: int, name: str, order: Order) -> Response[list[T]]:
    """A page of the list `name` from `rows`, read with one row more than `limit` (so that the row beyond
    says whether another page follows): at most `limit` rows, and a `Link` to the next page if any."""
    if len(rows) <= limit:
        return Response(rows)
    rows = rows[:limit]
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "limit")]
    query += [("cursor", _cursor(name, order.key(rows[-1]))), ("limit", str(limit))]
    return Response(rows, headers={"Link": f'<{request.url.path}?{urlencode(query)}>; rel="next"'})
