"""The SQLite file and the one access design every caller uses, correct under Litestar's threads.

Reads: each thread gets its own connection (SQLite connections must not be shared while in use),
and WAL lets readers run while a write is under way. A thread's connection is closed when the thread
ends (worker threads come and go; kept open, their connections would use up file descriptors), and
`close()` closes whatever is still open. Writes: one writer connection behind a lock,
so in-process writers queue instead of failing with "database is locked", and `BEGIN IMMEDIATE`
takes SQLite's write lock up front, so another process (the CLI while the server runs) waits
(busy timeout) instead of failing half-way. Across processes (the server's workers, the CLI) writers also
queue on an exclusive `flock` of `<db>.lock`, taken before SQLite's lock: a waiter wakes the moment
the writer before it is done, where SQLite's busy handler would sleep 1, 2, 5, 10 ms... between tries
(two workers answering surveys would spend more time asleep than writing). `synchronous=FULL`: an acknowledged commit survives a
power cut. Foreign keys are on for every connection. The file is readable by the server's user only:
made mode 0600 before SQLite opens it (SQLite gives its -wal and -shm files the mode of the database
file), and an existing file and its -wal and -shm are put back to 0600 when the database opens.

Two ways to write, both through the one writer:
- `write()`: a transaction in the caller's thread, for occasional writes;
- `submit(job)`: group commit for hot paths. A writer thread runs every job waiting at that moment
  in one transaction (when one fails, again, each inside its own savepoint, so a failing job undoes
  only itself), commits once, and only then resolves each job's future. So every acknowledged write is on disk, and
  concurrent writers share one fsync (a durable commit costs ~0.5 ms here; see `bench/`). A job may
  leave work for after the batch's last job (`later`): sums many jobs add to are then written once
  per key for the batch, not once per job (the survey roll-ups: 24 upserts an answer before).
- `submit_on_loop(job)`: the same group commit, driven from an event loop (the survey post's): the batch's jobs
  run on the loop, which holds the GIL anyway, and only the commit (the fsync) waits on a thread. On the writer
  thread every SQLite call of a job lets go of the GIL and waits to have it back while the loop works: a batch of
  four answers took ~5 ms of wall for ~1.4 ms of CPU (README, Benchmarks; `_LoopCommit`).
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import os
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from .files import FILE_MODE, private_file

BUSY_TIMEOUT_MS = 30_000
MAX_BATCH = 64
T = TypeVar("T")
Job = Callable[[sqlite_utils.Database], T]


class Connection(sqlite_utils.Database):
    """sqlite_utils' Database on one of our connections, with a lean `query`: sqlite_utils wraps every query in a
    savepoint (so that a statement returning no rows can be undone before it refuses it), three statements for one,
    each a round trip that lets go of the GIL (`bench/requests.py`). Our queries are SELECTs; a statement that
    returns no rows is still refused, before any row is read."""

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Generator[dict[Any, Any], None, None]:
        cursor = self.conn.execute(sql, () if params is None else params)
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows - use execute() for other statements")
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)


class _Reader:
    """One thread's read connection. Only that thread's `threading.local` holds it, so when the thread
    ends the holder is dropped and its finalizer closes the connection (from whichever thread drops it:
    connections are opened with check_same_thread=False)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.close = weakref.finalize(self, db.close)


Later = Callable[[sqlite_utils.Database, list[Any]], None]  # writes every item the batch's jobs left, in one go


class _Batch:
    """The items the jobs of one group commit leave for after them all, by the function that writes them."""

    def __init__(self) -> None:
        self.left: dict[Later, list[Any]] = {}

    def mark(self) -> dict[Later, int]:
        return {write: len(items) for write, items in self.left.items()}

    def undo_since(self, mark: dict[Later, int]) -> None:
        """Forget what a failed job left (its statements were rolled back: so must its sums be)."""
        for write, items in list(self.left.items()):
            del items[mark.get(write, 0):]

    def write(self, db: sqlite_utils.Database) -> None:
        for write, items in self.left.items():
            if items:
                write(db, items)


_batches: dict[int, _Batch] = {}  # id(writer connection) -> the batch it is running (only while it runs)


