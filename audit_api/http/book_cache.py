"""The published book, held in memory by the app and refreshed when `audit load` publishes a new one.

A request costs a dictionary look-up; at most once a second one request also reads the book's
generation number (one row), and only a changed generation reloads the book.
"""

from __future__ import annotations

import threading
import time

from ..book import Book
from ..store import Database, current_book, generation


class BookCache:
    def __init__(self, database: Database, check_every: float = 1.0):
        self._database = database
        self._check_every = check_every
        self._lock = threading.Lock()
        self._generation = generation(database)
        self._book = current_book(database)
        self._checked = time.monotonic()

    def get(self) -> Book:
        if time.monotonic() - self._checked >= self._check_every:
            self._refresh()
        return self._book

    def _refresh(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            latest = generation(self._database)
            if latest != self._generation:
                self._book = current_book(self._database)
                self._generation = latest
