"""The privacy purge in batches: each its own short transaction, submissions let through between them,
rows already purged skipped by the query, and the same result however the work is cut."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlite_utils

from audit_api.domain.forms import ComplaintForm, Contact, SurveyAnswers
from audit_api.services import feedback
from audit_api.store import Database

from .audit_helpers import BOOK
from .conftest import STORE_X

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=BOOK.chain.retention_days + 1)
RECENT = NOW - dt.timedelta(days=2)
CONTACT = Contact(name="Amra", email="amra@example.com", phone="+387 61 000 000")
# With batches of 3: the 12 old responses take 4 batches, the 7 old complaints 3 (3, 3 and 1).
OLD_RESPONSES, OLD_COMPLAINTS, BATCH = 12, 7, 3
EXPECTED = feedback.PurgeReport(survey_contacts=4, survey_texts=6, complaint_contacts=4, complaint_texts=7, batches=7)
NOTHING = feedback.PurgeReport(survey_contacts=0, survey_texts=0, complaint_contacts=0, complaint_texts=0, batches=0)


def _answer(database: Database, at: dt.datetime, *, text: bool, contact: bool, address: bool) -> None:
    answers: dict[str, Any] = {"recommend": 9, "satisfied": 4, "contact-ok": contact}
    if text:
        answers["improve"] = "Call me, Amra, on my mobile"
    origin = feedback.Origin(address_key="hash-of-an-address") if address else feedback.VOUCHED
    database.submit(feedback.response_job(
        BOOK.surveys[0], 1, at=BOOK.stores_by_id[STORE_X], touchpoint_id="checkout", language="en",
        answers=SurveyAnswers(answers=answers, contact=CONTACT if contact else None), browser=None, now=at, origin=origin,
    )).result()


def _complain(database: Database, at: dt.datetime, *, contact: bool) -> None:
    form = ComplaintForm(store_id=STORE_X, happened_on=at.date(), what="My name is Amra and...", desired="refund",
                         contact=CONTACT if contact else None)
    feedback.file_complaint(database, BOOK, form, "en", at)


@pytest.fixture
def feedback_db(loaded: Database) -> Database:
    """Old responses (one in two with a comment, one in three with contact details, one in four with an
    address) and complaints (one in two with contact details) across several batches, and recent ones."""
    for n in range(OLD_RESPONSES):
        _answer(loaded, OLD - dt.timedelta(minutes=n), text=n % 2 == 0, contact=n % 3 == 0, address=n % 4 == 0)
    for n in range(OLD_COMPLAINTS):
        _complain(loaded, OLD - dt.timedelta(minutes=n), contact=n % 2 == 0)
    for n in range(3):
        _answer(loaded, RECENT - dt.timedelta(minutes=n), text=True, contact=True, address=True)
        _complain(loaded, RECENT - dt.timedelta(minutes=n), contact=True)
    return loaded


def _copy(database: Database, path: Path) -> Database:
    with sqlite3.connect(path) as target:
        database.read().conn.backup(target)
    target.close()
    return Database(path)


@pytest.fixture
def copies(feedback_db: Database, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two copies of the same data, rows and tickets alike."""
    first, second = _copy(feedback_db, tmp_path / "first.db"), _copy(feedback_db, tmp_path / "second.db")
    yield first, second
    first.close()
    second.close()


def _state(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    conn = database.read().conn
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("survey_responses", "survey_contacts", "survey_dimension_answers", "complaints", "complaint_contacts")
    }


def _rows(database: Database) -> dict[object, tuple[Any, ...]]:
    """Each response and each complaint, with its contact details: what the purge may change, by row."""
    conn = database.read().conn
    rows: dict[object, tuple[Any, ...]] = {}
    for row in conn.execute("SELECT r.*, c.* FROM survey_responses r LEFT JOIN survey_contacts c ON c.response_id = r.id"):
        rows[row[0]] = row
    for row in conn.execute("SELECT t.*, c.* FROM complaints t LEFT JOIN complaint_contacts c ON c.ticket = t.ticket"):
        rows[row[0]] = row
    return rows


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    """The SQL the writer runs meanwhile."""
    with database.writer() as db:
        conn = db.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        conn.set_trace_callback(None)


def test_in_batches_removes_what_one_transaction_removes(copies: tuple[Database, Database]) -> None:
    batched, whole = copies
    assert feedback.purge(batched, BOOK, NOW, batch_size=BATCH) == EXPECTED
    assert feedback.purge(whole, BOOK, NOW, batch_size=1000) == msgspec.structs.replace(EXPECTED, batches=2)
    assert _state(batched) == _state(whole)

    conn = batched.read().conn
    old = OLD.isoformat()
    assert conn.execute(
        "SELECT created_at <= ?, purged_at IS NOT NULL, address_key IS NULL, answers NOT LIKE '%Amra%', "
        "id NOT IN (SELECT response_id FROM survey_contacts), nps, csat FROM survey_responses GROUP BY 1, 2, 3, 4, 5, 6, 7", [old]
    ).fetchall() == [(0, 0, 0, 0, 0, 9, 4), (1, 1, 1, 1, 1, 9, 4)], "old answers lose every personal part, recent ones none; scores stay"
    assert conn.execute(
        "SELECT received_at <= ?, purged_at IS NOT NULL, what = '', ticket NOT IN (SELECT ticket FROM complaint_contacts), state "
        "FROM complaints GROUP BY 1, 2, 3, 4, 5", [old]
    ).fetchall() == [(0, 0, 0, 0, "received"), (1, 1, 1, 1, "received")]