def later(db: sqlite_utils.Database, write: Later, item: object) -> None:
    """Within a group commit, have `write(db, items)` called once after the batch's last job (before its commit)
    with every item its jobs left; anywhere else (a plain transaction), at once with this item alone. Leave it as
    a job's last step: a job that fails afterwards has its items forgotten, with its statements."""
    batch = _batches.get(id(db.conn))
    if batch is None:
        write(db, [item])
    else:
        batch.left.setdefault(write, []).append(item)


_ROWS_AT_ONCE = (64, 32, 16, 8, 4, 2, 1)  # few sizes, so that the statement cache keeps every statement `insert_rows` makes


def insert_rows(conn: sqlite3.Connection, head: str, rows: Sequence[Sequence[object]], tail: str = "") -> None:
    """`{head} VALUES (?, ...), (?, ...) {tail}` for every row of `rows` (all of one width): statements of 64 rows,
    then the rest by powers of two, where `executemany` steps once a row. Each step lets go of the GIL and waits to
    have it back, which on a busy server costs more than the step: a batch of four survey answers took ~5 ms of wall
    for ~1.4 ms of the writer's CPU, with the writers' lock held throughout (README, Benchmarks). `tail` may be an
    upsert's `ON CONFLICT ... DO UPDATE`."""
    done = 0
    for size in _ROWS_AT_ONCE:
        while len(rows) - done >= size:
            chunk = rows[done:done + size]
            conn.execute(_rows_statement(head, tail, len(chunk[0]), size), [value for row in chunk for value in row])
            done += size


@functools.lru_cache(maxsize=256)
def _rows_statement(head: str, tail: str, width: int, size: int) -> str:
    one = f"({', '.join('?' * width)})"
    return f"{head} VALUES {', '.join([one] * size)} {tail}".rstrip()


