"""Visits, audit submissions, review and evidence: the auditor's workflow, stored.

States of a visit:

    assigned -> in_progress -> submitted -> approved
                                         -> rejected
                                         -> returned -> submitted (a correction: the next revision)

Every change is an event (who, when, what, comment); submissions are kept by revision, so the
history reads back whole. A submission is idempotent by its client UUID: the same body again answers
the stored result and writes nothing; another body under an accepted UUID is a conflict. The check
and the insert happen inside one write transaction, so concurrent retries store exactly one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from concurrent.futures import Future
from typing import Literal

import msgspec

from ..book.models import Book, Checklist
from ..domain.audits import AuditSubmission, Flag, check_submission, missing_evidence, proof_of_visit_flags
from ..domain.scoring import Score, score
from ..errors import Conflict, InvalidInput, NotFound
from .accounts import User
from .book import current_version
from .db import Database

State = Literal["assigned", "in_progress", "submitted", "approved", "rejected", "returned"]
UPCOMING: frozenset[str] = frozenset({"assigned", "in_progress"})
OPEN_FOR_SUBMISSION: frozenset[str] = frozenset({"assigned", "in_progress", "returned"})
Decision = Literal["approve", "reject", "return"]
_DECIDED: dict[str, State] = {"approve": "approved", "reject": "rejected", "return": "returned"}
_encode = msgspec.json.Encoder(order="deterministic").encode


class Visit(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    store_id: str
    checklist_id: str
    checklist_version: int
    auditor_id: int
    assigned_by: int
    window_start: dt.date
    window_end: dt.date
    scenario: str
    state: State
    created_at: str
    updated_at: str


class AuditResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a submission answers, the first time and on every replay."""

    audit_id: str
    visit_id: str
    revision: int
    checklist_id: str
    checklist_version: int
    score: Score
    flags: list[Flag]
    submitted_at: str


class Event(msgspec.Struct, frozen=True, kw_only=True):
    at: str
    actor: str | None
    action: str
    revision: int | None
    comment: str


class EvidenceRecord(msgspec.Struct, frozen=True, kw_only=True):
    sha256: str
    item_id: str
    media_type: str
    size: int
    filename: str
    uploaded_at: str


_VISIT_COLUMNS = (
    "id, store_id, checklist_id, checklist_version, auditor_id, assigned_by, window_start, window_end, "
    "scenario, state, created_at, updated_at"
)


def _visit(row: tuple) -> Visit:
    return msgspec.convert(dict(zip([c.strip() for c in _VISIT_COLUMNS.split(",")], row)), Visit)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def can_view(user: User, visit: Visit) -> bool:
    """Upcoming visits stay secret from the store: only the admin, whoever assigned it and its auditor see them."""
    if user.role == "admin" or visit.auditor_id == user.id:
        return True
    if user.role != "manager":
        return False
    return visit.assigned_by == user.id if visit.state in UPCOMING else user.covers(visit.store_id)


def can_review(user: User, visit: Visit) -> bool:
    return user.role in ("admin", "manager") and user.covers(visit.store_id) and visit.auditor_id != user.id


