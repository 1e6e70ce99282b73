"""The group commit driven from an event loop (`Database.submit_on_loop`, the survey post's): the jobs submitted while
the loop works make one batch, run on the loop; the commit waits on a thread; a future resolves only once its batch
is on disk. When another writer holds the lock the loop does not wait: a thread waits for the lock, and the loop runs
the batch once it has it. Two loops of one process never wait on each other. A failing job fails alone, and a closed
database runs nothing more."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
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



def _two_loops(path: Path) -> list[int]:
    """Two event loops in one process, on one database: while the first loop's batch holds the writers' lock, the
    second loop's batch comes and waits for the lock; then the first batch commits. What both stored."""
    table = Database(path)
    with table.write() as db:
        db.execute("CREATE TABLE kept (n INTEGER UNIQUE)")
    waiting, lock_for_loop = threading.Event(), table._lock_for_loop

    def noticed() -> bool:  # the second batch has begun to wait for the lock
        waiting.set()
        return lock_for_loop()

    table._lock_for_loop = noticed  # type: ignore[method-assign]
    with ThreadPoolExecutor(1) as second_loop:
        second: list[Future[int]] = []

        def first_job(db: sqlite_utils.Database) -> int:
            second.append(second_loop.submit(_on_a_loop, lambda: table.submit_on_loop(_insert(2))))
            assert waiting.wait(10), "the second loop's batch waits for the lock this batch holds"
            return _insert(1)(db)

        async def first() -> int:
            return await table.submit_on_loop(first_job)

        assert _on_a_loop(first) == 1
        assert second[0].result() == 2
    table.close()
    return _kept(table)


def test_two_loops_on_one_database_never_wait_on_each_other(tmp_path: Path) -> None:
    """A server's loop and a test client's, say. The first batch's commit must not queue behind the second's wait for
    the lock that batch holds: a CI run hung on it. Run in a process of its own, so that a regression fails here
    (killed after a minute) rather than hanging the whole run."""
    try:
        done = subprocess.run([sys.executable, __file__, str(tmp_path / "two.db")], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the two loops waited on each other: no answer in a minute")
    assert (done.returncode, done.stdout.strip()) == (0, "[1, 2]"), done.stderr


if __name__ == "__main__":  # test_two_loops_on_one_database_never_wait_on_each_other
    print(_two_loops(Path(sys.argv[1])))