class _WriterLock:
    """The writer's lock: a thread lock within this process, then an exclusive `flock` across processes."""

    def __init__(self, path: Path):
        self._thread = threading.Lock()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)

    def __enter__(self) -> None:
        self._thread.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks in the kernel with the GIL released
        except BaseException:
            self._thread.release()
            raise

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:  # closed: closing the file let go of the flock
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()

    def try_enter(self) -> bool:
        """Take the lock if nobody holds it, in this process or another; never wait. Left by `__exit__`, from any thread."""
        if not self._thread.acquire(blocking=False):
            return False
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._thread.release()
            return False
        except BaseException:
            self._thread.release()
            raise
        return True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class Database:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._make_private()
        self._local = threading.local()
        self._lock = _WriterLock(self.path.with_name(f"{self.path.name}.lock"))
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()  # so that close() reaches live threads' connections
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._jobs: queue.SimpleQueue[tuple[Job[Any], Future[Any]] | None] = queue.SimpleQueue()
        self._committer: threading.Thread | None = None
        self._committer_lock = threading.Lock()
        self._on_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopCommit] = weakref.WeakKeyDictionary()
        self._commit_thread: ThreadPoolExecutor | None = None
        self._wait_thread: ThreadPoolExecutor | None = None
        self._loop_commits = 0  # the loops' batches under way (their jobs, then their commit on the commit thread)
        self._loop_commits_done = threading.Condition()
        self._closed = False

    def __deepcopy__(self, memo: dict[int, object]) -> Database:
        # One file, one writer: a copy would be a second writer. Litestar deep-copies routers (and the
        # middleware arguments they carry) when it registers them; they must all share this object.
        return self

    def _make_private(self) -> None:
        os.close(os.open(self.path, os.O_RDONLY | os.O_CREAT, FILE_MODE))  # an empty file is a valid empty database
        for path in (self.path, self.path.with_name(f"{self.path.name}-wal"), self.path.with_name(f"{self.path.name}-shm")):
            try:
                private_file(path)
            except FileNotFoundError:  # no -wal or -shm while no connection is open
                pass

    def _connect(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return Connection(conn, execute_plugins=False)

    def read(self) -> sqlite_utils.Database:
        """This thread's connection, for queries only."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = _Reader(self._connect())
            with self._readers_lock:
                self._readers.add(reader)
        return reader.db

    @contextmanager
    def private_read(self) -> Iterator[sqlite_utils.Database]:
        """A read connection of the caller's own, closed when the block ends: for work on a thread nobody waits for (a
        book refresh), whose connection `close()` must not close under it (another thread's connection closed while
        it reads crashes the process)."""
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    def read_connections(self) -> int:
        """How many read connections are open now: one per live thread that has read."""
        with self._readers_lock:
            return len(self._readers)

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One transaction on the writer: committed on success, rolled back on any exception."""
        with self._lock:
            db = self._writer
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.rollback()
                raise
            db.conn.commit()

    def submit(self, job: Job[T]) -> Future[T]:
        """Run `job(db)` in the next group commit; the future resolves once its commit is on disk."""
        future: Future[T] = Future()
        self._start_committer()
        self._jobs.put((job, future))
        return future

    def submit_on_loop(self, job: Job[T]) -> asyncio.Future[T]:
        """From a coroutine on the running event loop, the hot paths': `submit`, but the batch's jobs run on this loop
        (which holds the GIL anyway) and only its commit waits on a thread. Await the future; never wait on it from
        the loop's thread otherwise (nothing would run the batch). See `_LoopCommit`."""
        loop = asyncio.get_running_loop()
        committer = self._on_loops.get(loop)
        if committer is None:
            committer = self._on_loops[loop] = _LoopCommit(self)
        return committer.submit(job)

    def run(self, job: Job[T]) -> T:
        """`submit` and wait: the job's result, or its exception."""
        return self.submit(job).result()

    def _start_committer(self) -> None:
        if self._committer is None:
            with self._committer_lock:
                if self._committer is None:
                    self._committer = threading.Thread(target=self._commit_loop, name="sqlite-group-commit", daemon=True)
                    self._committer.start()

    def _commit_loop(self) -> None:
        while (first := self._jobs.get()) is not None:
            # The lock first, then the batch: the jobs that arrive while another process (a worker) writes join this
            # batch, so that processes taking turns commit larger batches rather than more of them.
            with self._lock:
                batch, stop = self._gather(first)
                outcomes = self._commit_batch(batch)
            for (_, future), (result, error) in zip(batch, outcomes):
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
            if stop:
                break

    def _gather(self, first: tuple[Job[Any], Future[Any]]) -> tuple[list[tuple[Job[Any], Future[Any]]], bool]:
        """`first` and every job waiting now (at most `MAX_BATCH`); and whether `close()` asked to stop after them."""
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                nxt = self._jobs.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                return batch, True
            batch.append(nxt)
        return batch, False

    def _commit_batch(self, batch: list[tuple[Job[Any], Future[Any]]]) -> list[tuple[object, BaseException | None]]:
        """Each job's (result, error), once the batch is committed; under the writer lock. The futures are resolved
        by the caller, after letting go of the lock."""
        conn = self._writer.conn
        try:
            outcomes = self._run_jobs(batch)
            conn.commit()
            return outcomes
        except BaseException as exc:  # noqa: BLE001 - the whole batch failed: nobody is told "done"
            if conn.in_transaction:
                conn.rollback()
            return [(None, exc)] * len(batch)

    def _committing(self) -> ThreadPoolExecutor:
        """The thread the loops' batches commit on. It never waits for the writers' lock: the batch it commits holds it,
        and lets go of it there (a loop waiting for the lock here would keep the holder's commit from its turn)."""
        if self._commit_thread is None:
            self._commit_thread = self._thread_once("_commit_thread", "sqlite-commit")
        return self._commit_thread

    def _waiting(self) -> ThreadPoolExecutor:
        """The thread where a loop's batch waits for the writers' lock while another writer holds it."""
        if self._wait_thread is None:
            self._wait_thread = self._thread_once("_wait_thread", "sqlite-lock-wait")
        return self._wait_thread

    def _thread_once(self, attribute: str, name: str) -> ThreadPoolExecutor:
        """The executor kept in `attribute`, made by the first loop that asks: two loops asking at once get the same one
        (another, made and dropped, would be left out of `close()`)."""
        with self._committer_lock:
            made: ThreadPoolExecutor | None = getattr(self, attribute)
            if made is None:
                made = ThreadPoolExecutor(1, thread_name_prefix=name)
                setattr(self, attribute, made)
            return made

    def _lock_for_loop(self) -> bool:
        """On the lock-wait thread: the writers' lock, once nobody else holds it; False (and not held) once closed."""
        self._lock.__enter__()
        if self._closed:
            self._lock.__exit__()
            return False
        return True

    def _commit_and_unlock(self) -> None:
        """A loop's batch committed (on the commit thread: the fsync), then the writers' lock let go. A commit that fails
        is rolled back, and raises."""
        conn = self._writer.conn
        try:
            conn.commit()
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        finally:
            self._loop_batch_over()

    def _rollback_and_unlock(self) -> None:
        conn = self._writer.conn
        try:
            if conn.in_transaction:
                conn.rollback()
        finally:
            self._loop_batch_over()

    def _loop_batch_over(self) -> None:
        """A loop's batch is committed or undone: the writers' lock let go, and `close()` told."""
        self._lock.__exit__()
        with self._loop_commits_done:
            self._loop_commits -= 1
            self._loop_commits_done.notify_all()

    def _run_jobs(self, batch: list[tuple[Job[Any], Any]]) -> list[tuple[object, BaseException | None]]:
        """Under the writer lock: begin a transaction and run the batch's jobs in it, leaving it to be committed: each
        job's (result, error). First every job in a row, no savepoints: two statements less a job, each a round trip
        that waits for the GIL while the event loop works. A job that fails (rare: a conflict) sends the batch round
        again, each job in its own savepoint, so that it undoes only itself (jobs touch nothing but the database)."""
        conn = self._writer.conn
        return self._run_batch(conn, batch, isolated=False) or self._run_batch(conn, batch, isolated=True) or []

    def _run_batch(
        self, conn: sqlite3.Connection, batch: list[tuple[Job[Any], Any]], *, isolated: bool
    ) -> list[tuple[object, BaseException | None]] | None:
        """Run the batch's jobs in one transaction, left open: each job's (result, error). Not `isolated`: None,
        rolled back, as soon as a job fails."""
        outcomes: list[tuple[object, BaseException | None]] = []
        left = _batches[id(conn)] = _Batch()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job, _ in batch:
                if not isolated:
                    try:
                        outcomes.append((job(self._writer), None))
                    except Exception:  # noqa: BLE001 - the careful round finds whose it is
                        conn.rollback()
                        return None
                    continue
                conn.execute("SAVEPOINT job")
                mark = left.mark()
                try:
                    outcomes.append((job(self._writer), None))
                except BaseException as exc:  # noqa: BLE001 - handed to the job's caller
                    conn.execute("ROLLBACK TO job")
                    left.undo_since(mark)
                    outcomes.append((None, exc))
                conn.execute("RELEASE job")
            left.write(self._writer)
            return outcomes
        finally:
            del _batches[id(conn)]

    @contextmanager
    def writer(self) -> Iterator[sqlite_utils.Database]:
        """The writer connection under the lock, outside a transaction (migrations manage their own)."""
        with self._lock:
            yield self._writer

    def close(self) -> None:
        """Finish what is under way and close every connection; a second call does nothing."""
        if self._closed:
            return
        with self._loop_commits_done:
            self._closed = True  # the loops' batches not begun yet fail
        if self._committer is not None:
            self._jobs.put(None)
            self._committer.join()
            self._committer = None
        # The loops' commits under way finish (without their loop: this may be one of them, in its shutdown).
        with self._loop_commits_done:
            self._loop_commits_done.wait_for(lambda: self._loop_commits == 0)
        for thread in (self._wait_thread, self._commit_thread):  # a loop's batch waiting for the lock gets it, and gives up
            if thread is not None:
                thread.shutdown()
        self._wait_thread = self._commit_thread = None
        with self._readers_lock:
            readers, self._readers = list(self._readers), weakref.WeakSet()
        for reader in readers:
            reader.close()
        self._writer.close()
        self._lock.close()
        self._local = threading.local()


