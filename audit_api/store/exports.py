"""The rows exports read, a batch at a time: queries only.

Each kind is read in one fixed order, by store-local day and then the row's id in the table (`rowid`),
so a batch starts just after the last row of the one before (keyset, `store/pages.py`) and a scope's
arms are read each through the index that has the arm's store first and the day next: audits through
m010's indexes, survey responses through m009's, complaints through m014's. No batch sorts, and none
reads rows outside the scope or the period. What a reader may see, and how a row is shaped, are decided
in `services/exports.py`; rows are read by name. Every row the app writes has its day (m006, m013 filled
in the older ones); a row written around the app without one belongs to no period and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
import sqlite_utils

from .pages import Order, page
from .scope import Scope


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A visit's latest revision as stored."""

    local_day: str
    rowid: int
    audit_id: str
    visit_id: str
    revision: int
    store_id: str
    body: str  # the AuditSubmission as JSON
    result: str  # the AuditResult as JSON (with the checklist's id and version)


class VisitPeople(msgspec.Struct, frozen=True, kw_only=True):
    """What an audit's export row adds from its visit: the state, and the auditor's names (the service picks one)."""

    visit_id: str
    state: str
    auditor_id: int
    auditor_name: str
    auditor_pseudonym: str


class ResponseRecord(msgspec.Struct, frozen=True, kw_only=True):
    local_day: str
    rowid: int
    store_id: str
    touchpoint_id: str
    survey_id: str
    survey_version: int
    language: str
    created_at: str
    nps: int | None
    csat: int | None
    ces: int | None
    suspect: str | None
    answers: str  # JSON
    contact_name: str | None  # the contact columns: only where the customer consented, and until the purge
    contact_email: str | None
    contact_phone: str | None


class ComplaintRecord(msgspec.Struct, frozen=True, kw_only=True):
    local_day: str
    rowid: int
    ticket: str
    store_id: str
    language: str
    state: str
    received_at: str
    acknowledge_by: str
    respond_by: str
    acknowledged_at: str | None
    resolved_at: str | None
    closed_at: str | None
    what: str
    desired: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None


AUDIT_ORDER = Order(("a.local_day", "a.rowid"))
RESPONSE_ORDER = Order(("r.local_day", "r.rowid"))
COMPLAINT_ORDER = Order(("c.local_day", "c.rowid"))

# A scope names `store_id` unqualified: each query's FROM has one table with that column, the one exported
# (the visits of a batch of audits are read apart, `visit_people`).
_AUDITS = (
    "SELECT a.local_day AS local_day, a.rowid AS rowid, a.id AS audit_id, a.visit_id, a.revision, a.store_id AS store_id, "
    "a.body, a.result FROM audits a "
    # The visit's latest revision only: a correction replaces what it corrects.
    "WHERE NOT EXISTS (SELECT 1 FROM audits newer WHERE newer.visit_id = a.visit_id AND newer.revision > a.revision)"
)
_RESPONSES = (
    "SELECT r.local_day AS local_day, r.rowid AS rowid, r.store_id AS store_id, r.touchpoint_id, r.survey_id, r.survey_version, "
    "r.language, r.created_at, r.nps, r.csat, r.ces, r.suspect, r.answers, k.name AS contact_name, k.email AS contact_email, "
    "k.phone AS contact_phone FROM survey_responses r LEFT JOIN survey_contacts k ON k.response_id = r.id WHERE r.local_day IS NOT NULL"
)
_COMPLAINTS = (
    "SELECT c.local_day AS local_day, c.rowid AS rowid, c.ticket AS ticket, c.store_id AS store_id, c.language, c.state, "
    "c.received_at, c.acknowledge_by, c.respond_by, c.acknowledged_at, c.resolved_at, c.closed_at, c.what, c.desired, "
    "k.name AS contact_name, k.email AS contact_email, k.phone AS contact_phone "
    "FROM complaints c LEFT JOIN complaint_contacts k ON k.ticket = c.ticket WHERE c.local_day IS NOT NULL"
)


