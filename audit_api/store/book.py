"""Publish a validated book into the database as content-addressed versions, and read it back.

Each document (the chain, the FAQ, each store, checklist and survey) is stored by the SHA-256 of its
canonical JSON, so: reloading an unchanged book writes nothing; a changed document adds a version and
keeps every older one; a document put back as it was points at its old version again; a document
removed from the book stops being current but its versions stay. One transaction: all or nothing.
Only validated books come here (`book.load_book` raises on an invalid one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import msgspec
import sqlite_utils

from ..book.models import Book, Chain, Checklist, Faq, Store, Survey
from ..errors import BookNotLoaded, Problem
from ..lru import LRU
from .db import Database

_encode = msgspec.json.Encoder(order="deterministic").encode
_TYPES: dict[str, type] = {"chain": Chain, "faq": Faq, "store": Store, "checklist": Checklist, "survey": Survey}


class PublishReport(msgspec.Struct, frozen=True):
    added: list[str]  # "checklist/in-store-visit@2": a new version stored
    switched: list[str]  # an older stored version made current again
    retired: list[str]  # no longer in the book; its versions are kept
    unchanged: int
    generation: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.switched or self.retired)


class VersionRef(msgspec.Struct, frozen=True):
    kind: str
    doc_id: str
    version: int
    hash: str


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _documents(book: Book) -> Iterator[tuple[str, str, bytes]]:
    yield "chain", "chain", _encode(book.chain)
    yield "faq", "faq", _encode(book.faq)
    for kind, docs in (("store", book.stores), ("checklist", book.checklists), ("survey", book.surveys)):
        for doc in docs:
            yield kind, doc.id, _encode(doc)


def publish(database: Database, book: Book, now: dt.datetime | None = None, *, checked: Checked | None = None) -> PublishReport:
    """Store the book's new versions and make its documents current, in one transaction; with `checked`,
    record the fingerprint of the files it was read from too (`published_fingerprint`)."""
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat()
    added, switched, retired, unchanged = [], [], [], 0
    new_versions: list[tuple[str, str, int, str, str, str]] = []
    made_current: list[tuple[str, str, int, str]] = []
    with database.write() as db:
        current = {(r["kind"], r["doc_id"]): r["version"] for r in db.query("SELECT kind, doc_id, version FROM book_current")}
        stored = {
            (r["kind"], r["doc_id"], r["hash"]): r["version"] for r in db.query("SELECT kind, doc_id, hash, version FROM book_versions")
        }
        latest: dict[tuple[str, str], int] = {}
        for (kind, doc_id, _), version in stored.items():
            latest[kind, doc_id] = max(version, latest.get((kind, doc_id), 0))
        seen = set()
        for kind, doc_id, body in _documents(book):
            key, digest = (kind, doc_id), content_hash(body)
            seen.add(key)
            version = stored.get((kind, doc_id, digest))
            if version is None:
                version = latest.get(key, 0) + 1
                new_versions.append((kind, doc_id, version, digest, body.decode(), stamp))
                added.append(f"{kind}/{doc_id}@{version}")
            elif current.get(key) != version:
                switched.append(f"{kind}/{doc_id}@{version}")
            else:
                unchanged += 1
                continue
            made_current.append((kind, doc_id, version, stamp))
        # A first load of a big chain is thousands of rows: one statement each, prepared once.
        db.conn.executemany(
            "INSERT INTO book_versions (kind, doc_id, version, hash, body, created_at) VALUES (?, ?, ?, ?, ?, ?)", new_versions
        )
        db.conn.executemany(
            "INSERT INTO book_current (kind, doc_id, version, since) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, doc_id) DO UPDATE SET version = excluded.version, since = excluded.since",
            made_current,
        )
        for kind, doc_id in sorted(current.keys() - seen):
            db.execute("DELETE FROM book_current WHERE kind = ? AND doc_id = ?", [kind, doc_id])
            retired.append(f"{kind}/{doc_id}")
        if added or switched or retired:
            db.execute("UPDATE book_state SET generation = generation + 1, published_at = ? WHERE id = 1", [stamp])
        generation = generation_in(db)
        if checked is not None:
            _record_fingerprint(db, checked, generation)
    return PublishReport(added=added, switched=switched, retired=retired, unchanged=unchanged, generation=generation)


class Checked(msgspec.Struct, frozen=True):
    """The book's files as checked: their fingerprint (`book.fingerprint`) and what the check found."""

    digest: str
    problems: list[Problem]


