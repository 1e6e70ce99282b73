"""Customers' survey responses and complaints, stored; the complaint queue; metrics; the privacy purge.

Personal data (contact details, free text) lives apart from the anonymous scores, so the purge can
remove it after the book's retention period and keep every figure. Survey responses go through the
group commit (`Database.submit`): a customer's phone is answered only once the response is on disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from concurrent.futures import Future

import msgspec

from ..book.models import Book, Survey
from ..domain import complaints as rules
from ..domain.forms import ComplaintForm, SurveyAnswers
from ..domain.metrics import Ces, Csat, Nps, ces, csat, nps
from ..errors import Conflict, InvalidInput, NotFound
from .accounts import User
from .db import Database

DUPLICATE_WINDOW = dt.timedelta(minutes=10)
_encode = msgspec.json.Encoder(order="deterministic").encode
_COUPON_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """What the customer sees after submitting: the reward, and whether to offer the complaint form."""

    response_id: int
    reward: str | None  # a coupon code or a prize-draw entry
    duplicate: bool


class ComplaintView(msgspec.Struct, frozen=True, kw_only=True):
    ticket: str
    store_id: str
    language: str
    happened_on: str
    what: str
    desired: str
    state: str
    received_at: str
    acknowledge_by: str
    respond_by: str
    acknowledged_at: str | None
    resolved_at: str | None
    closed_at: str | None
    resolution: str
    root_cause: str
    overdue: bool = False
    acknowledgement_overdue: bool = False
    contact: dict | None = None  # only for managers of the store and admins


class PublicStatus(msgspec.Struct, frozen=True, kw_only=True):
    """What the status page shows: state and dates, no staff notes, no personal data."""

    ticket: str
    state: str
    received_at: str
    respond_by: str
    acknowledged_at: str | None
    resolved_at: str | None
    closed_at: str | None


class ComplaintEvent(msgspec.Struct, frozen=True, kw_only=True):
    at: str
    actor: str | None
    from_state: str | None
    to_state: str
    note: str


class ResponseView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    store_id: str
    touchpoint_id: str
    language: str
    survey_id: str
    survey_version: int
    answers: dict
    created_at: str
    contact: dict | None  # only where the customer consented, and only until the purge


class StoreMetrics(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str | None
    touchpoint_id: str | None
    responses: int
    nps: Nps
    csat: Csat
    ces: Ces


def browser_key(cookie: str, store_id: str) -> str:
    return hashlib.sha256(f"{cookie}/{store_id}".encode()).hexdigest()


def _reward(survey: Survey) -> str | None:
    if survey.incentive is None:
        return None
    if survey.incentive.kind == "coupon":
        return "LIPA-" + "".join(secrets.choice(_COUPON_ALPHABET) for _ in range(8))
    return "DRAW-" + "".join(secrets.choice(_COUPON_ALPHABET) for _ in range(8))


def _first_of_kind(survey: Survey, answers: SurveyAnswers, kind: str) -> int | None:
    question = next((q for q in survey.questions if q.kind == kind), None)
    value = answers.answers.get(question.id) if question else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def save_response(
    database: Database,
    survey: Survey,
    survey_version: int,
    *,
    store_id: str,
    touchpoint_id: str,
    language: str,
    answers: SurveyAnswers,
    browser: str | None,
    now: dt.datetime,
) -> Future[Receipt]:
    """Store one response (group commit). A second one from the same browser and store within ten
    minutes is absorbed: nothing new is stored and the first receipt is shown again."""
    stamp = now.isoformat()
    reward = _reward(survey)
    values = [
        store_id, touchpoint_id, language, survey.id, survey_version, _encode(answers.answers).decode(),
        _first_of_kind(survey, answers, "nps"), _first_of_kind(survey, answers, "csat"), _first_of_kind(survey, answers, "ces"),
        browser, reward, stamp,
    ]

    def store(db) -> Receipt:
        conn = db.conn
        if browser:
            earlier = conn.execute(
                "SELECT id, reward FROM survey_responses WHERE browser_key = ? AND created_at > ? ORDER BY id LIMIT 1",
                [browser, (now - DUPLICATE_WINDOW).isoformat()],
            ).fetchone()
            if earlier:
                return Receipt(response_id=earlier[0], reward=earlier[1], duplicate=True)
        cursor = conn.execute(
            "INSERT INTO survey_responses (store_id, touchpoint_id, language, survey_id, survey_version, answers, "
            "nps, csat, ces, browser_key, reward, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        if answers.contact:
            c = answers.contact
            conn.execute("INSERT INTO survey_contacts (response_id, name, email, phone) VALUES (?, ?, ?, ?)", [cursor.lastrowid, c.name, c.email, c.phone])
        return Receipt(response_id=cursor.lastrowid, reward=reward, duplicate=False)

    return database.submit(store)


def file_complaint(database: Database, book: Book, form: ComplaintForm, language: str, now: dt.datetime, source_response: int | None = None) -> str:
    """Store a complaint; returns its ticket number. The clock starts now, with the book's targets."""
    acknowledge_by, respond_by = rules.due_times(book.chain.complaints, now)

    def store(db) -> str:
        conn = db.conn
        for _ in range(5):  # 40 random bits: a clash is astronomically rare, but never fatal
            ticket = rules.new_ticket()
            if not conn.execute("SELECT 1 FROM complaints WHERE ticket = ?", [ticket]).fetchone():
                break
        conn.execute(
            "INSERT INTO complaints (ticket, store_id, language, happened_on, what, desired, state, received_at, "
            "acknowledge_by, respond_by, source_response) VALUES (?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?)",
            [ticket, form.store_id, language, form.happened_on.isoformat(), form.what, form.desired, now.isoformat(),
             acknowledge_by.isoformat(), respond_by.isoformat(), source_response],
        )
        if form.contact:
            c = form.contact
            conn.execute("INSERT INTO complaint_contacts (ticket, name, email, phone) VALUES (?, ?, ?, ?)", [ticket, c.name, c.email, c.phone])
        conn.execute("INSERT INTO complaint_events (ticket, at, to_state) VALUES (?, ?, 'received')", [ticket, now.isoformat()])
        return ticket

    return database.run(store)