def _batch(
    db: sqlite_utils.Database, select: str, scope: Scope, order: Order, prefix: str,
    first_day: dt.date | None, last_day: dt.date | None, after: Sequence[object] | None, limit: int,
) -> list[dict[str, object]]:
    select, args = _within(select, prefix, first_day, last_day)
    sql, values = page(select, args, scope, order, after=after, limit=limit)
    return list(db.query(sql, values))


def _within(select: str, prefix: str, first_day: dt.date | None, last_day: dt.date | None) -> tuple[str, list[object]]:
    """`select` narrowed to the store-local days [first_day, last_day] (either open), and its arguments."""
    args: list[object] = []
    for op, day in ((">=", first_day), ("<=", last_day)):
        if day is not None:
            select, args = f"{select} AND {prefix}.local_day {op} ?", [*args, day.isoformat()]
    return select, args


_KINDS = {"audits": (_AUDITS, AUDIT_ORDER, "a"), "responses": (_RESPONSES, RESPONSE_ORDER, "r"), "complaints": (_COMPLAINTS, COMPLAINT_ORDER, "c")}


def count(db: sqlite_utils.Database, kind: str, scope: Scope, *, first_day: dt.date | None, last_day: dt.date | None) -> int:
    """How many rows the reader of `kind` (`audits`, `responses`, `complaints`) gives within `scope` and the
    days, all batches together: what a command shows its progress against. Read through the same indexes."""
    select, order, prefix = _KINDS[kind]
    select, args = _within(select, prefix, first_day, last_day)
    sql, values = page(select, args, scope, order, after=None, limit=None)
    return int(next(db.query(f"SELECT count(*) AS n FROM ({sql})", values))["n"])


def audits(
    db: sqlite_utils.Database, scope: Scope, *, first_day: dt.date | None, last_day: dt.date | None,
    after: Sequence[object] | None, limit: int,
) -> list[AuditRecord]:
    """Latest revisions within `scope` (on audits' `store_id`) and the store-local days [first_day, last_day],
    in `AUDIT_ORDER` after the key `after`, at most `limit`."""
    return msgspec.convert(_batch(db, _AUDITS, scope, AUDIT_ORDER, "a", first_day, last_day, after, limit), list[AuditRecord])


def visit_people(db: sqlite_utils.Database, visit_ids: list[str]) -> dict[str, VisitPeople]:
    """The state and auditor of each of these visits, by id."""
    rows = db.query(
        "SELECT v.id AS visit_id, v.state, v.auditor_id, u.name AS auditor_name, u.pseudonym AS auditor_pseudonym "
        "FROM visits v JOIN users u ON u.id = v.auditor_id WHERE v.id IN (SELECT value FROM json_each(?))",
        [msgspec.json.encode(visit_ids).decode()],
    )
    return {row["visit_id"]: msgspec.convert(row, VisitPeople) for row in rows}


def responses(
    db: sqlite_utils.Database, scope: Scope, *, first_day: dt.date | None, last_day: dt.date | None,
    after: Sequence[object] | None, limit: int,
) -> list[ResponseRecord]:
    """Survey responses within `scope` and the store-local days, in `RESPONSE_ORDER` after `after`, at most `limit`."""
    rows = _batch(db, _RESPONSES, scope, RESPONSE_ORDER, "r", first_day, last_day, after, limit)
    return [msgspec.convert(row, ResponseRecord) for row in rows]


def complaints(
    db: sqlite_utils.Database, scope: Scope, *, first_day: dt.date | None, last_day: dt.date | None,
    after: Sequence[object] | None, limit: int,
) -> list[ComplaintRecord]:
    """Complaints within `scope` and the store-local days they were received, in `COMPLAINT_ORDER` after
    `after`, at most `limit`."""
    rows = _batch(db, _COMPLAINTS, scope, COMPLAINT_ORDER, "c", first_day, last_day, after, limit)
    return [msgspec.convert(row, ComplaintRecord) for row in rows]
