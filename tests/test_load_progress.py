"""`audit load` with progress: a bar with counts, rate and time left at a terminal, plain lines through a pipe,
the one-line summary on stdout; and the unchanged reload that does not parse the files again (what makes it
fast, `bench/book_load.py`), which must still say what a full load would. The book: 30 stores written by the
benchmark's generator. `AUDIT_PROGRESS_EVERY=0` makes the pipe print a line per step."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from audit_api.book import load_book
from audit_api.services import book as books
from audit_api.store import Database, publish
from bench.book_load import write_book

from .terminal import at_a_terminal, through_a_pipe
from .test_book_versions import dump

STORES = 30
DOCUMENTS = STORES + 2 + 2 + 2  # the stores, chain and FAQ, two checklists, two surveys
PIPE = {"AUDIT_PROGRESS_EVERY": "0"}
ESCAPE = "\x1b["
SUMMARY = r"{db}: {new} new, 0 switched, 0 retired, {unchanged} unchanged \(generation 1{as_last}\): 30 stores in \d+\.\d s \([\d,]+/s\)"


@pytest.fixture(scope="module")
def chain_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(tmp_path_factory.mktemp("chain") / "book", STORES)


def _load(book: Path, db: Path, *, terminal: bool = False) -> tuple[str, str]:
    args = ["load", "--book", str(book), "--db", str(db)]
    code, stdout, stderr = at_a_terminal(args) if terminal else through_a_pipe(args, env=PIPE)
    assert code == 0, stderr
    return stdout, stderr


def _summary(stdout: str, db: Path, *, new: int = 0, unchanged: int = 0, as_last: bool = False) -> None:
    last = stdout.splitlines()[-1]
    pattern = SUMMARY.format(db=re.escape(str(db)), new=new, unchanged=unchanged, as_last="; the files are as last loaded" if as_last else "")
    assert re.fullmatch(pattern, last), last


def test_at_a_terminal_a_bar_with_counts_rate_and_time_left(chain_book: Path, tmp_path: Path) -> None:
    stdout, drawn = _load(chain_book, tmp_path / "audit.db", terminal=True)
    assert ESCAPE in drawn, "drawn with terminal codes"
    assert "30/30" in drawn and "stores/s" in drawn and "left" in drawn, drawn
    _summary(stdout, tmp_path / "audit.db", new=DOCUMENTS)
    assert len([line for line in stdout.splitlines() if line.startswith("new version")]) == DOCUMENTS


def test_through_a_pipe_a_plain_line_per_store_then_the_summary(chain_book: Path, tmp_path: Path) -> None:
    stdout, stderr = _load(chain_book, tmp_path / "audit.db")
    assert ESCAPE not in stderr and ESCAPE not in stdout
    lines = stderr.splitlines()
    assert len(lines) == STORES, "a line a store read"
    assert all(re.fullmatch(r"loading: \d+/30 stores \(\d+%\), [\d,]+/s, about \d+ s left", line) for line in lines), lines
    assert lines[9].startswith("loading: 10/30 stores (33%), ") and lines[-1].startswith("loading: 30/30 stores (100%), ")
    _summary(stdout, tmp_path / "audit.db", new=DOCUMENTS)


def test_an_unchanged_reload_writes_nothing_and_says_so(chain_book: Path, tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    _load(chain_book, db)
    database = Database(db)
    before = dump(database)
    stdout, stderr = _load(chain_book, db)
    assert dump(database) == before
    database.close()
    [line] = stderr.splitlines()
    assert line.startswith("loading: 30/30 stores (100%), "), "not read again, yet the bar ends full"
    _summary(stdout, db, unchanged=DOCUMENTS, as_last=True)


def _with_a_warning(book_dir: Path) -> Path:
    """The demo book with one translation taken out: valid, with a warning to repeat."""
    store = book_dir / "stores" / "kazan-baumana.yaml"
    store.write_text(store.read_text(encoding="utf-8").replace(", sw: Kaunta ya malipo", "", 1), encoding="utf-8")
    return book_dir


def test_an_unchanged_reload_repeats_the_warnings_of_the_load_it_repeats(book_dir: Path, tmp_path: Path) -> None:
    book, db = _with_a_warning(book_dir), tmp_path / "audit.db"
    first = books.load(db, book)
    again = books.load(db, book)
    assert first.read_again and not again.read_again
    assert first.problems and all(problem.severity == "warning" for problem in first.problems)
    assert again.problems == first.problems
    assert again.report is not None and again.report.unchanged == 13 and not again.report.changed


def test_any_change_reads_the_book_again(book_dir: Path, tmp_path: Path) -> None:
    """A changed file, another day (a standard's review falls due), or a book published by other means since."""
    db = tmp_path / "audit.db"
    assert books.load(db, book_dir).read_again
    (book_dir / "stores" / "notes.txt").write_text("not the book's, but in its folder", encoding="utf-8")
    assert books.load(db, book_dir).read_again
    assert not books.load(db, book_dir).read_again
    assert books.load(db, book_dir, today=dt.date.today() + dt.timedelta(days=1)).read_again

    store = book_dir / "stores" / "kazan-baumana.yaml"
    store.write_text(store.read_text(encoding="utf-8").replace("name: Lipa Baumana", "name: Lipa Bauman"), encoding="utf-8")
    database = Database(db)
    publish(database, load_book(book_dir))  # not through `audit load`: no fingerprint of the files
    database.close()
    store.write_text(store.read_text(encoding="utf-8").replace("name: Lipa Bauman", "name: Lipa Baumana"), encoding="utf-8")
    loaded = books.load(db, book_dir)
    assert loaded.read_again and loaded.report is not None and loaded.report.switched == ["store/kazan-baumana@1"]


def test_an_invalid_book_is_read_again_and_loads_nothing(book_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    books.load(db, book_dir)
    store = book_dir / "stores" / "kazan-baumana.yaml"
    store.write_text(store.read_text(encoding="utf-8").replace("Europe/Moscow", "Europe/Kazan"), encoding="utf-8")
    code, stdout, stderr = through_a_pipe(["load", "--book", str(book_dir), "--db", str(db)], env=PIPE)
    assert code == 1 and "unknown time zone 'Europe/Kazan'" in stderr and "1 error(s): nothing loaded" in stderr
    assert stdout == ""
