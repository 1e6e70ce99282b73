"""Loading the book records each checklist and survey version by content hash, all or nothing."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import msgspec

from audit_api.book import load_book
from audit_api.store import Database, current_book, current_version, publish

from .conftest import DEMO_BOOK


def dump(database: Database) -> list[tuple]:
    """Every row of every table: the whole observable state."""
    db = database.read()
    rows = []
    for table in sorted(db.table_names()):
        rows += [(table, *row) for row in sorted(db.execute(f"SELECT * FROM [{table}]"), key=repr)]
    return rows


def versions(database: Database, kind: str, doc_id: str) -> list[tuple[int, str]]:
    return database.read().execute(
        "SELECT version, hash FROM book_versions WHERE kind = ? AND doc_id = ? ORDER BY version", [kind, doc_id]
    ).fetchall()


def audit_load(book: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit_api.cli", "load", "--book", str(book), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_first_load_records_every_document(database: Database) -> None:
    book = load_book(DEMO_BOOK)
    report = publish(database, book)
    assert len(report.added) == 2 + len(book.stores) + len(book.checklists) + len(book.surveys)
    assert report.generation == 1
    ref = current_version(database, "checklist", "in-store-visit")
    body = database.read().execute(
        "SELECT body FROM book_versions WHERE kind = 'checklist' AND doc_id = 'in-store-visit'"
    ).fetchone()[0]
    assert ref.version == 1 and ref.hash == hashlib.sha256(body.encode()).hexdigest()
    assert current_book(database) == msgspec.json.decode(msgspec.json.encode(_sorted(book)), type=type(book))


def _sorted(book):
    return msgspec.structs.replace(
        book,
        stores=sorted(book.stores, key=lambda s: s.id),
        checklists=sorted(book.checklists, key=lambda c: c.id),
        surveys=sorted(book.surveys, key=lambda s: s.id),
    )


def test_reloading_an_unchanged_book_changes_nothing(loaded: Database) -> None:
    before = dump(loaded)
    report = publish(loaded, load_book(DEMO_BOOK))
    assert not report.changed and report.unchanged == 13  # chain, FAQ, 7 stores, 2 checklists, 2 surveys
    assert dump(loaded) == before


def test_comments_and_layout_do_not_make_a_new_version(loaded: Database, book_dir: Path) -> None:
    visit = book_dir / "standards" / "in-store-visit.yaml"
    visit.write_text("# a new comment\n\n" + visit.read_text(encoding="utf-8"), encoding="utf-8")
    assert not publish(loaded, load_book(book_dir)).changed


def test_a_changed_checklist_adds_a_version_and_keeps_the_old(loaded: Database, book_dir: Path) -> None:
    [(first_version, first_hash)] = versions(loaded, "checklist", "phone-call")
    assert first_version == 1
    phone = book_dir / "standards" / "phone-call.yaml"
    original = phone.read_text(encoding="utf-8")
    phone.write_text(original.replace("target: 3\n", "target: 4\n", 1), encoding="utf-8")

    report = publish(loaded, load_book(book_dir))

    assert report.added == ["checklist/phone-call@2"] and report.generation == 2
    stored = versions(loaded, "checklist", "phone-call")
    assert [v for v, _ in stored] == [1, 2] and stored[0][1] == first_hash
    assert current_version(loaded, "checklist", "phone-call").version == 2
    assert current_book(loaded).checklists_by_id["phone-call"].stages[0].items[0].target == 4
    old = loaded.read().execute("SELECT body FROM book_versions WHERE doc_id = 'phone-call' AND version = 1").fetchone()[0]
    assert '"target":3.0' in old

    # Put back as it was: the old version is current again, nothing new is stored.
    phone.write_text(original, encoding="utf-8")
    report = publish(loaded, load_book(book_dir))
    assert report.added == [] and report.switched == ["checklist/phone-call@1"]
    assert len(versions(loaded, "checklist", "phone-call")) == 2


def test_a_removed_store_is_retired_but_its_versions_stay(loaded: Database, book_dir: Path) -> None:
    (book_dir / "stores" / "kazan-baumana.yaml").unlink()
    report = publish(loaded, load_book(book_dir))
    assert report.retired == ["store/kazan-baumana"]
    assert "kazan-baumana" not in current_book(loaded).stores_by_id
    assert len(versions(loaded, "store", "kazan-baumana")) == 1


def test_an_invalid_book_changes_nothing_at_all(tmp_path: Path, book_dir: Path) -> None:
    db_path = tmp_path / "cli.db"
    first = audit_load(book_dir, db_path)
    assert first.returncode == 0, first.stderr
    assert "13 new" in first.stdout
    database = Database(db_path)
    before = dump(database)

    # One good change and one bad one: neither may land.
    phone = book_dir / "standards" / "phone-call.yaml"
    phone.write_text(phone.read_text(encoding="utf-8").replace("target: 3\n", "target: 4\n", 1), encoding="utf-8")
    store = book_dir / "stores" / "kazan-baumana.yaml"
    store.write_text(store.read_text(encoding="utf-8").replace("Europe/Moscow", "Europe/Kazan"), encoding="utf-8")
    second = audit_load(book_dir, db_path)

    assert second.returncode == 1
    assert "unknown time zone 'Europe/Kazan'" in second.stderr and "nothing loaded" in second.stderr
    assert dump(database) == before
    database.close()


def test_a_failed_publish_rolls_back(loaded: Database, book_dir: Path, monkeypatch) -> None:
    """A crash half-way through a load (here: after the first new version) leaves no trace."""
    before = dump(loaded)
    phone = book_dir / "standards" / "phone-call.yaml"
    phone.write_text(phone.read_text(encoding="utf-8").replace("target: 3\n", "target: 4\n", 1), encoding="utf-8")
    survey = book_dir / "surveys" / "store-feedback.yaml"
    survey.write_text(survey.read_text(encoding="utf-8").replace("at_most: 6", "at_most: 5"), encoding="utf-8")
    book = load_book(book_dir)

    import audit_api.store.book as store_book

    real = store_book.content_hash
    calls = {"n": 0}

    def failing(body: bytes) -> str:
        calls["n"] += 1
        if calls["n"] > 10:  # the survey is the last document hashed
            raise OSError("disk full")
        return real(body)

    monkeypatch.setattr(store_book, "content_hash", failing)
    try:
        publish(loaded, book)
    except OSError:
        pass
    else:
        raise AssertionError("the publish should have failed")
    assert dump(loaded) == before
