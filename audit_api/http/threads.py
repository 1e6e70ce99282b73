"""The app's concurrency rule, written once, and the one way work moves off the event loop.

On the event loop run async handlers, middleware and guards, dependency providers, and sync handlers
marked `sync_to_thread=False`. They may do only pure work on data in memory (the published book from
`BookCache.get()`, caches, rate-limit counters, page rendering) and short indexed reads on the loop
thread's own read connection (a token look-up, one visit or ticket by id). Never on the loop: a write,
a wait for the writer lock, a decode of a whole book, a larger read, file I/O.

Blocking work moves to a worker thread in one way, onto one pool: the thread pool Litestar runs its
`sync_to_thread=True` handlers on (the loop's default executor unless
`litestar.concurrency.set_asyncio_executor` names another).
- a handler that is all blocking work is a sync handler marked `sync_to_thread=True`;
- async code awaits `to_thread(fn, *args)` from this module;
- sync code on the loop that must not wait (the book refresh in `BookCache.get()`) calls
  `start_in_thread(fn)`, and `fn` handles its own errors because nobody waits for it.
Group commits are the exception that needs no worker thread: `Database.submit` hands the job to the
writer's own thread, and async code awaits its future with `asyncio.wrap_future`.

SQLite is touched only through `audit_api/store`: each thread its own read connection (closed when
the thread ends), one writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

from litestar.concurrency import get_asyncio_executor, sync_to_thread

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


async def to_thread(fn: Callable[[*Ts], T], /, *args: *Ts) -> T:
    """`fn(*args)` on a worker thread; the loop serves other requests while it runs."""
    return await sync_to_thread(fn, *args)


def start_in_thread(fn: Callable[[], object]) -> None:
    """Start `fn()` on a worker thread and return at once. Call it on the event loop; raises
    RuntimeError elsewhere (no running loop) and once the pool has shut down."""
    asyncio.get_running_loop().run_in_executor(get_asyncio_executor(), fn)
