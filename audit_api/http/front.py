"""`Front`: the busiest public routes, answered ahead of Litestar's router.

Role: anyone. The survey's page and post (`/s/{token}`, `survey_route.py`) and the store answers
(`GET /api/v1/stores`, `GET /api/v1/stores/{store_id}`, `public.py`) are the routes a crowd of customers and
apps reach. For them the router, the public layer's middleware and the handler machinery (dependency
injection, parameter parsing, the response object) cost more than the route's own work: the store answer is
kept encoded, and Litestar around it made it 0.59-0.62 of a bare endpoint (`make bench`, issue 14).

What still applies here as on every public route: the public rate limit (`limits.check`, as the public
layer's middleware), the Host check, the request body limit (the survey's post), the error answers in the
project's one shape or the customer's language (exceptions go to the app's handlers, through Litestar's
exception middleware, which stays in front), the security headers (the app's `before_send`). Anything the
front does not fully recognise goes on to the router unchanged: another method, a root path, a query with
other parameters or one named twice, two Accept-Language headers. The routes stay registered with Litestar
for those, and for the API's schema; tests/test_front.py checks that both answer alike.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import cast

from litestar._asgi.utils import is_valid_host
from litestar._parsers import parse_query_string
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import ASGIApp, ExceptionHandlersMap, HTTPReceiveMessage, HTTPScope, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from .context import Context
from .limits import RateLimit, check
from .pages import FORM_MAX_BYTES
from .public import one_store, store_list
from .survey_route import page_answer, submit_answer, survey_headers

Answer = Callable[[Context, Receive], Awaitable[ASGIApp]]  # a recognised request's answer, once the limit allows it

_SURVEY = re.compile(r"/s/([^/]+)")
_STORE = re.compile(r"/api/v1/stores/([^/]+)")


class Front:
    """The routes above, answered before `router` (the app's, in the app's exception middleware); every other
    request goes on to `router` unchanged."""

    def __init__(
        self, router: ASGIApp, context_of: Callable[[], Context], public_limit: Callable[[], RateLimit], exception_handlers: ExceptionHandlersMap
    ):
        self.router, self.context_of, self.public_limit, self.exception_handlers = router, context_of, public_limit, exception_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = _recognised(scope) if scope["type"] == ScopeType.HTTP and not scope.get("root_path") else None
        if answer is None or not _valid_host(scope):
            await self.router(scope, receive, send)
            return
        ScopeState.from_scope(scope).exception_handlers = self.exception_handlers  # as the router sets them for its routes
        check(self.public_limit(), scope)
        await (await answer(self.context_of(), receive))(scope, receive, send)


def _recognised(scope: HTTPScope) -> Answer | None:
    """The answer to a request of the routes above that this front answers; None for the router's."""
    path, method = scope["path"], scope["method"]
    if path.startswith("/s/") and method in ("GET", "POST") and (found := _SURVEY.fullmatch(path)):
        return _survey(scope, found[1])
    if method != "GET" or not path.startswith("/api/v1/stores"):
        return None
    if path == "/api/v1/stores":
        return _stores(scope)
    return _store(scope, found[1]) if (found := _STORE.fullmatch(path)) else None


def _survey(scope: HTTPScope, token: str) -> Answer:
    headers = survey_headers(scope)
    if scope["method"] == "GET":
        return lambda context, receive: _ready(page_answer(context, scope, headers, token))

    async def post(context: Context, receive: Receive) -> ASGIApp:
        return await submit_answer(context, scope, await _form_body(scope, receive), headers, token)

    return post


def _stores(scope: HTTPScope) -> Answer | None:
    if (asked := _asked(scope, {"lang", "city"})) is None:
        return None
    query, accept = asked
    return lambda context, receive: _ready(_Json(*store_list(context, query.get("lang"), accept, query.get("city"))))


def _store(scope: HTTPScope, store_id: str) -> Answer | None:
    if (asked := _asked(scope, {"lang"})) is None:
        return None
    query, accept = asked
    return lambda context, receive: _ready(_Json(*one_store(context, store_id, query.get("lang"), accept)))


def _asked(scope: HTTPScope, names: set[str]) -> tuple[dict[str, str], str | None] | None:
    """The query's parameters, read as Litestar reads them, and the Accept-Language header; None when the router had
    better answer: a parameter other than `names`, one given twice, two Accept-Language headers."""
    pairs = parse_query_string(scope["query_string"])
    query = dict(pairs)
    accept = [value.decode("latin-1") for name, value in scope["headers"] if name == b"accept-language"]
    if len(query) != len(pairs) or not query.keys() <= names or len(accept) > 1:
        return None
    return query, accept[0] if accept else None


async def _ready(app: ASGIApp) -> ASGIApp:
    return app


class _Json:
    """A JSON answer already encoded, in `language`, as the public API's handlers answer (`public._json`)."""

    __slots__ = ("body", "headers")

    def __init__(self, body: bytes, language: str):
        self.body = body
        self.headers = [
            (b"content-type", b"application/json"), (b"content-language", language.encode()), (b"vary", b"Accept-Language"),
            (b"content-length", str(len(body)).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def _valid_host(scope: Scope) -> bool:
    """Litestar's router refuses a malformed Host header (400); the same requests go to it."""
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    return host is None or is_valid_host(host)


async def _form_body(scope: Scope, receive: Receive) -> bytes:
    """The posted form, at most `FORM_MAX_BYTES` (a longer one is refused as Litestar refuses it: 413)."""
    announced = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"content-length"), None)
    try:
        too_long = announced is not None and int(announced) > FORM_MAX_BYTES
    except ValueError:
        raise ClientException(f"Invalid content-length: {announced!r}") from None
    if too_long:
        raise RequestEntityTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        event = cast("HTTPReceiveMessage", await receive())
        if event["type"] == "http.disconnect":
            raise InternalServerException("client disconnected prematurely")
        chunk = event.get("body", b"")
        size += len(chunk)
        if size > FORM_MAX_BYTES:
            raise RequestEntityTooLarge
        chunks.append(chunk)
        if not event.get("more_body", False):
            return b"".join(chunks)
