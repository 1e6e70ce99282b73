"""The auditor's workflow: assign visits, start them, submit audits, add evidence, review.

Each function is one use case: it applies who may see the visit (`access.visits`, as SQL), the
state rules of `domain/visits.py`, and the pure checks and scoring of the domain, then writes through
the store. A visit someone may not see answers NotFound, as if it did not exist.

What a caller reads of a visit is a `VisitView`: the auditor appears by login only to those who may
know them (`access.sees_auditor`), and by a stable pseudonym to everyone else, the store's managers
above all; the same holds for the history's actors and the report.

A submission is idempotent by its client UUID: the same body again answers the stored result and
writes nothing; another body under an accepted UUID is a conflict. Validation, scoring and the
proof-of-visit flags run before the write; the replay check, the state check and the insert run
again inside the group commit, so concurrent retries store exactly one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from concurrent.futures import Future

import msgspec
import sqlite_utils

from ..book.models import Book, Checklist, VisitRules
from ..domain.audits import AuditSubmission, Flag, check_submission, missing_evidence, proof_of_visit_flags
from ..domain.checklist_view import ChecklistView, checklist_view
from ..domain.hours import day_start
from ..domain.media import ACCEPTED, sniff
from ..domain.scoring import Score, score
from ..domain.visits import (
    DECIDED,
    OPEN_FOR_SUBMISSION,
    REVIEWABLE,
    STARTABLE,
    TAKES_EVIDENCE,
    Decision,
    State,
    needs_comment,
    window_has_ended,
)
from ..errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, TooLarge
from ..store import Database, current_version, rollups
from ..store import accounts as accounts_store
from ..store import planning as planning_store
from ..store import visits as store
from ..store.accounts import User
from ..store.blobs import BlobStore
from ..store.book import checklist_by_hash, checklist_hash
from ..store.times import Timestamp
from ..store.visits import AuditResult, Event, EvidenceRecord, PlannedVisit, Visit
from . import access, actions
from .accounts import get_user

_encode = msgspec.json.Encoder(order="deterministic").encode


class Assignment(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    checklist_id: str
    auditor: str  # login name
    window_start: dt.date
    window_end: dt.date
    scenario: str


class VisitView(msgspec.Struct, frozen=True, kw_only=True):
    """A visit as its reader may see it."""

    id: str
    store_id: str
    checklist_id: str
    checklist_version: int
    auditor: str  # the auditor's login, or their pseudonym for readers who may not know them
    assigned_by: str
    window_start: dt.date
    window_end: dt.date
    scenario: str
    state: State
    created_at: Timestamp
    updated_at: Timestamp


class VisitDetail(msgspec.Struct, frozen=True, kw_only=True):
    visit: VisitView
    revision: int | None
    score: Score | None
    flags: list[Flag]
    complete: bool  # every photo the failed items require is uploaded
    missing_evidence: list[str]
    failed_again: list[str]  # failed items that had a corrective action from an earlier visit of the store and checklist


class HistoryEvent(msgspec.Struct, frozen=True, kw_only=True):
    at: Timestamp
    actor: str | None
    action: str
    revision: int | None
    comment: str


class VisitHistory(msgspec.Struct, frozen=True, kw_only=True):
    visit: VisitView
    events: list[HistoryEvent]
    revisions: list[AuditResult]


class LatestAudit(msgspec.Struct, frozen=True, kw_only=True):
    """A visit's latest submitted audit as it was sent, and what it scored: a returned visit's
    auditor corrects it from here, a reviewer reads it."""

    audit: AuditSubmission
    result: AuditResult


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the printable report shows, as the reader may see it."""

    visit: VisitView
    checklist: Checklist
    audit: AuditSubmission | None
    result: AuditResult | None
    auditor: str  # display name, or the pseudonym
    auditor_is_pseudonym: bool
    missing: list[str]
    evidence: list[tuple[EvidenceRecord, bytes]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def view(visit: Visit, reader: User, rules: VisitRules) -> VisitView:
    known = access.sees_auditor(reader, rules, visit.auditor_id)
    return VisitView(
        id=visit.id, store_id=visit.store_id, checklist_id=visit.checklist_id, checklist_version=visit.checklist_version,
        auditor=visit.auditor_name if known else visit.auditor_pseudonym, assigned_by=visit.assigned_by_name,
        window_start=visit.window_start, window_end=visit.window_end, scenario=visit.scenario, state=visit.state,
        created_at=visit.created_at, updated_at=visit.updated_at,
    )


# --- assigning and seeing visits ----------------------------------------------------------------


def assign_visits(database: Database, book: Book, by: User, assignments: list[Assignment], now: dt.datetime | None = None) -> list[str]:
    """Assign many visits at once (a month's programme, say): all or none. Returns their ids.

    Refused: a window that has ended (its last day before today in the store's time zone), and an auditor
    excluded from the store (`services/planning.py`)."""
    now = now or _now()
    planned: list[PlannedVisit] = []
    versions: dict[str, int] = {}
    for index, a in enumerate(assignments):
        where = f"visit {index + 1}: " if len(assignments) > 1 else ""
        if not access.may_plan(by, book.chain.visits, a.store_id):
            raise Forbidden(f"{where}you do not plan visits to store '{a.store_id}'")
        auditor = _auditor(database, a.auditor, where)
        if a.store_id not in book.stores_by_id:
            raise InvalidInput(f"{where}no store '{a.store_id}'")
        if a.checklist_id not in versions:
            version = current_version(database, "checklist", a.checklist_id)
            if version is None:
                raise InvalidInput(f"{where}no checklist '{a.checklist_id}'")
            versions[a.checklist_id] = version.version
        if a.window_end < a.window_start:
            raise InvalidInput(f"{where}the window ends before it starts")
        if window_has_ended(a.window_end, day_start(book.stores_by_id[a.store_id], now).date()):
            raise InvalidInput(f"{where}the window has ended", [FieldError("body.window_end", f"the window ended on {a.window_end}", "window_ended")])
        if planning_store.is_excluded(database.read(), auditor.id, a.store_id):
            message = f"'{a.auditor}' is excluded from store '{a.store_id}'"
            raise InvalidInput(f"{where}{message}", [FieldError("body.auditor", message, "excluded")])
        planned.append(
            PlannedVisit(
                store_id=a.store_id, checklist_id=a.checklist_id, checklist_version=versions[a.checklist_id], auditor_id=auditor.id,
                window_start=a.window_start, window_end=a.window_end, scenario=a.scenario,
            )
        )
    with database.write() as db:
        return store.insert_visits(db, planned, by.id, now.isoformat())


def _auditor(database: Database, name: str, where: str) -> User:
    """The auditor of that login; an unknown login and a user who is not an auditor answer alike."""
    user_id = accounts_store.user_id_by_name(database.read(), name)
    user = get_user(database, user_id) if user_id is not None else None
    if user is None or user.role != "auditor" or user.disabled_at is not None:
        raise InvalidInput(f"{where}no auditor '{name}'", [FieldError("body.auditor", f"no auditor '{name}'")])
    return user


def assign_visit(database: Database, book: Book, by: User, assignment: Assignment, now: dt.datetime | None = None) -> VisitView:
    visit_id = assign_visits(database, book, by, [assignment], now)[0]
    return view(visible_visit(database, by, visit_id), by, book.chain.visits)


def visible_visit(database: Database, user: User, visit_id: str) -> Visit:
    """The visit if `user` may see it; otherwise NotFound, so its existence is not given away."""
    visit = store.find_visit(database.read(), visit_id, access.visits(user))
    if visit is None:
        raise NotFound(f"no visit '{visit_id}'")
    return visit


def own_visit(database: Database, user: User, visit_id: str) -> Visit:
    """A visit of `user`'s own, as its auditor; any other answers NotFound."""
    visit = visible_visit(database, user, visit_id)
    if visit.auditor_id != user.id:
        raise NotFound(f"no visit '{visit_id}'")
    return visit


def list_visits(
    database: Database, book: Book, user: User, state: str | None = None, *, after: Sequence[object] | None = None,
    limit: int | None = None,
) -> list[VisitView]:
    """The visits `user` may see (in `state`), in the list's order (`store.VISIT_ORDER`): after the sort key
    `after` (None: from the first), at most `limit` (None: all)."""
    visits = store.list_visits(database.read(), access.visits(user), None if state is None else [state], after=after, limit=limit)
    return [view(visit, user, book.chain.visits) for visit in visits]


def checklist_of(database: Database, visit: Visit) -> tuple[Checklist, str]:
    """The exact checklist version the visit was assigned with, and its content hash."""
    db = database.read()
    digest = checklist_hash(db, visit.checklist_id, visit.checklist_version)
    return checklist_by_hash(db, digest), digest


def published_checklist(database: Database, book: Book, checklist_id: str, language: str) -> ChecklistView:
    """The published version of a checklist in `language`: how a manager's screens name its stages and items
    (the dashboard's rankings, say). The book's standards are no secret to those who read its figures."""
    version = current_version(database, "checklist", checklist_id)
    if version is None:
        raise NotFound(f"no checklist '{checklist_id}'")
    checklist = checklist_by_hash(database.read(), version.hash)
    return checklist_view(checklist, version.version, version.hash, language, book.chain.default_language)


def visit_checklist_hash(database: Database, user: User, visit_id: str) -> tuple[Visit, str]:
    """A visible visit and the hash of its checklist version (what a phone's ETag names)."""
    visit = visible_visit(database, user, visit_id)
    return visit, checklist_hash(database.read(), visit.checklist_id, visit.checklist_version)


def detail(database: Database, book: Book, reader: User, visit: Visit) -> VisitDetail:
    db = database.read()
    latest = store.latest_audit(db, visit.id)
    missing = _missing_photos(database, visit, latest)
    result = latest[1] if latest else None
    return VisitDetail(
        visit=view(visit, reader, book.chain.visits),
        revision=result.revision if result else None,
        score=result.score if result else None,
        flags=result.flags if result else [],
        complete=result is not None and not missing,
        missing_evidence=missing,
        failed_again=actions.failed_again(db, visit, result) if result else [],
    )


def visit_detail(database: Database, book: Book, user: User, visit_id: str) -> VisitDetail:
    return detail(database, book, user, visible_visit(database, user, visit_id))


def latest_audit(database: Database, user: User, visit_id: str) -> LatestAudit:
    visit = visible_visit(database, user, visit_id)
    latest = store.latest_audit(database.read(), visit.id)
    if latest is None:
        raise NotFound(f"visit '{visit.id}' has no audit yet")
    return LatestAudit(audit=latest[0], result=latest[1])


def history(database: Database, book: Book, user: User, visit_id: str) -> VisitHistory:
    visit = visible_visit(database, user, visit_id)
    db = database.read()
    known = access.sees_auditor(user, book.chain.visits, visit.auditor_id)

    def actor(event: Event) -> str | None:
        return visit.auditor_pseudonym if event.actor_id == visit.auditor_id and not known else event.actor

    events = [
        HistoryEvent(at=e.at, actor=actor(e), action=e.action, revision=e.revision, comment=e.comment) for e in store.history(db, visit.id)
    ]
    return VisitHistory(visit=view(visit, user, book.chain.visits), events=events, revisions=store.audit_revisions(db, visit.id))


def start(database: Database, book: Book, user: User, visit_id: str, now: dt.datetime | None = None) -> VisitView:
    """The auditor starts the visit (once; starting again changes nothing; a cancelled visit is a conflict)."""
    visit = own_visit(database, user, visit_id)
    stamp = (now or _now()).isoformat()
    with database.write() as db:
        if store.change_state(db, visit.id, "in_progress", STARTABLE, stamp):
            store.add_event(db, visit.id, user.id, "started", stamp)
        elif store.visit_state(db, visit.id) == "cancelled":
            raise Conflict(f"visit '{visit.id}' was cancelled: it can no longer be started")
    return view(visible_visit(database, user, visit.id), user, book.chain.visits)


# --- submitting -------------------------------------------------------------------------------


def submit_audit(
    database: Database, book: Book, user: User, audit_id: str, audit: AuditSubmission, now: dt.datetime | None = None
) -> Future[tuple[AuditResult, bool]]:
    """Validate, score, flag and store an audit; resolves to (result, created) once it is on disk.

    Everything up to the write runs in the caller; the write joins the next group commit, so an
    async caller awaits it without holding a thread. A replay resolves at once to the stored answer."""
    now = now or _now()
    body = _encode(audit)
    body_hash = hashlib.sha256(body).hexdigest()
    replay = store.stored_audit(database.read(), audit_id)
    if replay is not None:
        return _done((_same_or_conflict(replay, user, audit.visit_id, body_hash), False))

    visit = own_visit(database, user, audit.visit_id)
    checklist, _ = checklist_of(database, visit)
    errors = check_submission(checklist, visit.checklist_version, audit, now)
    if errors:
        raise InvalidInput(f"the audit does not fit {checklist.id} version {visit.checklist_version}", errors)
    result_score = score(checklist, audit.answers)
    store_doc = book.stores_by_id.get(visit.store_id)
    flags = proof_of_visit_flags(store_doc, audit, now) if store_doc else []
    local_day = day_start(store_doc, audit.started_at).date() if store_doc else audit.started_at.astimezone(dt.UTC).date()
    stamp = now.isoformat()

    def write(db: sqlite_utils.Database) -> tuple[AuditResult, bool]:
        known = store.before_audit(db, audit_id, visit.id)
        if known.stored is not None:  # a concurrent retry won the race
            return _same_or_conflict(known.stored, user, audit.visit_id, body_hash), False
        if known.state not in OPEN_FOR_SUBMISSION:
            raise Conflict(f"visit '{visit.id}' is {known.state}: it takes a submission only when assigned, in progress or returned")
        revision = (known.latest_revision or 0) + 1
        result = AuditResult(
            audit_id=audit_id, visit_id=visit.id, revision=revision, checklist_id=visit.checklist_id,
            checklist_version=visit.checklist_version, score=result_score, flags=flags, submitted_at=stamp,
        )
        store.insert_audit(db, audit_id, result, body, body_hash, user.id, store_id=visit.store_id, local_day=local_day)
        store.change_state(db, visit.id, "submitted", OPEN_FOR_SUBMISSION, stamp)
        store.add_event(db, visit.id, user.id, "submitted" if revision == 1 else "resubmitted", stamp, revision=revision)
        return result, True

    return database.submit(write)


def _done(value: tuple[AuditResult, bool]) -> Future[tuple[AuditResult, bool]]:
    future: Future[tuple[AuditResult, bool]] = Future()
    future.set_result(value)
    return future


def _same_or_conflict(stored: store.StoredAudit, user: User, visit_id: str, body_hash: str) -> AuditResult:
    """The stored answer to a replay. Another auditor's audit id answers as a visit one may not see."""
    if stored.submitted_by != user.id:
        raise NotFound(f"no visit '{visit_id}'")
    if stored.visit_id != visit_id or stored.body_hash != body_hash:
        raise Conflict("this audit id was already accepted with a different body: send a correction under a new id")
    return msgspec.json.decode(stored.result, type=AuditResult)


# --- evidence ---------------------------------------------------------------------------------


def upload_evidence(
    database: Database, blobs: BlobStore, user: User, visit_id: str, item: str, content: bytes, filename: str,
    limit: int, now: dt.datetime | None = None,
) -> tuple[EvidenceRecord, bool]:
    """Store a photo or receipt of the visit (and item), recognised by content; (record, created)."""
    if len(content) > limit:
        raise TooLarge(f"the file is {len(content)} bytes; the limit is {limit}")
    media_type = sniff(content)
    name = filename or "upload"
    if media_type is None:
        kinds = ", ".join(ACCEPTED.values())
        raise InvalidInput(
            f"'{name}' is not a photo or document we accept",
            [FieldError("body.file", f"its content is none of: {kinds} (the file name and declared type do not count)")],
        )
    visit = own_visit(database, user, visit_id)
    if visit.state not in TAKES_EVIDENCE:
        raise Conflict(f"visit '{visit_id}' is {visit.state}: evidence can no longer be added")
    if item and item not in {i.id for s in checklist_of(database, visit)[0].stages for i in s.items}:
        raise InvalidInput(f"no item '{item}' in this visit's checklist", [FieldError("body.item", f"unknown item '{item}'")])
    digest = blobs.put(content)
    record = EvidenceRecord(
        sha256=digest, item_id=item, media_type=media_type, size=len(content), filename=name, uploaded_at=(now or _now()).isoformat()
    )
    with database.write() as db:
        created = store.insert_evidence(db, visit.id, user.id, record)
    stored = next(r for r in store.list_evidence(database.read(), visit.id) if r.sha256 == digest and r.item_id == item)
    return stored, created


def list_evidence(database: Database, user: User, visit_id: str) -> list[EvidenceRecord]:
    return store.list_evidence(database.read(), visible_visit(database, user, visit_id).id)


def evidence_file(database: Database, blobs: BlobStore, user: User, visit_id: str, sha256: str) -> tuple[EvidenceRecord, bytes]:
    records = list_evidence(database, user, visit_id)
    record = next((r for r in records if r.sha256 == sha256), None)
    if record is None:
        raise NotFound(f"no evidence '{sha256}' for visit '{visit_id}'")
    return record, blobs.read(sha256)


def _missing_photos(database: Database, visit: Visit, latest: tuple[AuditSubmission, AuditResult] | None) -> list[str]:
    """Failed items of the latest submission whose rule wants a photo not uploaded yet."""
    if latest is None:
        return []
    photographed = {r.item_id for r in store.list_evidence(database.read(), visit.id)}
    return missing_evidence(checklist_of(database, visit)[0], latest[0].answers, photographed)


# --- review -----------------------------------------------------------------------------------


def review(
    database: Database, book: Book, user: User, visit_id: str, decision: Decision, comment: str, now: dt.datetime | None = None
) -> VisitDetail:
    visit = visible_visit(database, user, visit_id)
    if not access.may_review(user, visit):
        raise NotFound(f"no visit '{visit.id}'")
    if needs_comment(decision) and not comment.strip():
        raise InvalidInput("say why: a comment is required to reject or return an audit")
    if decision == "approve" and (missing := _missing_photos(database, visit, store.latest_audit(database.read(), visit.id))):
        raise Conflict(f"the audit is not complete: photos missing for {', '.join(missing)}")
    stamp = (now or _now()).isoformat()
    with database.write() as db:
        if not store.change_state(db, visit.id, DECIDED[decision], REVIEWABLE, stamp):
            raise Conflict(f"visit '{visit.id}' is {store.visit_state(db, visit.id)}: only a submitted audit can be reviewed")
        revision = store.latest_revision(db, visit.id)
        store.add_event(db, visit.id, user.id, DECIDED[decision], stamp, revision=revision, comment=comment)
        if decision == "approve":  # the dashboard's sums count an audit once it is approved, in the same transaction
            rollups.add_approved_audit(db, visit.id)
            actions.open_actions(db, book, visit, stamp)  # each failed item's corrective action, with the approval
    return detail(database, book, user, visible_visit(database, user, visit.id))


def report(database: Database, book: Book, blobs: BlobStore, user: User, visit_id: str) -> Report:
    visit = visible_visit(database, user, visit_id)
    db = database.read()
    latest = store.latest_audit(db, visit.id)
    known = access.sees_auditor(user, book.chain.visits, visit.auditor_id)
    return Report(
        visit=view(visit, user, book.chain.visits),
        checklist=checklist_of(database, visit)[0],
        audit=latest[0] if latest else None,
        result=latest[1] if latest else None,
        auditor=get_user(database, visit.auditor_id).display_name if known else visit.auditor_pseudonym,
        auditor_is_pseudonym=not known,
        missing=_missing_photos(database, visit, latest),
        evidence=[(record, blobs.read(record.sha256)) for record in store.list_evidence(db, visit.id)],
    )