_COMPLAINT_COLUMNS = (
    "ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, respond_by, "
    "acknowledged_at, resolved_at, closed_at, resolution, root_cause"
)


def _complaint(row: tuple, now: dt.datetime, contact: dict | None = None) -> ComplaintView:
    fields = dict(zip([c.strip() for c in _COMPLAINT_COLUMNS.split(",")], row))
    open_ = fields["state"] in rules.OPEN_STATES
    stamp = now.isoformat()
    return ComplaintView(
        **fields,
        overdue=open_ and fields["respond_by"] < stamp,
        acknowledgement_overdue=fields["state"] == "received" and fields["acknowledge_by"] < stamp,
        contact=contact,
    )


def _visible(user: User, store_id: str) -> bool:
    return user.role == "admin" or (user.role == "manager" and user.covers(store_id))


def complaint_for(database: Database, user: User, ticket: str, now: dt.datetime) -> ComplaintView:
    db = database.read()
    row = db.execute(f"SELECT {_COMPLAINT_COLUMNS} FROM complaints WHERE ticket = ?", [ticket]).fetchone()
    if row is None or not _visible(user, row[1]):
        raise NotFound(f"no complaint '{ticket}'")
    contact = db.execute("SELECT name, email, phone FROM complaint_contacts WHERE ticket = ?", [ticket]).fetchone()
    return _complaint(row, now, {"name": contact[0], "email": contact[1], "phone": contact[2]} if contact else None)


def queue(database: Database, user: User, now: dt.datetime, *, include_closed: bool = False) -> list[ComplaintView]:
    """The complaints a manager must answer, soonest due first, overdue ones flagged."""
    sql = f"SELECT {_COMPLAINT_COLUMNS} FROM complaints"
    if not include_closed:
        sql += " WHERE state IN ('received', 'acknowledged', 'in_progress')"
    rows = database.read().execute(sql + " ORDER BY respond_by, ticket")
    return [_complaint(row, now) for row in rows if _visible(user, row[1])]


def move_complaint(
    database: Database, user: User, ticket: str, target: str, note: str, now: dt.datetime,
    resolution: str = "", root_cause: str = "",
) -> ComplaintView:
    current = complaint_for(database, user, ticket, now)
    if not rules.can_move(current.state, target):
        allowed = ", ".join(sorted(rules.TRANSITIONS.get(current.state, ()))) or "none"
        raise Conflict(f"a {current.state} complaint cannot become {target} (allowed: {allowed})")
    if target == "resolved" and not (resolution.strip() and root_cause.strip()):
        raise InvalidInput("record the resolution and the root cause to resolve a complaint")
    stamp = now.isoformat()
    with database.write() as db:
        changed = db.execute(
            "UPDATE complaints SET state = ?, "
            "acknowledged_at = COALESCE(acknowledged_at, CASE WHEN ? IN ('acknowledged', 'in_progress') THEN ? END), "
            "resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END, "
            "closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END, "
            "resolution = CASE WHEN ? = 'resolved' THEN ? ELSE resolution END, "
            "root_cause = CASE WHEN ? = 'resolved' THEN ? ELSE root_cause END "
            "WHERE ticket = ? AND state = ?",
            [target, target, stamp, target, stamp, target, stamp, target, resolution, target, root_cause, ticket, current.state],
        ).rowcount
        if not changed:
            raise Conflict("the complaint changed meanwhile: reload it")
        db.execute(
            "INSERT INTO complaint_events (ticket, at, actor_id, from_state, to_state, note) VALUES (?, ?, ?, ?, ?, ?)",
            [ticket, stamp, user.id, current.state, target, note],
        )
    return complaint_for(database, user, ticket, now)


def complaint_history(database: Database, user: User, ticket: str, now: dt.datetime) -> list[ComplaintEvent]:
    complaint_for(database, user, ticket, now)  # raises when not visible
    rows = database.read().execute(
        "SELECT e.at, u.name, e.from_state, e.to_state, e.note FROM complaint_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.ticket = ? ORDER BY e.id",
        [ticket],
    )
    return [ComplaintEvent(at=r[0], actor=r[1], from_state=r[2], to_state=r[3], note=r[4]) for r in rows]


