"""The published book, held in memory by the app and refreshed when `audit load` publishes a new one.

`get()` runs on the event loop for every request, so it only returns the book in memory: it never
reads the database, decodes a book or waits for a lock. At most once a second it also starts a
refresh on a worker thread without waiting for it; the refresh reads the book's generation number
(one row) and only a changed generation decodes the book, which is then swapped in by one reference
assignment. A new `audit load` therefore reaches a running server within about a second.

Nobody waits for a refresh, so `close()` does before the database may close: it starts no more and waits for the
one under way (a connection closed while another thread reads on it crashes the process, not just the read). And a
refresh reads on a connection of its own (`Database.private_read`), which the database's `close()` does not reach:
an app that is never shut down (a test's) cannot have its refresh's connection closed under it either.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import NamedTuple

import sqlite_utils

from ..book import Book
from ..store import Database
from ..store.book import book_in, generation_in
from .threads import start_in_thread

log = logging.getLogger("audit_api")


class _Published(NamedTuple):
    generation: int
    book: Book


class BookCache:
    def __init__(self, database: Database, check_every: float = 1.0):
        self._database = database
        self._check_every = check_every
        self._refresh_lock = threading.Lock()  # one refresh at a time; taken only on worker threads
        self._refreshing = False
        self._closed = False
        self._checked = time.monotonic()
        with database.private_read() as db:
            self._published = self._load(db)

    def get(self) -> Book:
        """The book in memory, at once. Outside an event loop nothing refreshes by itself: call `refresh()`."""
        now = time.monotonic()
        if now - self._checked >= self._check_every and not self._refreshing and not self._closed:
            self._checked = now
            self._refreshing = True
            try:
                start_in_thread(self._refresh_in_background)
            except RuntimeError:  # no running loop, or shutting down
                self._refreshing = False
        return self._published.book

    def refresh(self) -> bool:
        """Reload the book if a newer one was published; True if it did. Blocks: not for the event loop."""
        with self._refresh_lock, self._database.private_read() as db:
            if self._closed or generation_in(db) == self._published.generation:
                return False
            self._published = self._load(db)
            return True

    def close(self) -> None:
        """Start no more refreshes and wait for the one under way: afterwards nothing here reads the database."""
        self._closed = True
        with self._refresh_lock:
            pass

    def _load(self, db: sqlite_utils.Database) -> _Published:
        # The generation first: a book published between the two reads is then only loaded once more.
        return _Published(generation_in(db), book_in(db, self._database.path))

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:
            # Keep serving the book in memory; the next check tries again.
            log.exception("could not refresh the published book")
        finally:
            self._refreshing = False
