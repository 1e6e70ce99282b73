"""Many writers at once, in threads (as under Litestar) and in processes (the CLI beside the server): nothing lost."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msgspec

from audit_api.book import Book, load_book
from audit_api.store import Database, current_book, generation, publish

from .conftest import DEMO_BOOK

WRITERS = 24


def variant(book: Book, target: int) -> Book:
    """The book with the phone checklist's first target changed: a new checklist version."""
    phone = book.checklists_by_id["phone-call"]
    first = phone.stages[0]
    item = msgspec.structs.replace(first.items[0], target=float(target))
    stage = msgspec.structs.replace(first, items=[item, *first.items[1:]])
    checklist = msgspec.structs.replace(phone, stages=[stage, *phone.stages[1:]])
    return msgspec.structs.replace(book, checklists=[c if c.id != "phone-call" else checklist for c in book.checklists])


def phone_versions(database: Database) -> list[tuple[int, str]]:
    return database.read().execute(
        "SELECT version, hash FROM book_versions WHERE doc_id = 'phone-call' ORDER BY version"
    ).fetchall()


def test_threads_publishing_at_once_lose_nothing(loaded: Database) -> None:
    book = load_book(DEMO_BOOK)
    targets = list(range(100, 100 + WRITERS))
    start = threading.Barrier(WRITERS + 4)
    seen_targets: set[float] = set()
    stop = threading.Event()

    def write(target: int) -> list[str]:
        start.wait()
        return publish(loaded, variant(book, target)).added

    def read() -> None:
        start.wait()
        while not stop.is_set():
            seen = current_book(loaded).checklists_by_id["phone-call"].stages[0].items[0].target
            seen_targets.add(seen)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        added = list(pool.map(write, targets))
    stop.set()
    for reader in readers:
        reader.join()

    assert sorted(len(a) for a in added) == [1] * WRITERS
    stored = phone_versions(loaded)
    assert [v for v, _ in stored] == list(range(1, WRITERS + 2)), "versions are numbered without gaps or repeats"
    assert len({h for _, h in stored}) == WRITERS + 1
    assert generation(loaded) == 1 + WRITERS
    assert seen_targets <= {3.0, *map(float, targets)}, "readers only ever see a whole published book"


def test_processes_loading_at_once_lose_nothing(loaded: Database, tmp_path: Path) -> None:
    books = []
    for n in range(4):
        folder = tmp_path / f"book{n}"
        subprocess.run(["cp", "-r", str(DEMO_BOOK), str(folder)], check=True)
        phone = folder / "standards" / "phone-call.yaml"
        phone.write_text(phone.read_text(encoding="utf-8").replace("target: 3\n", f"target: {10 + n}\n", 1), encoding="utf-8")
        books.append(folder)
    command = [sys.executable, "-m", "audit_api.cli", "load", "--db", str(loaded.path), "--book"]
    processes = [subprocess.Popen([*command, str(book)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for book in books]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in processes]
    assert [code for _, _, code in results] == [0] * 4, results
    assert [v for v, _ in phone_versions(loaded)] == [1, 2, 3, 4, 5]
    assert generation(loaded) == 5