def public_status(database: Database, ticket: str) -> PublicStatus:
    row = database.read().execute(
        "SELECT ticket, state, received_at, respond_by, acknowledged_at, resolved_at, closed_at FROM complaints WHERE ticket = ?",
        [ticket],
    ).fetchone()
    if row is None:
        raise NotFound(f"no complaint '{ticket}'")
    return PublicStatus(ticket=row[0], state=row[1], received_at=row[2], respond_by=row[3], acknowledged_at=row[4], resolved_at=row[5], closed_at=row[6])


def metrics(
    database: Database, user: User, *, store_id: str | None = None, touchpoint_id: str | None = None,
    since: dt.date | None = None, until: dt.date | None = None, by_touchpoint: bool = False,
) -> list[StoreMetrics]:
    """NPS, CSAT and CES per store (and touchpoint) over [since, until], for the stores `user` covers."""
    sql = "SELECT store_id, touchpoint_id, nps, csat, ces FROM survey_responses WHERE 1 = 1"
    args: list = []
    if store_id:
        sql, args = sql + " AND store_id = ?", [*args, store_id]
    if touchpoint_id:
        sql, args = sql + " AND touchpoint_id = ?", [*args, touchpoint_id]
    if since:
        sql, args = sql + " AND created_at >= ?", [*args, since.isoformat()]
    if until:
        sql, args = sql + " AND created_at < ?", [*args, (until + dt.timedelta(days=1)).isoformat()]
    groups: dict[tuple[str, str | None], list[tuple]] = {}
    for row in database.read().execute(sql, args):
        if user.covers(row[0]):
            groups.setdefault((row[0], row[1] if by_touchpoint else None), []).append(row)
    return [
        StoreMetrics(
            store_id=key[0], touchpoint_id=key[1], responses=len(rows),
            nps=nps([r[2] for r in rows if r[2] is not None]),
            csat=csat([r[3] for r in rows if r[3] is not None]),
            ces=ces([r[4] for r in rows if r[4] is not None]),
        )
        for key, rows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]


def list_responses(
    database: Database, user: User, *, store_id: str | None = None, since: dt.date | None = None, limit: int = 200
) -> list[ResponseView]:
    """Newest first, for the stores `user` covers, with contact details where given with consent."""
    sql = (
        "SELECT r.id, r.store_id, r.touchpoint_id, r.language, r.survey_id, r.survey_version, r.answers, r.created_at, "
        "c.name, c.email, c.phone FROM survey_responses r LEFT JOIN survey_contacts c ON c.response_id = r.id WHERE 1 = 1"
    )
    args: list = []
    if store_id:
        sql, args = sql + " AND r.store_id = ?", [*args, store_id]
    if since:
        sql, args = sql + " AND r.created_at >= ?", [*args, since.isoformat()]
    rows = database.read().execute(sql + " ORDER BY r.id DESC", args)
    views = []
    for r in rows:
        if not user.covers(r[1]):
            continue
        contact = {"name": r[8], "email": r[9], "phone": r[10]} if r[9] is not None else None
        views.append(ResponseView(id=r[0], store_id=r[1], touchpoint_id=r[2], language=r[3], survey_id=r[4], survey_version=r[5],
                                  answers=msgspec.json.decode(r[6]), created_at=r[7], contact=contact))
        if len(views) >= limit:
            break
    return views


class PurgeReport(msgspec.Struct, frozen=True, kw_only=True):
    survey_contacts: int
    survey_texts: int
    complaint_contacts: int
    complaint_texts: int


def purge(database: Database, book: Book, now: dt.datetime) -> PurgeReport:
    """Remove personal data older than the book's retention period; keep every score and state."""
    cutoff = (now - dt.timedelta(days=book.chain.retention_days)).isoformat()
    text_questions = {q.id for s in book.surveys for q in s.questions if q.kind == "text"}
    with database.write() as db:
        contacts = db.execute(
            "DELETE FROM survey_contacts WHERE response_id IN (SELECT id FROM survey_responses WHERE created_at < ?)", [cutoff]
        ).rowcount
        texts = 0
        for response_id, answers in db.execute("SELECT id, answers FROM survey_responses WHERE created_at < ?", [cutoff]).fetchall():
            values = msgspec.json.decode(answers)
            kept = {k: v for k, v in values.items() if k not in text_questions}
            if kept != values:
                db.execute("UPDATE survey_responses SET answers = ? WHERE id = ?", [_encode(kept).decode(), response_id])
                texts += 1
        complaint_contacts = db.execute(
            "DELETE FROM complaint_contacts WHERE ticket IN (SELECT ticket FROM complaints WHERE received_at < ?)", [cutoff]
        ).rowcount
        complaint_texts = db.execute(
            "UPDATE complaints SET what = '', purged_at = ? WHERE received_at < ? AND purged_at IS NULL", [now.isoformat(), cutoff]
        ).rowcount
    return PurgeReport(survey_contacts=contacts, survey_texts=texts, complaint_contacts=complaint_contacts, complaint_texts=complaint_texts)
