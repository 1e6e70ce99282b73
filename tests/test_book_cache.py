"""The app's book in memory: `get()` never decodes on the event loop; a new publish arrives by a refresh."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from audit_api.book import Book, load_book
from audit_api.http import book_cache
from audit_api.http.book_cache import BookCache
from audit_api.store import Database, publish

from .conftest import run_async

DECODE_SECONDS = 0.3


def store_ids(book: Book) -> set[str]:
    return {store.id for store in book.stores}


def publish_without_a_store(database: Database, book_dir: Path) -> None:
    (book_dir / "stores" / "kazan-baumana.yaml").unlink()
    publish(database, load_book(book_dir))


def record_decodes(monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> list[int]:
    """Wrap the real `book_in`: the ids of the threads that decoded a book, one per decode."""
    decoded_on: list[int] = []
    real: Callable[[sqlite_utils.Database, object], Book] = book_cache.book_in

    def book_in(db: sqlite_utils.Database, path: object) -> Book:
        decoded_on.append(threading.get_ident())
        time.sleep(delay)
        return real(db, path)

    monkeypatch.setattr(book_cache, "book_in", book_in)
    return decoded_on


def test_get_returns_at_once_and_decodes_on_a_worker_thread(loaded: Database, book_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    books = BookCache(loaded, check_every=0.0)
    decoded_on = record_decodes(monkeypatch, delay=DECODE_SECONDS)
    publish_without_a_store(loaded, book_dir)

    async def serve() -> tuple[int, float, Book]:
        old = books.get()
        started = time.monotonic()
        for _ in range(50):  # every call may check; only one refresh may run at a time
            assert books.get() is old
        took = time.monotonic() - started
        deadline = time.monotonic() + 5
        while books.get() is old and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return threading.get_ident(), took, books.get()

    loop_thread, took, new = run_async(serve())
    assert took < DECODE_SECONDS / 2, f"get() waited {took:.3f} s"
    assert "kazan-baumana" not in store_ids(new)
    assert decoded_on and loop_thread not in decoded_on
    assert len(decoded_on) == 1


def test_a_published_change_is_visible_after_a_refresh(loaded: Database, book_dir: Path) -> None:
    books = BookCache(loaded)
    assert "kazan-baumana" in store_ids(books.get())
    publish_without_a_store(loaded, book_dir)
    assert books.refresh() is True
    assert "kazan-baumana" not in store_ids(books.get())


def test_an_unchanged_generation_decodes_nothing(loaded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    books = BookCache(loaded)
    book = books.get()
    decoded_on = record_decodes(monkeypatch)
    assert books.refresh() is False
    assert books.refresh() is False
    assert decoded_on == []
    assert books.get() is book


def test_outside_an_event_loop_get_neither_decodes_nor_refreshes(loaded: Database, book_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    books = BookCache(loaded, check_every=0.0)
    book = books.get()
    decoded_on = record_decodes(monkeypatch)
    publish_without_a_store(loaded, book_dir)
    assert books.get() is book
    assert decoded_on == []


def test_close_waits_for_the_refresh_under_way_and_starts_no_more(loaded: Database, book_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What crashed a test process (a segfault): the database closed while a refresh, started by a request and
    awaited by nobody, still read on it. The app's `on_shutdown` and `rewire` close the book cache first."""
    books = BookCache(loaded, check_every=0.0)
    decoded_on = record_decodes(monkeypatch, delay=DECODE_SECONDS)
    finished: list[bool] = []
    real_load = books._load

    def load(db: sqlite_utils.Database) -> book_cache._Published:
        try:
            return real_load(db)
        finally:
            finished.append(True)

    monkeypatch.setattr(books, "_load", load)
    publish_without_a_store(loaded, book_dir)

    async def close_while_refreshing() -> None:
        books.get()  # starts the refresh, which decodes for DECODE_SECONDS
        deadline = time.monotonic() + 5
        while not decoded_on and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        assert decoded_on and not finished, "the refresh is under way"
        books.close()
        assert finished == [True], "close() returned before the refresh had finished"
        publish(loaded, load_book(book_dir))  # a new generation
        books.get()
        await asyncio.sleep(0.2)

    run_async(close_while_refreshing())
    assert len(decoded_on) == 1, "no refresh after close()"
    assert books.refresh() is False
