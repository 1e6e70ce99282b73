"""Rate limits for public endpoints: a per-client allowance of N requests a period, O(1) a request.

The algorithm is GCRA (the generic cell rate algorithm): each client key holds one number, the
"theoretical arrival time" of its next request; a burst of up to N requests passes, then requests are
spaced by period/N. Over the limit: 429 in the API's error shape, with Retry-After.

The numbers live in `Allowances`: a fixed table of slots in memory that every worker process of one
`audit serve` maps from the same file, so a client's allowance is one across the workers (a client
cannot get N times its allowance by landing on N processes). Without a file, the table is this
process's alone (an app made in a test, one process).

Why not Litestar's RateLimitMiddleware: it keeps every request time of the window per client and
re-encodes that list on every request; `bench/` measured it at 200-330 µs a request, more than the
handlers it guards, and its state is per process.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

_SLOT = struct.Struct("<Qd")  # a key's 64-bit hash (0: a free slot), its theoretical arrival time
Decide = Callable[[float | None], float | None]  # the time held (None: none) -> the time to keep (None: leave it)


class Allowances:
    """Each client key's theoretical arrival time, in `slots` slots of 16 bytes: in a file every process maps
    (`path`), else in this process's memory.

    A key is found by a stable hash (the same in every process) among `probes` slots from its home slot. A new key
    takes a free slot, else one whose time has passed (that client's allowance is whole again, so forgetting it
    changes nothing), else the one due soonest (with more clients at once than slots, the least owed is forgotten).
    Each read-and-update holds an exclusive `flock` on the file (across processes) and a thread lock (within one).
    The clock must be one all processes share: `time.monotonic` is, on one host. `audit serve` makes the file
    afresh at each start, so no time from before a restart (or a reboot) is ever read."""

    def __init__(self, path: Path | None = None, *, slots: int = 1 << 16, probes: int = 8):
        self.slots, self.probes = slots, min(probes, slots)
        size = slots * _SLOT.size
        self._thread_lock = threading.Lock()
        self._fd = -1
        if path is None:
            self._map = mmap.mmap(-1, size)
        else:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(self._fd).st_size != size:
                os.ftruncate(self._fd, size)  # a new file: every slot free (zeros)
            self._map = mmap.mmap(self._fd, size)

    def __deepcopy__(self, memo: dict[int, object]) -> Allowances:
        # One table: Litestar deep-copies the middleware it registers (and what it holds); every copy shares this.
        return self

    @staticmethod
    def create(path: Path) -> None:
        """A fresh, empty table file for the processes about to start (any old one is replaced, not reused)."""
        path.unlink(missing_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))

    def update(self, key: str, decide: Decide, now: float) -> None:
        """Under the lock: hand `decide` the time held for `key` and keep what it answers."""
        wanted = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1
        home = wanted % self.slots
        with self._thread_lock:
            if self._fd >= 0:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                self._update(wanted, home, decide, now)
            finally:
                if self._fd >= 0:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _update(self, wanted: int, home: int, decide: Decide, now: float) -> None:
        free, victim, victim_due = -1, -1, math.inf
        for probe in range(self.probes):
            slot = (home + probe) % self.slots
            held, due = _SLOT.unpack_from(self._map, slot * _SLOT.size)
            if held == wanted:
                kept = decide(due)
                if kept is not None:
                    _SLOT.pack_into(self._map, slot * _SLOT.size, wanted, kept)
                return
            if free < 0 and (held == 0 or due <= now):
                free = slot
            elif held != 0 and due < victim_due:
                victim, victim_due = slot, due
        kept = decide(None)
        if kept is not None:
            _SLOT.pack_into(self._map, (free if free >= 0 else victim) * _SLOT.size, wanted, kept)

    def held(self) -> int:
        """How many keys the table holds (for tests and diagnostics)."""
        return sum(_SLOT.unpack_from(self._map, n * _SLOT.size)[0] != 0 for n in range(self.slots))


class RateLimit:
    """At most `limit` requests per `period` seconds per key, bursts included; `name` keeps this limit's keys apart
    from another's in a shared table."""

    def __init__(
        self, limit: int, period: float = 60.0, *, clock: Callable[[], float] = time.monotonic, allowances: Allowances | None = None,
        name: str = "",
    ):
        if limit < 1:
            raise ValueError("a rate limit allows at least one request")
        self.limit, self.period, self.name = limit, period, name
        self._interval = period / limit
        self._tolerance = period - self._interval
        self._clock = clock
        self.allowances = allowances or Allowances()

    def hit(self, key: str) -> float:
        """Count one request; 0.0 when allowed, else the seconds to wait before the next is allowed."""
        now = self._clock()
        wait = 0.0

        def decide(held: float | None) -> float | None:
            nonlocal wait
            due = now if held is None else max(held, now)
            if due - now > self._tolerance:
                wait = due - now - self._tolerance
                return None  # refused: the allowance is not used up
            return due + self._interval

        self.allowances.update(f"{self.name}|{key}", decide, now)
        return wait


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, limit: Callable[[], RateLimit], key: Callable[[Scope], str] = client_address):
        self.limit = limit  # the app's limit of the moment (see `Plug`)
        self.key = key

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        check(self.limit(), scope, self.key)
        await next_app(scope, receive, send)


def check(limit: RateLimit, scope: Scope, key: Callable[[Scope], str] = client_address) -> None:
    """One request against `limit`, under `key(scope)`: a 429 with Retry-After once the allowance is spent."""
    wait = limit.hit(key(scope))
    if wait:
        raise TooManyRequestsException(
            detail=f"at most {limit.limit} requests a minute; try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