class Assignment(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    checklist_id: str
    auditor: User
    window_start: dt.date
    window_end: dt.date
    scenario: str


def create_visit(database: Database, book: Book, *, assigned_by: User, now: dt.datetime | None = None, **assignment: object) -> Visit:
    return get_visit(database, create_visits(database, book, [Assignment(**assignment)], assigned_by, now)[0])


def create_visits(
    database: Database, book: Book, assignments: list[Assignment], assigned_by: User, now: dt.datetime | None = None
) -> list[str]:
    """Assign many visits at once (a month's programme, say): all or none. Returns their ids."""
    versions: dict[str, int] = {}
    for index, a in enumerate(assignments):
        where = f"visit {index + 1}: " if len(assignments) > 1 else ""
        if a.store_id not in book.stores_by_id:
            raise InvalidInput(f"{where}no store '{a.store_id}'")
        if a.checklist_id not in versions:
            version = current_version(database, "checklist", a.checklist_id)
            if version is None:
                raise InvalidInput(f"{where}no checklist '{a.checklist_id}'")
            versions[a.checklist_id] = version.version
        if a.auditor.role != "auditor":
            raise InvalidInput(f"{where}'{a.auditor.name}' is not an auditor")
        if a.window_end < a.window_start:
            raise InvalidInput(f"{where}the window ends before it starts")
    stamp = (now or _now()).isoformat()
    ids = [secrets.token_urlsafe(9) for _ in assignments]
    with database.write() as db:
        db.conn.executemany(
            f"INSERT INTO visits ({_VISIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?)",
            [
                [visit_id, a.store_id, a.checklist_id, versions[a.checklist_id], a.auditor.id, assigned_by.id,
                 a.window_start.isoformat(), a.window_end.isoformat(), a.scenario, stamp, stamp]
                for visit_id, a in zip(ids, assignments)
            ],
        )
        db.conn.executemany(
            "INSERT INTO visit_events (visit_id, at, actor_id, action) VALUES (?, ?, ?, 'assigned')",
            [[visit_id, stamp, assigned_by.id] for visit_id in ids],
        )
    return ids


def get_visit(database: Database, visit_id: str) -> Visit:
    row = database.read().execute(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE id = ?", [visit_id]).fetchone()
    if row is None:
        raise NotFound(f"no visit '{visit_id}'")
    return _visit(row)


def visible_visit(database: Database, user: User, visit_id: str) -> Visit:
    """The visit if `user` may see it; otherwise NotFound, so its existence is not given away."""
    try:
        visit = get_visit(database, visit_id)
    except NotFound:
        visit = None
    if visit is None or not can_view(user, visit):
        raise NotFound(f"no visit '{visit_id}'")
    return visit


def list_visits(database: Database, user: User, state: str | None = None) -> list[Visit]:
    sql, args = f"SELECT {_VISIT_COLUMNS} FROM visits", []
    if user.role == "auditor":
        sql, args = sql + " WHERE auditor_id = ?", [user.id]
    rows = database.read().execute(sql + " ORDER BY window_start, id", args)
    return [v for v in map(_visit, rows) if can_view(user, v) and (state is None or v.state == state)]


def checklist_of(database: Database, visit: Visit) -> Checklist:
    """The exact checklist version the visit was assigned with."""
    return _checklist(database, checklist_hash(database, visit))


def checklist_hash(database: Database, visit: Visit) -> str:
    return database.read().execute(
        "SELECT hash FROM book_versions WHERE kind = 'checklist' AND doc_id = ? AND version = ?",
        [visit.checklist_id, visit.checklist_version],
    ).fetchone()[0]


def _checklist(database: Database, digest: str) -> Checklist:
    """Decoded once per content hash: a stored version never changes, and decoding costs more than the rest
    of a submission (measured in `bench/`)."""
    cached = _CHECKLISTS.get(digest)
    if cached is None:
        row = database.read().execute("SELECT body FROM book_versions WHERE kind = 'checklist' AND hash = ?", [digest]).fetchone()
        cached = _CHECKLISTS[digest] = msgspec.json.decode(row[0], type=Checklist)
    return cached


_CHECKLISTS: dict[str, Checklist] = {}


def start_visit(database: Database, user: User, visit: Visit, now: dt.datetime | None = None) -> Visit:
    if visit.auditor_id != user.id:
        raise NotFound(f"no visit '{visit.id}'")
    stamp = (now or _now()).isoformat()
    with database.write() as db:
        changed = db.execute(
            "UPDATE visits SET state = 'in_progress', updated_at = ? WHERE id = ? AND state = 'assigned'", [stamp, visit.id]
        ).rowcount
        if changed:
            _event(db, visit.id, user.id, "started", stamp)
    return get_visit(database, visit.id)


def submit_audit(
    database: Database,
    book: Book,
    user: User,
    audit_id: str,
    audit: AuditSubmission,
    now: dt.datetime | None = None,
) -> tuple[AuditResult, bool]:
    """Validate, score and store; returns (result, created). Replays return the stored result."""
    outcome = prepare_audit(database, book, user, audit_id, audit, now)
    return outcome if isinstance(outcome, tuple) else outcome.result()


def prepare_audit(
    database: Database,
    book: Book,
    user: User,
    audit_id: str,
    audit: AuditSubmission,
    now: dt.datetime | None = None,
) -> tuple[AuditResult, bool] | Future[tuple[AuditResult, bool]]:
    """Everything up to the write, without waiting for the disk: a replay's stored answer, or the
    future of the group commit that stores this audit (for callers that await instead of block)."""
    now = now or _now()
    body = _encode(audit)
    body_hash = hashlib.sha256(body).hexdigest()
    replay = _stored(database.read(), audit_id)
    if replay is not None:
        return _same_or_conflict(replay, audit.visit_id, body_hash), False

    visit = visible_visit(database, user, audit.visit_id)
    if visit.auditor_id != user.id:
        raise NotFound(f"no visit '{visit.id}'")
    checklist = checklist_of(database, visit)
    errors = check_submission(checklist, visit.checklist_version, audit)
    if errors:
        raise InvalidInput(f"the audit does not fit {checklist.id} version {visit.checklist_version}", errors)
    result_score = score(checklist, audit.answers)
    flags = proof_of_visit_flags(book.stores_by_id[visit.store_id], audit, now) if visit.store_id in book.stores_by_id else []
    stamp = now.isoformat()

    def store(db) -> tuple[AuditResult, bool]:
        db = db.conn  # the raw connection: this job runs for every submission, inside the group commit
        replay = _stored(db, audit_id)  # a concurrent retry may have won the race
        if replay is not None:
            return _same_or_conflict(replay, audit.visit_id, body_hash), False
        state = db.execute("SELECT state FROM visits WHERE id = ?", [visit.id]).fetchone()[0]
        if state not in OPEN_FOR_SUBMISSION:
            raise Conflict(f"visit '{visit.id}' is {state}: it takes a submission only when assigned, in progress or returned")
        revision = db.execute("SELECT COALESCE(MAX(revision), 0) + 1 FROM audits WHERE visit_id = ?", [visit.id]).fetchone()[0]
        result = AuditResult(
            audit_id=audit_id,
            visit_id=visit.id,
            revision=revision,
            checklist_id=visit.checklist_id,
            checklist_version=visit.checklist_version,
            score=result_score,
            flags=flags,
            submitted_at=stamp,
        )
        db.execute(
            "INSERT INTO audits (id, visit_id, revision, body_hash, body, result, submitted_by, submitted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [audit_id, visit.id, revision, body_hash, body.decode(), _encode(result).decode(), user.id, stamp],
        )
        db.execute("UPDATE visits SET state = 'submitted', updated_at = ? WHERE id = ?", [stamp, visit.id])
        _event(db, visit.id, user.id, "submitted" if revision == 1 else "resubmitted", stamp, revision=revision)
        return result, True

    return database.submit(store)  # group commit: resolves once the audit is on disk


def _stored(conn, audit_id: str) -> tuple[str, str, str] | None:
    """The stored (visit id, body hash, result) of an audit id, read on `conn`."""
    return conn.execute("SELECT visit_id, body_hash, result FROM audits WHERE id = ?", [audit_id]).fetchone()


def _same_or_conflict(stored: tuple[str, str, str], visit_id: str, body_hash: str) -> AuditResult:
    if stored[0] != visit_id or stored[1] != body_hash:
        raise Conflict("this audit id was already accepted with a different body: send a correction under a new id")
    return msgspec.json.decode(stored[2], type=AuditResult)


def latest_audit(database: Database, visit: Visit) -> tuple[AuditSubmission, AuditResult] | None:
    row = database.read().execute(
        "SELECT body, result FROM audits WHERE visit_id = ? ORDER BY revision DESC LIMIT 1", [visit.id]
    ).fetchone()
    if row is None:
        return None
    return msgspec.json.decode(row[0], type=AuditSubmission), msgspec.json.decode(row[1], type=AuditResult)


def audit_revisions(database: Database, visit: Visit) -> list[AuditResult]:
    rows = database.read().execute("SELECT result FROM audits WHERE visit_id = ? ORDER BY revision", [visit.id])
    return [msgspec.json.decode(row[0], type=AuditResult) for row in rows]


def missing_photos(
    database: Database, visit: Visit, latest: tuple[AuditSubmission, AuditResult] | None = None
) -> list[str]:
    """Failed items of the latest submission whose rule wants a photo not uploaded yet.

    Pass `latest` when the caller has already read it."""
    latest = latest or latest_audit(database, visit)
    if latest is None:
        return []
    items = {r.item_id for r in list_evidence(database, visit)}
    return missing_evidence(checklist_of(database, visit), latest[0].answers, items)


def review(
    database: Database, user: User, visit: Visit, decision: Decision, comment: str, now: dt.datetime | None = None
) -> Visit:
    if not can_review(user, visit):
        raise NotFound(f"no visit '{visit.id}'")
    if decision != "approve" and not comment.strip():
        raise InvalidInput("say why: a comment is required to reject or return an audit")
    if decision == "approve" and (missing := missing_photos(database, visit)):
        raise Conflict(f"the audit is not complete: photos missing for {', '.join(missing)}")
    stamp = (now or _now()).isoformat()
    with database.write() as db:
        changed = db.execute(
            "UPDATE visits SET state = ?, updated_at = ? WHERE id = ? AND state = 'submitted'",
            [_DECIDED[decision], stamp, visit.id],
        ).rowcount
        if not changed:
            state = db.execute("SELECT state FROM visits WHERE id = ?", [visit.id]).fetchone()[0]
            raise Conflict(f"visit '{visit.id}' is {state}: only a submitted audit can be reviewed")
        revision = db.execute("SELECT MAX(revision) FROM audits WHERE visit_id = ?", [visit.id]).fetchone()[0]
        _event(db, visit.id, user.id, _DECIDED[decision], stamp, revision=revision, comment=comment)
    return get_visit(database, visit.id)


def history(database: Database, visit: Visit) -> list[Event]:
    rows = database.read().execute(
        "SELECT e.at, u.name, e.action, e.revision, e.comment FROM visit_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.visit_id = ? ORDER BY e.id",
        [visit.id],
    )
    return [Event(at=r[0], actor=r[1], action=r[2], revision=r[3], comment=r[4]) for r in rows]


def add_evidence(
    database: Database, user: User, visit: Visit, item_id: str, sha256: str, media_type: str, size: int, filename: str,
    now: dt.datetime | None = None,
) -> bool:
    """Record an uploaded file for the visit (and item); False when it was already there."""
    with database.write() as db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO evidence (visit_id, item_id, sha256, media_type, size, filename, uploaded_by, uploaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [visit.id, item_id, sha256, media_type, size, filename, user.id, (now or _now()).isoformat()],
        )
        return cursor.rowcount == 1


def list_evidence(database: Database, visit: Visit) -> list[EvidenceRecord]:
    rows = database.read().execute(
        "SELECT sha256, item_id, media_type, size, filename, uploaded_at FROM evidence WHERE visit_id = ? ORDER BY uploaded_at",
        [visit.id],
    )
    return [EvidenceRecord(sha256=r[0], item_id=r[1], media_type=r[2], size=r[3], filename=r[4], uploaded_at=r[5]) for r in rows]


def _event(db: object, visit_id: str, actor_id: int | None, action: str, at: str, *, revision: int | None = None, comment: str = "") -> None:
    db.execute(
        "INSERT INTO visit_events (visit_id, at, actor_id, action, revision, comment) VALUES (?, ?, ?, ?, ?, ?)",
        [visit_id, at, actor_id, action, revision, comment],
    )
