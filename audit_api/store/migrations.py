"""The database schema as a list of small named steps, recorded in the database (sqlite-utils Migrations).

Add a step at the end; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from .db import Database

migrations = Migrations("audit_api")


@migrations()
def m001_book_versions(db: sqlite_utils.Database) -> None:
    # Every version of every book document ever loaded, by content hash; never deleted, so a
    # submission can always point at the exact checklist or survey it was made against.
    db.execute(
        """
        CREATE TABLE book_versions (
            kind TEXT NOT NULL CHECK (kind IN ('chain', 'faq', 'store', 'checklist', 'survey')),
            doc_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            hash TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (kind, doc_id, version),
            UNIQUE (kind, doc_id, hash)
        )
        """
    )
    # Which version of each document is the published one.
    db.execute(
        """
        CREATE TABLE book_current (
            kind TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            since TEXT NOT NULL,
            PRIMARY KEY (kind, doc_id),
            FOREIGN KEY (kind, doc_id, version) REFERENCES book_versions (kind, doc_id, version)
        )
        """
    )
    # One row: bumped by every load that changes anything, so running servers notice.
    db.execute(
        "CREATE TABLE book_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL, published_at TEXT)"
    )
    db.execute("INSERT INTO book_state (id, generation) VALUES (1, 0)")


def migrate(database: Database) -> list[str]:
    """Apply pending steps; returns their names (empty when the schema is current)."""
    with database.writer() as db:
        names = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return names


def pending(database: Database) -> list[str]:
    return [m.name for m in migrations.pending(database.read())]
