"""HEAD, answered wherever GET is: the GET's status and headers, without its body.

Role: whoever may GET the same path (it is the GET, authorization and limits included). Every general-purpose
server supports GET and HEAD (RFC 9110, 9.1), and uptime monitors, link checkers and caches ask with HEAD; Litestar
answers it only for the routes that declare it (the site's files), and a 405 elsewhere, `/healthz` included. Here a
HEAD goes in as a GET, so everything answers it as it answers the GET, errors in the same shape, and leaves with
no body (its Content-Length still the GET's, as RFC 9110, 9.3.2 allows).
"""

from __future__ import annotations

from typing import cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send


class HeadAsGet:
    """`app`, with a HEAD request handed on as the GET of the same URL and its answer's body left out."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        as_get = cast("HTTPScope", {**scope, "method": "GET"})

        async def headless(message: Message) -> None:
            if message["type"] == "http.response.start":
                # What the router wrote into the GET's scope (its route handler, whose kind of page the security
                # headers go by), for the hooks on the way out, which read the request's own scope.
                scope.update({key: value for key, value in as_get.items() if key != "method"})  # type: ignore[typeddict-item]
            elif message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a long answer's parts: none is sent, the last one says it is over
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(as_get, receive, headless)
