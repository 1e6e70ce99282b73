"""Connections and files must not pile up: a thread's read connection closes when its thread ends.

In the spirit of datasette's tests/test_fd_leak.py. Litestar's worker threads come and go; if each
one left its connection open, a long-running server would run out of file descriptors.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from audit_api.store import Database, migrate

BURSTS = 5
THREADS_PER_BURST = 40
# The writer, the test thread's own read connection, and SQLite's WAL and shared-memory files.
ALLOWED_GROWTH = 6


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def burst(database: Database) -> None:
    """Short-lived threads that each read once, all with their connection open at the same moment."""
    together = threading.Barrier(THREADS_PER_BURST)

    def query() -> None:
        database.read().execute("SELECT generation FROM book_state").fetchone()
        together.wait()

    threads = [threading.Thread(target=query) for _ in range(THREADS_PER_BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_read_connections_of_finished_threads_are_closed(tmp_path: Path) -> None:
    before_open = open_fds()
    database = Database(tmp_path / "audit.db")
    try:
        migrate(database)
        database.read().execute("SELECT generation FROM book_state").fetchone()
        start = open_fds()
        growth = []
        for _ in range(BURSTS):
            burst(database)
            growth.append(open_fds() - start)
        # A closed connection's database file descriptor is not closed at once while another
        # connection holds a lock on the file (WAL readers always do): SQLite keeps it for the next
        # connection to that file. So one burst leaves up to one per thread it ran at once, and
        # every later burst reuses them: the count must not grow from one burst to the next.
        assert growth[-1] - growth[0] <= ALLOWED_GROWTH, f"file descriptors open after each burst: {growth}"
        assert growth[-1] <= THREADS_PER_BURST + ALLOWED_GROWTH, f"file descriptors open after each burst: {growth}"
        assert database.read_connections() <= 2, f"{database.read_connections()} read connections still open"
    finally:
        database.close()
    assert open_fds() == before_open
