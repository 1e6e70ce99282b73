"""`store.db.insert_rows`: many rows in few statements (a step each, so one hand-off of the GIL each), on a real file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from audit_api.store.db import insert_rows


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "rows.db")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)")
    return conn


def statements(conn: sqlite3.Connection) -> list[str]:
    """The INSERTs `conn` runs from now on (the sqlite3 module's own BEGIN left out)."""
    seen: list[str] = []
    conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("INSERT") else None)
    return seen


@pytest.mark.parametrize(("count", "expected_statements"), [(0, 0), (1, 1), (3, 2), (12, 2), (64, 1), (65, 2), (200, 4)])
def test_every_row_once_in_few_statements(conn: sqlite3.Connection, count: int, expected_statements: int) -> None:
    rows = [(f"key-{n}", n, None if n % 2 else f"note {n}") for n in range(count)]
    traced = statements(conn)
    insert_rows(conn, "INSERT INTO t (k, n, note)", rows)
    assert len(traced) == expected_statements  # 200 = 64 + 64 + 64 + 8; 12 = 8 + 4
    assert sorted(conn.execute("SELECT k, n, note FROM t")) == sorted(rows)


def test_an_upsert_adds_what_one_statement_repeats(conn: sqlite3.Connection) -> None:
    insert_rows(conn, "INSERT INTO t (k, n)", [("a", 1), ("b", 2)])
    tail = "ON CONFLICT (k) DO UPDATE SET n = n + excluded.n"
    insert_rows(conn, "INSERT INTO t (k, n)", [("a", 10), ("c", 3), ("a", 100)], tail)  # "a" twice in one statement
    assert dict(conn.execute("SELECT k, n FROM t")) == {"a": 111, "b": 2, "c": 3}


def test_a_failing_row_leaves_the_transaction_to_the_caller(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(conn, "INSERT INTO t (k, n)", [("a", 1), ("b", 2), ("a", 3)])
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
