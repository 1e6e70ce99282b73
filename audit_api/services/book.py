"""`audit load` as a function: validate the standards book, then publish it; an invalid book changes nothing.

A book whose files, and the code that checks them, are as they were when it was last published (the
same fingerprint, `book/fingerprint.py`, recorded by that publish, and nothing published since) is not
parsed again: it is the book already published, so nothing would change, and the warnings found then
are said again. Any change, to a file, the code or the day, means the whole check and publish.
Not for: the book's rules (`book/`), its versions (`store/book.py`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec

from ..book import check_book
from ..book.fingerprint import fingerprint
from ..errors import Problem
from ..progress import Step, Total, no_step
from ..store import Database, PublishReport, migrate, pending, publish
from ..store.book import Checked, published_fingerprint


class Loaded(msgspec.Struct, frozen=True):
    problems: list[Problem]  # every finding, by file and line (of an unchanged book: the warnings found when it was published)
    report: PublishReport | None  # None: the book has errors, nothing was loaded
    read_again: bool = True  # False: the files were as last published, so not parsed again


def load(db_path: Path, folder: Path | str, *, step: Step = no_step, total: Total = no_step, today: dt.date | None = None) -> Loaded:
    """Validate the book in `folder` and publish it into the database at `db_path` (migrated first).

    Progress is counted in stores: `total` hears how many, `step` of each read (all at once when unchanged).
    """
    seen = fingerprint(folder, today)  # before reading: a file changed meanwhile makes the next load read again
    total(seen.stores)
    if db_path.exists():
        unchanged = _unchanged(db_path, seen.digest)
        if unchanged is not None:
            step(seen.stores)
            return unchanged
    result = check_book(folder, step=step, total=total)
    if result.book is None:
        return Loaded(result.problems, None)
    database = Database(db_path)
    try:
        migrate(database)
        report = publish(database, result.book, checked=Checked(seen.digest, result.problems))
    finally:
        database.close()
    return Loaded(result.problems, report)


def _unchanged(db_path: Path, digest: str) -> Loaded | None:
    """The outcome of loading the book already published, if its fingerprint is the one recorded then."""
    database = Database(db_path)
    try:
        if pending(database):
            return None
        last = published_fingerprint(database)
    finally:
        database.close()
    if last is None or last.checked.digest != digest or last.recorded_generation != last.generation:
        return None
    report = PublishReport(added=[], switched=[], retired=[], unchanged=last.documents, generation=last.generation)
    return Loaded(last.checked.problems, report, read_again=False)
