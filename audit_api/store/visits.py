"""Visits, audit submissions, their events and evidence records, as stored: queries and writes only.

Every function runs on the connection it is given: a reader (`Database.read()`) or the writer inside
a transaction the caller opened (`Database.write()` or a group-commit job). Who may see a visit and
which state may follow which are decided in `services/visits.py`; a query here only applies the
scope and the guard it is handed. Rows are read by column name.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Annotated

import msgspec
import sqlite_utils
from msgspec import Meta

from ..domain.audits import AuditSubmission, Flag
from ..domain.media import ACCEPTED
from ..domain.scoring import Score
from ..domain.visits import State
from .pages import Order, page
from .scope import Scope, column_in
from .times import Timestamp


class Visit(msgspec.Struct, frozen=True, kw_only=True):
    """A visit as stored, with the names of the people on it (the services decide who reads which)."""

    id: str
    store_id: str
    checklist_id: str
    checklist_version: int
    auditor_id: int
    auditor_name: str
    auditor_pseudonym: str
    assigned_by: int
    assigned_by_name: str
    window_start: dt.date
    window_end: dt.date
    scenario: str
    state: State
    created_at: Timestamp
    updated_at: Timestamp


class PlannedVisit(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    checklist_id: str
    checklist_version: int
    auditor_id: int
    window_start: dt.date
    window_end: dt.date
    scenario: str


class AuditResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a submission answers, the first time and on every replay."""

    audit_id: str
    visit_id: str
    revision: int
    checklist_id: str
    checklist_version: int
    score: Score
    flags: list[Flag]
    submitted_at: Timestamp


class StoredAudit(msgspec.Struct, frozen=True, kw_only=True):
    visit_id: str
    submitted_by: int
    body_hash: str
    result: str  # the AuditResult as JSON, answered again to a replay


class Event(msgspec.Struct, frozen=True, kw_only=True):
    at: Timestamp
    actor_id: int | None
    actor: str | None  # login
    action: str
    revision: int | None
    comment: str


class EvidenceRecord(msgspec.Struct, frozen=True, kw_only=True):
    sha256: str
    item_id: str
    media_type: Annotated[str, Meta(extra_json_schema={"enum": list(ACCEPTED)})]  # what its content was recognised as
    size: int
    filename: str
    uploaded_at: Timestamp


_VISIT_COLUMNS = (
    "id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
    "scenario, state, created_at, updated_at"
)
# A visit with its people's names. Scopes name the columns of `visits`, which users does not share.
_SELECT_VISITS = (
    "SELECT v.id AS id, v.store_id, v.checklist_id, v.checklist_version, v.auditor_id, a.name AS auditor_name, "
    "a.pseudonym AS auditor_pseudonym, v.assigned_by, p.name AS assigned_by_name, v.window_start AS window_start, v.window_end, "
    "v.scenario, v.state, v.created_at, v.updated_at "
    "FROM visits v JOIN users a ON a.id = v.auditor_id JOIN users p ON p.id = v.assigned_by"
)


def insert_visits(db: sqlite_utils.Database, visits: list[PlannedVisit], assigned_by: int, stamp: str) -> list[str]:
    """Store new visits, each with its `assigned` event; returns their ids in order."""
    ids = [secrets.token_urlsafe(9) for _ in visits]
    db.conn.executemany(
        f"INSERT INTO visits ({_VISIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?)",
        [
            [visit_id, v.store_id, v.checklist_id, v.checklist_version, v.auditor_id, assigned_by,
             v.window_start.isoformat(), v.window_end.isoformat(), v.scenario, stamp, stamp]
            for visit_id, v in zip(ids, visits)
        ],
    )
    db.conn.executemany(
        "INSERT INTO visit_events (visit_id, at, actor_id, action) VALUES (?, ?, ?, 'assigned')",
        [[visit_id, stamp, assigned_by] for visit_id in ids],
    )
    return ids


def find_visit(db: sqlite_utils.Database, visit_id: str, scope: Scope) -> Visit | None:
    sql, args = scope.where(f"{_SELECT_VISITS} WHERE v.id = ?", [visit_id])
    row = next(db.query(sql, args), None)
    return None if row is None else msgspec.convert(row, Visit)


# The visits list's order: by the window's first day, then id. Served, with the scope's and the state
# filter's equalities first, by the indexes of migration m009.
VISIT_ORDER = Order(("v.window_start", "v.id"))


def list_visits(
    db: sqlite_utils.Database, scope: Scope, states: list[str] | None = None, *, after: Sequence[object] | None = None,
    limit: int | None = None,
) -> list[Visit]:
    """The visits within `scope` (and `states`) in `VISIT_ORDER`, after the sort key `after`, at most `limit`."""
    if states is not None:
        scope = scope.both(column_in("state", states))
    sql, args = page(f"{_SELECT_VISITS} WHERE 1 = 1", [], scope, VISIT_ORDER, after=after, limit=limit)
    return [msgspec.convert(row, Visit) for row in db.query(sql, args)]


def visit_state(db: sqlite_utils.Database, visit_id: str) -> str | None:
    row = next(db.query("SELECT state FROM visits WHERE id = ?", [visit_id]), None)
    return None if row is None else str(row["state"])