class _LoopCommit:
    """One event loop's group commit on `database` (`Database.submit_on_loop`). The jobs submitted while the loop runs
    its other work make a batch; the batch begins on the loop, its jobs run there, and its commit (the fsync) waits
    on the database's commit thread, which then lets go of the writers' lock; the futures are resolved on the loop
    once the commit is on disk. Meanwhile the next batch gathers. Where the writer thread runs the jobs, it waits for
    the GIL at every SQLite call while the loop works (README, Benchmarks); here nothing waits for it but the commit.

    The loop never waits for the writers' lock: when another thread, loop or process holds it, the lock-wait thread
    waits for it, and the batch runs on the loop once it has it. Not the commit thread: the batch of another loop of
    this process may hold the lock, and be waiting for that thread to commit (a CI run hung on it). (Handed to the
    writer thread instead, the batches of two workers taking turns ran there, and two workers served fewer answers
    than one.)"""

    def __init__(self, database: Database):
        self.database = database  # not the loop: the database keeps this for as long as the loop lives
        self.pending: list[tuple[Job[Any], asyncio.Future[Any]]] = []
        self.busy = False  # a batch is gathering, running or committing

    def submit(self, job: Job[T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self.pending.append((job, future))
        if not self.busy:
            self.busy = True
            loop.call_soon(self._begin)  # after what the loop has ready now: their jobs join this batch
        return future

    def _begin(self) -> None:
        database = self.database
        if not self.pending:
            self.busy = False
        elif database._closed:
            self._fail(self._take(), _closed_error())
        elif database._lock.try_enter():
            self._run(self._take())
        else:  # another writer (a worker, the CLI, another loop): a thread waits for the lock, the loop goes on
            database._waiting().submit(self._wait_for_lock, asyncio.get_running_loop())

    def _wait_for_lock(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the lock-wait thread: the writers' lock, then back to the loop with it."""
        try:
            had: bool | BaseException = self.database._lock_for_loop()
        except BaseException as exc:  # noqa: BLE001 - the batch's callers are told
            had = exc
        try:
            loop.call_soon_threadsafe(self._after_waiting, had)
        except RuntimeError:  # the loop is closed: nobody is left to run the batch, or to let go of the lock
            if had is True:
                self.database._lock.__exit__()

    def _after_waiting(self, had: bool | BaseException) -> None:
        # The batch is taken now, with the jobs that came while another process wrote: two workers taking turns then
        # commit larger batches rather than more of them.
        batch = self._take()
        if isinstance(had, BaseException):
            self._fail(batch, had)
        elif not had:
            self._fail(batch, _closed_error())
        else:
            self._run(batch)

    def _take(self) -> list[tuple[Job[Any], asyncio.Future[Any]]]:
        batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
        return batch

    def _run(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]]) -> None:
        """The batch's jobs, under the writers' lock (this loop holds it now); then its commit, on the commit thread."""
        database = self.database
        with database._loop_commits_done:
            closed = database._closed
            if not closed:
                database._loop_commits += 1  # from here on, close() waits for this batch
        if closed:
            database._lock.__exit__()
            self._fail(batch, _closed_error())
            return
        try:
            outcomes = database._run_jobs(batch)
        except BaseException as exc:  # noqa: BLE001 - the whole batch failed: nobody is told "done"
            database._rollback_and_unlock()
            self._fail(batch, exc)
            return
        committed = asyncio.get_running_loop().run_in_executor(database._committing(), database._commit_and_unlock)
        committed.add_done_callback(lambda done: self._resolve(batch, outcomes) if (failed := _failure(done)) is None else self._fail(batch, failed))

    def _fail(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]], error: BaseException) -> None:
        self._resolve(batch, [(None, error)] * len(batch))

    def _resolve(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]], outcomes: list[tuple[object, BaseException | None]]) -> None:
        for (_, future), (result, error) in zip(batch, outcomes):
            if future.cancelled():  # its caller went away; its answer is stored all the same
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
        self._begin()  # the next batch, gathered meanwhile


def _closed_error() -> RuntimeError:
    return RuntimeError("the database is closed")


def _failure(done: asyncio.Future[Any]) -> BaseException | None:
    return asyncio.CancelledError() if done.cancelled() else done.exception()
