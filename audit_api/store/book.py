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

import msgspec

from ..book.models import Book, Chain, Checklist, Faq, Store, Survey
from ..errors import BookNotLoaded
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


def publish(database: Database, book: Book, now: dt.datetime | None = None) -> PublishReport:
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat()
    added, switched, retired, unchanged = [], [], [], 0
    with database.write() as db:
        current = {(k, d): v for k, d, v in db.execute("SELECT kind, doc_id, version FROM book_current")}
        stored = {(k, d, h): v for k, d, h, v in db.execute("SELECT kind, doc_id, hash, version FROM book_versions")}
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
                db.execute(
                    "INSERT INTO book_versions (kind, doc_id, version, hash, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [kind, doc_id, version, digest, body.decode(), stamp],
                )
                added.append(f"{kind}/{doc_id}@{version}")
            elif current.get(key) != version:
                switched.append(f"{kind}/{doc_id}@{version}")
            else:
                unchanged += 1
                continue
            db.execute(
                "INSERT INTO book_current (kind, doc_id, version, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, doc_id) DO UPDATE SET version = excluded.version, since = excluded.since",
                [kind, doc_id, version, stamp],
            )
        for kind, doc_id in sorted(current.keys() - seen):
            db.execute("DELETE FROM book_current WHERE kind = ? AND doc_id = ?", [kind, doc_id])
            retired.append(f"{kind}/{doc_id}")
        if added or switched or retired:
            db.execute("UPDATE book_state SET generation = generation + 1, published_at = ? WHERE id = 1", [stamp])
        generation = db.execute("SELECT generation FROM book_state").fetchone()[0]
    return PublishReport(added=added, switched=switched, retired=retired, unchanged=unchanged, generation=generation)


def generation(database: Database) -> int:
    return database.read().execute("SELECT generation FROM book_state").fetchone()[0]


def current_book(database: Database) -> Book:
    """The published book; raises BookNotLoaded when nothing was published yet."""
    rows = database.read().execute(
        "SELECT c.kind, c.doc_id, v.body FROM book_current c "
        "JOIN book_versions v USING (kind, doc_id, version) ORDER BY c.kind, c.doc_id"
    )
    docs: dict[str, list] = {kind: [] for kind in _TYPES}
    for kind, _, body in rows:
        docs[kind].append(msgspec.json.decode(body, type=_TYPES[kind]))
    if not docs["chain"] or not docs["faq"]:
        raise BookNotLoaded(str(database.path))
    return Book(
        chain=docs["chain"][0],
        faq=docs["faq"][0],
        stores=docs["store"],
        checklists=docs["checklist"],
        surveys=docs["survey"],
    )


def current_version(database: Database, kind: str, doc_id: str) -> VersionRef | None:
    """The published version of one document: what a new submission is recorded against."""
    row = database.read().execute(
        "SELECT c.version, v.hash FROM book_current c JOIN book_versions v USING (kind, doc_id, version) "
        "WHERE c.kind = ? AND c.doc_id = ?",
        [kind, doc_id],
    ).fetchone()
    return VersionRef(kind, doc_id, row[0], row[1]) if row else None
