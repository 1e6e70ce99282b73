"""The group commit driven from an event loop (`Database.submit_on_loop`, the survey post's): the jobs submitted while
the loop works make one batch, run on the loop; the commit waits on a thread; a future resolves only once its batch
is on disk. When another writer holds the lock the loop does not wait: the writer thread takes the batch. A failing
job fails alone, and a closed database runs nothing more."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
import sqlite_utils

from audit_api.store import Database

T = TypeVar("T")


def _on_a_loop(main: Callable[[], Awaitable[T]]) -> T:
    """`main()` on an event loop of its own thread (a test process may be inside Playwright's loop)."""

    async def run() -> T:
        return await main()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


@pytest.fixture
def table(database: Database) -> Database:
    with database.write() as db:
        db.execute("CREATE TABLE kept (n INTEGER UNIQUE)")
    return database


def _insert(n: int) -> Callable[[sqlite_utils.Database], int]:
    def job(db: sqlite_utils.Database) -> int:
        db.execute("INSERT INTO kept (n) VALUES (?)", [n])
        return n

    return job


def _kept(database: Database) -> list[int]:
    with sqlite3.connect(database.path) as other:  # another connection: sees what is committed, only that
        return [n for (n,) in other.execute("SELECT n FROM kept ORDER BY n")]


def _another_writer(table: Database, holding: threading.Event, release: threading.Event) -> threading.Thread:
    """A thread that writes 100 and holds the writers' lock until `release` (started; `holding` once it holds it)."""

    def write() -> None:
        with table.write() as db:
            db.execute("INSERT INTO kept (n) VALUES (100)")
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=write)
    writer.start()
    holding.wait(10)
    return writer


def test_jobs_submitted_together_make_one_batch_committed_before_any_answer(table: Database) -> None:
    statements: list[str] = []
    with table.writer() as db:
        db.conn.set_trace_callback(statements.append)
    seen_when_done: list[list[int]] = []

    async def main() -> list[int]:
        futures = [table.submit_on_loop(_insert(n)) for n in range(5)]
        futures[0].add_done_callback(lambda _: seen_when_done.append(_kept(table)))
        return list(await asyncio.gather(*futures))

    assert _on_a_loop(main) == [0, 1, 2, 3, 4]
    assert seen_when_done == [[0, 1, 2, 3, 4]], "an answer only once its whole batch is on disk"
    assert statements.count("COMMIT") == 1 and sum(s.startswith("BEGIN") for s in statements) == 1


def test_a_failing_job_fails_alone(table: Database) -> None:
    async def main() -> list[object]:
        futures = [table.submit_on_loop(_insert(n)) for n in (1, 2, 1, 3)]  # the second 1 breaks UNIQUE
        return list(await asyncio.gather(*futures, return_exceptions=True))

    outcomes = _on_a_loop(main)
    assert outcomes[:2] == [1, 2] and outcomes[3] == 3 and isinstance(outcomes[2], sqlite3.IntegrityError)
    assert _kept(table) == [1, 2, 3]


def test_the_loop_does_not_wait_for_another_writer(table: Database) -> None:
    holding, release = threading.Event(), threading.Event()
    statements: list[str] = []
    with table.writer() as db:
        db.conn.set_trace_callback(statements.append)

    writer = _another_writer(table, holding, release)

    async def main() -> tuple[bool, list[int]]:
        first = table.submit_on_loop(_insert(7))
        await asyncio.sleep(0.2)
        loop_was_free = not first.done()  # the loop ran this coroutine on while the batch waited for the lock
        later = [table.submit_on_loop(_insert(n)) for n in (8, 9)]  # they come while the other writer still writes
        release.set()
        return loop_was_free, list(await asyncio.gather(first, *later))

    assert _on_a_loop(main) == (True, [7, 8, 9])
    writer.join()
    assert _kept(table) == [7, 8, 9, 100]
    assert statements.count("COMMIT") == 2, "the other writer's, then one batch for all three: the late ones joined it"


def test_a_closed_database_runs_nothing_more(table: Database) -> None:
    async def main() -> None:
        assert await table.submit_on_loop(_insert(1)) == 1
        table.close()
        with pytest.raises(RuntimeError, match="closed"):
            await table.submit_on_loop(_insert(2))

    _on_a_loop(main)
    assert _kept(table) == [1]


def test_closing_gives_up_a_batch_that_waits_for_the_lock(table: Database) -> None:
    holding, release = threading.Event(), threading.Event()

    writer = _another_writer(table, holding, release)

    async def main() -> None:
        waiting = table.submit_on_loop(_insert(5))
        await asyncio.sleep(0.1)
        threading.Timer(0.2, release.set).start()
        table.close()  # on the loop, as at a server's shutdown: it needs nothing from the loop to finish
        with pytest.raises(RuntimeError, match="closed"):
            await waiting

    _on_a_loop(main)
    writer.join()
    assert _kept(table) == [100]
