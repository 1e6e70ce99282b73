"""Who may see what is a WHERE on the reader's scope: a manager's lists never read other stores' rows.

A database with the rows of 1000 stores; a manager of two of them lists visits, complaints, survey
responses and metrics. The test counts the SQLite virtual-machine steps each list takes (they grow
with the rows a query reads) and reads each statement's plan: the manager's queries search an index
and take a small fraction of the steps of the admin's, who reads every row.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from audit_api.services import accounts, feedback, visits
from audit_api.store import Database
from audit_api.store.accounts import User
from audit_api.store.rollups import rebuild_rollups

from .audit_helpers import BOOK
from .conftest import Snapshots, snapshot

# The crowded database is built once for the run, in one test process.
pytestmark = pytest.mark.xdist_group("crowded")
STORES = [f"store-{n:04d}" for n in range(1000)]
MINE = ["store-0007", "store-0500"]
PER_STORE = 12
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
TABLES = ("visits", "complaints", "survey_responses", "survey_dimension_answers")


@pytest.fixture(scope="module")
def crowded_file(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo book's database with the crowd below, built once for this module's tests (each gets a copy)."""
    target = tmp_path_factory.mktemp("crowded") / "audit.db"
    snapshot(snapshots.loaded, target, _crowd)
    return target


@pytest.fixture
def crowded(crowded_file: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copyfile(crowded_file, tmp_path / "audit.db")
    database = Database(tmp_path / "audit.db")
    yield database
    database.close()


def _crowd(loaded: Database) -> None:
    """Visits, complaints and survey responses of 1000 stores, written straight into the tables."""
    admin = accounts.add_user(loaded, "planner", "admin")
    auditor = accounts.add_user(loaded, "shopper", "auditor")
    states = ["assigned", "in_progress", "submitted", "approved"]
    stamp = NOW.isoformat()
    with loaded.write() as db:
        db.conn.executemany(
            "INSERT INTO visits (id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
            "scenario, state, created_at, updated_at) VALUES (?, ?, 'phone-call', 1, ?, ?, '2026-11-01', '2026-11-30', '', ?, ?, ?)",
            [(f"v-{s}-{n}", s, auditor.id, admin.id, states[n % 4], stamp, stamp) for s in STORES for n in range(PER_STORE)],
        )
        db.conn.executemany(
            "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, "
            "respond_by) VALUES (?, ?, 'en', '2026-11-20', 'x', 'apology', ?, ?, ?, ?)",
            [(f"C-{s}-{n}", s, ["received", "closed"][n % 2], stamp, stamp, stamp) for s in STORES for n in range(PER_STORE)],
        )
        db.conn.executemany(
            "INSERT INTO survey_responses (store_id, touchpoint_id, language, survey_id, survey_version, answers, nps, csat, ces, "
            "created_at, local_day) VALUES (?, 'checkout', 'en', 'store-feedback', 1, '{}', ?, 4, 2, ?, ?)",
            [(s, n % 11, stamp, NOW.date().isoformat()) for s in STORES for n in range(PER_STORE)],
        )
        rebuild_rollups(db)  # rows written straight into the table: the store adds its own to the roll-ups as it writes them


def measure(database: Database, call: Callable[[], object]) -> tuple[int, list[str]]:
    """The VM steps `call` takes on this thread's read connection, and the statements it runs."""
    conn: sqlite3.Connection = database.read().conn
    steps, statements = [0], []

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(count, 1)
    conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        conn.set_progress_handler(None, 1)
        conn.set_trace_callback(None)
    return steps[0], statements


def full_scans(database: Database, statements: list[str]) -> list[str]:
    """Plan lines that read a whole table of per-store rows."""
    conn = database.read().conn
    lines = []
    for sql in statements:
        for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = row[3]
            if any(detail.startswith(f"SCAN {table}") or detail.startswith(f"SCAN {table[0]}") for table in TABLES):
                lines.append(f"{detail}  <-  {sql}")
    return lines


LISTS: dict[str, Callable[[Database, User], object]] = {
    "visits": lambda db, user: visits.list_visits(db, BOOK, user),
    "complaint queue": lambda db, user: feedback.queue(db, user, NOW, include_closed=True),
    "survey responses": lambda db, user: feedback.list_responses(db, user, limit=1000),
    "metrics": lambda db, user: feedback.metrics(db, user, by_touchpoint=True),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_managers_list_reads_only_their_stores_rows(crowded: Database, name: str) -> None:
    manager = accounts.add_user(crowded, "two-stores", "manager", stores=MINE)
    admin = accounts.find_user(crowded, "planner")
    listing = LISTS[name]
    managers_steps, statements = measure(crowded, lambda: listing(crowded, manager))
    admins_steps, _ = measure(crowded, lambda: listing(crowded, admin))

    assert full_scans(crowded, statements) == []
    # The admin reads 12,000 rows; two stores hold 24 of them. Allow generous constant overheads.
    assert managers_steps * 20 < admins_steps, (managers_steps, admins_steps)


def test_what_the_scope_lets_through(crowded: Database) -> None:
    manager = accounts.add_user(crowded, "two-stores", "manager", stores=MINE)
    seen = visits.list_visits(crowded, BOOK, manager)
    # Upcoming visits stay hidden from the store's managers; they assigned none of them.
    assert {v.store_id for v in seen} == set(MINE) and {v.state for v in seen} == {"submitted", "approved"}
    assert len(seen) == 2 * PER_STORE // 2
    assert {c.store_id for c in feedback.queue(crowded, manager, NOW, include_closed=True)} == set(MINE)
    assert {r.store_id for r in feedback.list_responses(crowded, manager, limit=1000)} == set(MINE)
    assert {m.store_id for m in feedback.metrics(crowded, manager).stores} == set(MINE)