class PublishedFingerprint(msgspec.Struct, frozen=True):
    """The fingerprint last recorded, the generation it was published as, and the book as it is now."""

    checked: Checked
    recorded_generation: int
    generation: int
    documents: int  # current documents: what an unchanged load reports as unchanged


def _record_fingerprint(db: sqlite_utils.Database, checked: Checked, generation: int) -> None:
    problems = msgspec.json.encode(checked.problems).decode()
    row = next(db.query("SELECT digest, generation, problems FROM book_fingerprint"), None)
    if row != {"digest": checked.digest, "generation": generation, "problems": problems}:  # the same again writes nothing
        db.execute(
            "INSERT OR REPLACE INTO book_fingerprint (id, digest, generation, problems) VALUES (1, ?, ?, ?)",
            [checked.digest, generation, problems],
        )


def published_fingerprint(database: Database) -> PublishedFingerprint | None:
    """What the last `publish` with `checked` recorded; None if none did."""
    row = next(
        database.read().query(
            "SELECT f.digest, f.generation, f.problems, s.generation AS now, (SELECT count(*) FROM book_current) AS documents "
            "FROM book_fingerprint f, book_state s"
        ),
        None,
    )
    if row is None:
        return None
    checked = Checked(row["digest"], msgspec.json.decode(row["problems"], type=list[Problem]))
    return PublishedFingerprint(checked, row["generation"], row["now"], row["documents"])


def generation(database: Database) -> int:
    return generation_in(database.read())


def generation_in(db: sqlite_utils.Database) -> int:
    return int(next(db.query("SELECT generation FROM book_state"))["generation"])


def current_book(database: Database) -> Book:
    """The published book; raises BookNotLoaded when nothing was published yet."""
    return book_in(database.read(), database.path)


def book_in(db: sqlite_utils.Database, path: object) -> Book:
    """The book published in `db` (the database at `path`); raises BookNotLoaded when nothing was published yet."""
    rows = db.query(
        "SELECT c.kind, v.body FROM book_current c JOIN book_versions v USING (kind, doc_id, version) ORDER BY c.kind, c.doc_id"
    )
    docs: dict[str, list[Any]] = {kind: [] for kind in _TYPES}
    for row in rows:
        docs[row["kind"]].append(msgspec.json.decode(row["body"], type=_TYPES[row["kind"]]))
    if not docs["chain"] or not docs["faq"]:
        raise BookNotLoaded(str(path))
    return Book(
        chain=docs["chain"][0],
        faq=docs["faq"][0],
        stores=docs["store"],
        checklists=docs["checklist"],
        surveys=docs["survey"],
    )


def current_version(database: Database, kind: str, doc_id: str) -> VersionRef | None:
    """The published version of one document: what a new submission is recorded against."""
    row = next(
        database.read().query(
            "SELECT c.version, v.hash FROM book_current c JOIN book_versions v USING (kind, doc_id, version) "
            "WHERE c.kind = ? AND c.doc_id = ?",
            [kind, doc_id],
        ),
        None,
    )
    return VersionRef(kind, doc_id, row["version"], row["hash"]) if row else None


def checklist_hash(db: sqlite_utils.Database, checklist_id: str, version: int) -> str:
    """The content hash of one stored checklist version (it exists: visits point at it by foreign key)."""
    row = next(
        db.query("SELECT hash FROM book_versions WHERE kind = 'checklist' AND doc_id = ? AND version = ?", [checklist_id, version])
    )
    return str(row["hash"])


def checklist_by_hash(db: sqlite_utils.Database, digest: str) -> Checklist:
    """A stored checklist version, decoded once per content hash: a stored version never changes, and
    decoding costs more than the rest of a submission (measured in `bench/`)."""

    def decode() -> Checklist:
        row = next(db.query("SELECT body FROM book_versions WHERE kind = 'checklist' AND hash = ?", [digest]))
        return msgspec.json.decode(row["body"], type=Checklist)

    return _CHECKLISTS.get(digest, decode)


_CHECKLISTS: LRU[str, Checklist] = LRU(256)