def change_state(db: sqlite_utils.Database, visit_id: str, to: State, from_states: frozenset[State], stamp: str) -> bool:
    """Move the visit to `to` if it is in one of `from_states`; False when it was not."""
    sql, args = column_in("state", sorted(from_states)).where(
        "UPDATE visits SET state = ?, updated_at = ? WHERE id = ?", [to, stamp, visit_id]
    )
    return db.execute(sql, args).rowcount == 1


def add_event(
    db: sqlite_utils.Database, visit_id: str, actor_id: int | None, action: str, at: str, *, revision: int | None = None, comment: str = ""
) -> None:
    db.execute(
        "INSERT INTO visit_events (visit_id, at, actor_id, action, revision, comment) VALUES (?, ?, ?, ?, ?, ?)",
        [visit_id, at, actor_id, action, revision, comment],
    )


def history(db: sqlite_utils.Database, visit_id: str) -> list[Event]:
    rows = db.query(
        "SELECT e.at, e.actor_id, u.name AS actor, e.action, e.revision, e.comment FROM visit_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.visit_id = ? ORDER BY e.id",
        [visit_id],
    )
    return [msgspec.convert(row, Event) for row in rows]


def stored_audit(db: sqlite_utils.Database, audit_id: str) -> StoredAudit | None:
    row = next(db.query("SELECT visit_id, submitted_by, body_hash, result FROM audits WHERE id = ?", [audit_id]), None)
    return None if row is None else msgspec.convert(row, StoredAudit)


class BeforeAudit(msgspec.Struct, frozen=True, kw_only=True):
    stored: StoredAudit | None  # an audit already stored under the id
    state: str | None  # the visit's state (None: no such visit)
    latest_revision: int | None  # the visit's latest audit revision (None: none yet)


def before_audit(db: sqlite_utils.Database, audit_id: str, visit_id: str) -> BeforeAudit:
    """What a new audit of `visit_id` under `audit_id` must know, in one query (the group commit's writer makes one
    round trip to SQLite for it rather than three: `bench/requests.py`)."""
    row = next(db.query(
        "SELECT a.visit_id, a.submitted_by, a.body_hash, a.result, (SELECT state FROM visits WHERE id = :visit) AS state, "
        "(SELECT MAX(revision) FROM audits WHERE visit_id = :visit) AS latest_revision "
        "FROM (SELECT 1) LEFT JOIN audits a ON a.id = :audit",
        {"audit": audit_id, "visit": visit_id},
    ))
    stored = msgspec.convert(row, StoredAudit) if row["visit_id"] is not None else None
    return BeforeAudit(stored=stored, state=row["state"], latest_revision=row["latest_revision"])


def latest_revision(db: sqlite_utils.Database, visit_id: str) -> int | None:
    row = next(db.query("SELECT MAX(revision) AS revision FROM audits WHERE visit_id = ?", [visit_id]))
    return None if row["revision"] is None else int(row["revision"])


def insert_audit(
    db: sqlite_utils.Database, audit_id: str, result: AuditResult, body: bytes, body_hash: str, submitted_by: int, *,
    store_id: str, local_day: dt.date,
) -> None:
    """Store a submission; `local_day` is the day of the visit in the store's time zone (what reports read)."""
    db.execute(
        "INSERT INTO audits (id, visit_id, revision, body_hash, body, result, submitted_by, submitted_at, store_id, local_day) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [audit_id, result.visit_id, result.revision, body_hash, body.decode(), msgspec.json.encode(result).decode(),
         submitted_by, result.submitted_at, store_id, local_day.isoformat()],
    )


def latest_audit(db: sqlite_utils.Database, visit_id: str) -> tuple[AuditSubmission, AuditResult] | None:
    row = next(db.query("SELECT body, result FROM audits WHERE visit_id = ? ORDER BY revision DESC LIMIT 1", [visit_id]), None)
    if row is None:
        return None
    return msgspec.json.decode(row["body"], type=AuditSubmission), msgspec.json.decode(row["result"], type=AuditResult)


def audit_revisions(db: sqlite_utils.Database, visit_id: str) -> list[AuditResult]:
    rows = db.query("SELECT result FROM audits WHERE visit_id = ? ORDER BY revision", [visit_id])
    return [msgspec.json.decode(row["result"], type=AuditResult) for row in rows]


def insert_evidence(db: sqlite_utils.Database, visit_id: str, user_id: int, record: EvidenceRecord) -> bool:
    """Record an uploaded file for the visit (and item); False when it was already there."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO evidence (visit_id, item_id, sha256, media_type, size, filename, uploaded_by, uploaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [visit_id, record.item_id, record.sha256, record.media_type, record.size, record.filename, user_id, record.uploaded_at],
    )
    return cursor.rowcount == 1


def list_evidence(db: sqlite_utils.Database, visit_id: str) -> list[EvidenceRecord]:
    rows = db.query(
        "SELECT sha256, item_id, media_type, size, filename, uploaded_at FROM evidence WHERE visit_id = ? ORDER BY uploaded_at",
        [visit_id],
    )
    return [msgspec.convert(row, EvidenceRecord) for row in rows]