def test_a_second_run_reads_nothing_purged_and_changes_nothing(feedback_db: Database) -> None:
    feedback.purge(feedback_db, BOOK, NOW, batch_size=BATCH)
    purged = _state(feedback_db)
    with _statements(feedback_db) as statements:
        assert feedback.purge(feedback_db, BOOK, NOW + dt.timedelta(hours=1), batch_size=BATCH) == NOTHING
    assert _state(feedback_db) == purged
    assert [q.split(" FROM ")[1].split()[0] for q in _sql(statements)] == ["survey_responses", "complaints"], "one look each, no writes"


def test_the_purge_reads_only_rows_still_to_purge_through_an_index(feedback_db: Database) -> None:
    with _statements(feedback_db) as statements:
        feedback.purge(feedback_db, BOOK, NOW, batch_size=BATCH)
    conn = feedback_db.read().conn
    plans = {s: [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {s}")] for s in _sql(statements)}
    assert {s.split()[0] for s in plans} == {"SELECT", "UPDATE", "DELETE"}
    for statement, plan in plans.items():
        assert not [line for line in plan if line.startswith("SCAN") and "json_each" not in line], statement
    selects = {" ".join(plan) for s, plan in plans.items() if s.startswith("SELECT")}
    assert selects == {
        "SEARCH survey_responses USING INDEX survey_responses_to_purge (created_at<?)",
        "SEARCH complaints USING INDEX complaints_to_purge (received_at<?)",
    }


@pytest.mark.parametrize("stopped_after", [1, 2, 4, 5])
def test_a_run_stopped_between_batches_leaves_whole_rows_and_the_next_run_finishes(
    copies: tuple[Database, Database], stopped_after: int
) -> None:
    interrupted, whole = copies
    before = _rows(interrupted)
    first = feedback.purge(interrupted, BOOK, NOW, batch_size=BATCH, max_batches=stopped_after)
    assert first.batches == stopped_after
    middle = _rows(interrupted)
    assert feedback.purge(whole, BOOK, NOW, batch_size=BATCH) == EXPECTED
    after = _rows(whole)
    assert all(middle[key] in (before[key], after[key]) for key in before), "each row untouched or purged whole"
    changed = sum(middle[key] != before[key] for key in before)
    assert changed == stopped_after * BATCH, "the oldest rows first, a whole batch each time"

    rest = feedback.purge(interrupted, BOOK, NOW, batch_size=BATCH)
    assert _state(interrupted) == _state(whole)
    assert {name: getattr(first, name) + getattr(rest, name) for name in EXPECTED.__struct_fields__} == msgspec.structs.asdict(EXPECTED)


def _sql(statements: list[str]) -> list[str]:
    """The statements that read or change rows (not BEGIN, COMMIT or savepoints)."""
    return [s for s in statements if s.startswith(("SELECT", "UPDATE", "DELETE", "INSERT"))]


class _Recording(Database):
    """Writes down when each `write()` transaction, the purge's batches here, has committed."""

    def __init__(self, path: Path, events: list[str]):
        super().__init__(path)
        self.events = events

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        with super().write() as db:
            yield db
        self.events.append("batch")


def test_an_answer_sent_while_the_purge_runs_is_committed_before_its_next_batch(feedback_db: Database, tmp_path: Path) -> None:
    events: list[str] = []
    path = tmp_path / "recorded.db"
    _copy(feedback_db, path).close()
    database = _Recording(path, events)
    holding, go_on = threading.Event(), threading.Event()

    def hold(db: sqlite_utils.Database) -> None:  # another writer holds the lock when the purge starts
        holding.set()
        go_on.wait(timeout=60)

    try:
        held = database.submit(hold)
        holding.wait(timeout=60)
        purging = threading.Thread(target=lambda: events.append(repr(feedback.purge(database, BOOK, NOW, batch_size=BATCH))))
        purging.start()
        answer = database.submit(feedback.response_job(
            BOOK.surveys[0], 1, at=BOOK.stores_by_id[STORE_X], touchpoint_id="checkout", language="en",
            answers=SurveyAnswers(answers={"recommend": 10}, contact=None), browser=None, now=NOW,
        ))
        answer.add_done_callback(lambda _: events.append("answer"))
        go_on.set()
        purging.join(timeout=60)
        held.result()
        assert not purging.is_alive()
        assert events[-1] == repr(EXPECTED)
        assert events[: events.index("answer")].count("batch") <= 1, events
        assert database.read().execute("SELECT nps FROM survey_responses WHERE id = ?", [answer.result().response_id]).fetchone() == (10,)
    finally:
        go_on.set()
        database.close()
