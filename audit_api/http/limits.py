"""Rate limits for public endpoints: a per-client allowance of N requests a period, O(1) a request.

The algorithm is GCRA (the generic cell rate algorithm): each client key holds one number, the
"theoretical arrival time" of its next request; a burst of up to N requests passes, then requests are
spaced by period/N. Over the limit: 429 in the API's error shape, with Retry-After.

Why not Litestar's RateLimitMiddleware: it keeps every request time of the window per client and
re-encodes that list on every request; `bench/` measured it at 200-330 µs a request, more than the
handlers it guards. State lives in this process (one server process per database is the deployment).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send


class RateLimit:
    """At most `limit` requests per `period` seconds per key, bursts included."""

    def __init__(self, limit: int, period: float = 60.0, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        if limit < 1:
            raise ValueError("a rate limit allows at least one request")
        self.limit, self.period = limit, period
        self._interval = period / limit
        self._tolerance = period - self._interval
        self._clock = clock
        self._max_keys = max_keys
        self._next: dict[str, float] = {}

    def hit(self, key: str) -> float:
        """Count one request; 0.0 when allowed, else the seconds to wait before the next is allowed."""
        now = self._clock()
        due = max(self._next.get(key, now), now)
        if due - now > self._tolerance:
            return due - now - self._tolerance
        self._next[key] = due + self._interval
        if len(self._next) > self._max_keys:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop keys whose allowance is whole again: forgetting them changes nothing."""
        self._next = {key: due for key, due in self._next.items() if due > now}


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, limit: RateLimit, key: Callable[[Scope], str] = client_address):
        self.limit = limit
        self.key = key

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        wait = self.limit.hit(self.key(scope))
        if wait:
            raise TooManyRequestsException(
                detail=f"at most {self.limit.limit} requests a minute; try again in {math.ceil(wait)} s",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        await next_app(scope, receive, send)
