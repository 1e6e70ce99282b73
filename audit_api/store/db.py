"""The SQLite file and the one access design every caller uses, correct under Litestar's threads.

Reads: each thread gets its own connection (SQLite connections must not be shared while in use),
and WAL lets readers run while a write is under way. Writes: one writer connection behind a lock,
so in-process writers queue instead of failing with "database is locked", and `BEGIN IMMEDIATE`
takes SQLite's write lock up front, so another process (the CLI while the server runs) waits
(busy timeout) instead of failing half-way. `synchronous=FULL`: an acknowledged commit survives a
power cut. Foreign keys are on for every connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000


class Database:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite_utils.Database] = []
        self._opened_lock = threading.Lock()
        self._writer = self._connect()

    def __deepcopy__(self, memo: dict) -> Database:
        # One file, one writer: a copy would be a second writer. Litestar deep-copies routers (and the
        # middleware arguments they carry) when it registers them; they must all share this object.
        return self

    def _connect(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        with self._opened_lock:
            self._opened.append(db)
        return db

    def read(self) -> sqlite_utils.Database:
        """This thread's connection, for queries only."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

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

    @contextmanager
    def writer(self) -> Iterator[sqlite_utils.Database]:
        """The writer connection under the lock, outside a transaction (migrations manage their own)."""
        with self._lock:
            yield self._writer

    def close(self) -> None:
        with self._opened_lock:
            for db in self._opened:
                db.close()
            self._opened.clear()
        self._local = threading.local()
