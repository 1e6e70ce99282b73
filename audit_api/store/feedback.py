"""Customers' survey responses and complaints, as stored: queries and writes only.

Personal data (contact details, free text) lives apart from the anonymous scores, so the purge can
remove it and keep every figure. Who may read which rows, the complaint states, the duplicate window
and the retention period are decided in `services/feedback.py`; a query here applies the scope and
the values it is handed. Every function runs on the connection it is given; rows are read by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import msgspec
import sqlite_utils

from ..domain.complaints import State
from . import rollups
from .db import insert_rows, later
from .pages import Order, page
from .scope import Scope, column_in
from .times import Day, Timestamp


class ContactDetails(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    email: str
    phone: str


class Complaint(msgspec.Struct, frozen=True, kw_only=True):
    ticket: str
    store_id: str
    language: str
    happened_on: Day
    what: str
    desired: str
    state: State
    received_at: Timestamp
    acknowledge_by: Timestamp
    respond_by: Timestamp
    acknowledged_at: Timestamp | None
    resolved_at: Timestamp | None
    closed_at: Timestamp | None
    resolution: str  # staff note: what was done
    root_cause: str  # staff note: why it happened
    reply: str  # the answer the customer reads on the status page once resolved
    reply_at: Timestamp | None  # when the reply shown was written (resolving, or its last correction)


class ComplaintChange(msgspec.Struct, frozen=True, kw_only=True):
    """The columns one transition writes; None leaves a column as it is."""

    state: str
    acknowledged_at: str | None = None
    resolved_at: str | None = None
    closed_at: str | None = None
    resolution: str | None = None
    root_cause: str | None = None
    reply: str | None = None
    reply_at: str | None = None


class PublicStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The columns the status page may ever draw on: state, dates, store, the remedy chosen from the form's
    fixed list, and the reply written for the customer. Never the narrative, staff notes or contact details.
    Whether the reply shows yet is the service's call."""

    ticket: str
    store_id: str  # whose time zone the dates are read in
    state: State
    desired: str  # one of the form's fixed choices (refund, exchange...): no free text
    received_at: Timestamp
    respond_by: Timestamp
    acknowledged_at: Timestamp | None
    resolved_at: Timestamp | None
    closed_at: Timestamp | None
    reply: str
    reply_at: Timestamp | None
    purged: bool  # the privacy purge has blanked its texts


class PublicStep(msgspec.Struct, frozen=True, kw_only=True):
    """One state a complaint reached, and when: from its history, without who or why."""

    state: State
    at: Timestamp


EventKind = Literal["transition", "reply"]


class ComplaintEvent(msgspec.Struct, frozen=True, kw_only=True):
    at: Timestamp
    actor: str | None
    from_state: State | None
    to_state: State
    note: str
    kind: EventKind  # `reply`: the reply to the customer was corrected (the state stays resolved)


class ResponseView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    local_day: Day  # the day it was made in the store's time zone: what `from` and the order read
    store_id: str
    touchpoint_id: str
    language: str
    survey_id: str
    survey_version: int
    answers: dict[str, Any]
    created_at: Timestamp
    suspect: str | None  # why it does not count in the figures; None when it counts
    contact: ContactDetails | None  # only where the customer consented, and only until the purge


class NewResponse(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    touchpoint_id: str
    language: str
    survey_id: str
    survey_version: int
    answers: str  # JSON
    nps: int | None
    csat: int | None
    ces: int | None
    browser_key: str | None
    reward: str | None
    created_at: str
    local_day: str  # the day of `created_at` in the store's time zone: what a period of the metrics counts
    form_nonce: str | None = None
    address_key: str | None = None
    suspect: str | None = None  # why it does not count (the book's limits); None: it counts


class DimensionAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """One answer to a rating question that measures a SERVQUAL dimension, with its question's scale."""

    question_id: str
    dimension: str
    value: int
    scale_min: int
    scale_max: int


SCORE_COLUMNS = ("nps", "csat", "ces")  # the score columns of a response


class ScoreCounts(msgspec.Struct, frozen=True, kw_only=True):
    """One store's and touchpoint's responses: how many counted, how many were left out (suspect), and
    for each score column, how many counted responses gave each value of its scale."""

    store_id: str
    touchpoint_id: str
    counted: int
    suspect: int
    tallies: dict[str, dict[int, int]]  # column -> value -> how many


class DimensionSums(msgspec.Struct, frozen=True, kw_only=True):
    """One store's and touchpoint's counted answers to one dimension on one scale: how many, and their sum."""

    store_id: str
    touchpoint_id: str
    dimension: str
    scale_min: int
    scale_max: int
    n: int
    total: int


# --- survey responses -------------------------------------------------------------------------


class EarlierResponse(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    reward: str | None


class Seen(msgspec.Struct, frozen=True, kw_only=True):
    """What the store already holds that bears on a new answer: `ResponseChecks`' one query."""

    earlier: EarlierResponse | None  # the first answer from this browser key within the duplicate window
    nonce_used: bool  # an answer already came with this form token
    browser_today: int  # answers from this browser at the store on its local day that counted
    address_last_hour: int  # answers from this address at the store in the last hour that counted


# One statement for the four questions a new answer asks, so the group commit's writer makes one round trip to
# SQLite for them rather than four (each a GIL hand-over while the event loop is busy: bench/requests.py). Every
# subquery is served by an index: the browser's (the unary `+` keeps SQLite off the store-and-day index, which would
# read every answer of a busy store's day), the nonce's, and m017's of the answers that counted by address, which
# holds at most the hour's allowance of an address (the rest are suspect): a flood from one address, a shop's Wi-Fi
# or a script, costs no more than one answer.
_SEEN = """
SELECT
  (SELECT id FROM survey_responses WHERE browser_key = :browser AND created_at > :since ORDER BY id LIMIT 1) AS earlier_id,
  (SELECT reward FROM survey_responses WHERE browser_key = :browser AND created_at > :since ORDER BY id LIMIT 1) AS earlier_reward,
  EXISTS (SELECT 1 FROM survey_responses WHERE form_nonce = :nonce) AS nonce_used,
  (SELECT COUNT(*) FROM survey_responses
    WHERE browser_key = :browser AND +local_day = :day AND +store_id = :store AND suspect IS NULL) AS browser_today,
  (SELECT COUNT(*) FROM survey_responses
    WHERE address_key = :address AND created_at >= :hour_ago AND store_id = :store AND suspect IS NULL) AS address_last_hour
"""


def seen(
    db: sqlite_utils.Database, *, store_id: str, local_day: str, browser_key: str | None, since: str, nonce: str | None,
    address_key: str | None, hour_ago: str,
) -> Seen:
    """For a new answer at `store_id`: the browser's earlier answer since `since`, whether `nonce` was used, the
    browser's counted answers on `local_day`, the address's counted answers since `hour_ago` (None matches nothing)."""
    row = next(db.query(
        _SEEN,
        {"browser": browser_key, "since": since, "nonce": nonce, "day": local_day, "store": store_id, "address": address_key, "hour_ago": hour_ago},
    ))
    return Seen(
        earlier=EarlierResponse(id=row["earlier_id"], reward=row["earlier_reward"]) if row["earlier_id"] is not None else None,
        nonce_used=bool(row["nonce_used"]), browser_today=row["browser_today"], address_last_hour=row["address_last_hour"],
    )


_INSERT_RESPONSE = (
    f"INSERT INTO survey_responses ({', '.join(NewResponse.__struct_fields__)}) VALUES ({', '.join('?' * len(NewResponse.__struct_fields__))})"
)


def insert_response(db: sqlite_utils.Database, response: NewResponse, contact: ContactDetails | None) -> int:
    cursor = db.conn.execute(_INSERT_RESPONSE, msgspec.structs.astuple(response))
    response_id = int(cursor.lastrowid or 0)
    if contact:
        db.execute(
            "INSERT INTO survey_contacts (response_id, name, email, phone) VALUES (?, ?, ?, ?)",
            [response_id, contact.name, contact.email, contact.phone],
        )
    return response_id


def insert_dimension_answers(db: sqlite_utils.Database, response_id: int, response: NewResponse, answers: list[DimensionAnswer]) -> None:
    """The response's answers that measure a dimension, with its place, day and whether it counts."""
    if not answers:
        return
    counted = int(response.suspect is None)
    insert_rows(
        db.conn,
        "INSERT INTO survey_dimension_answers (response_id, question_id, store_id, touchpoint_id, local_day, dimension, value, "
        "scale_min, scale_max, counted)",
        [
            (response_id, a.question_id, response.store_id, response.touchpoint_id, response.local_day, a.dimension, a.value,
             a.scale_min, a.scale_max, counted)
            for a in answers
        ],
    )


def add_to_rollups(db: sqlite_utils.Database, response: NewResponse, answers: list[DimensionAnswer]) -> None:
    """The new response in the survey roll-ups, with the rest of its group commit's batch (`later`): a job's last step."""
    counted = response.suspect is None
    later(db, rollups.add_survey_answers, rollups.SurveyAnswer(
        store_id=response.store_id, touchpoint_id=response.touchpoint_id, local_day=response.local_day, counted=counted,
        scores={"nps": response.nps, "csat": response.csat, "ces": response.ces},
        dimensions=[(a.dimension, a.scale_min, a.scale_max, a.value) for a in answers] if counted else [],
    ))


# Survey responses newest first: by store-local day, and within a day the latest first. Served, after the
# scope's equalities, by the indexes of migration m009, which also find the days from `from` on.
RESPONSE_ORDER = Order(("r.local_day", "r.id"), descending=True)


def list_responses(
    db: sqlite_utils.Database, scope: Scope, *, since: dt.date | None, after: Sequence[object] | None = None, limit: int | None
) -> list[ResponseView]:
    """Within `scope` (on survey_responses' columns), made on or after the store-local day `since`, in
    `RESPONSE_ORDER`, after the sort key `after`, at most `limit`."""
    select = (
        "SELECT r.id AS id, r.local_day AS local_day, r.store_id, r.touchpoint_id, r.language, r.survey_id, r.survey_version, "
        "r.answers, r.created_at, r.suspect, c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone "
        "FROM survey_responses r LEFT JOIN survey_contacts c ON c.response_id = r.id WHERE 1 = 1"
    )
    args: list[object] = []
    if since:
        select, args = select + " AND r.local_day >= ?", [since.isoformat()]
    sql, args = page(select, args, scope, RESPONSE_ORDER, after=after, limit=limit)
    views = []
    for row in db.query(sql, args):
        contact = row.pop("contact_name"), row.pop("contact_email"), row.pop("contact_phone")
        views.append(
            msgspec.convert(
                {
                    **row,
                    "answers": msgspec.json.decode(row["answers"]),
                    "contact": None if contact[1] is None else {"name": contact[0], "email": contact[1], "phone": contact[2]},
                },
                ResponseView,
            )
        )
    return views


def _narrowed(
    sql: str, args: list[object], touchpoint_id: str | None, first_day: str | None, last_day: str | None
) -> tuple[str, list[object]]:
    """`sql` (ending in a WHERE condition) narrowed to a touchpoint and the store-local days [first_day, last_day]."""
    for column, op, value in (("touchpoint_id", "=", touchpoint_id), ("local_day", ">=", first_day), ("local_day", "<=", last_day)):
        if value is not None:
            sql, args = f"{sql} AND {column} {op} ?", [*args, value]
    return sql, args


def score_counts(
    db: sqlite_utils.Database, scope: Scope, scales: Mapping[str, tuple[int, int]], *,
    touchpoint_id: str | None, first_day: str | None, last_day: str | None,
) -> Iterator[ScoreCounts]:
    """Per store and touchpoint within `scope`, touchpoint and days: the responses counted, and left out,
    and how many counted ones gave each value of `scales` (score column -> its lowest and highest value).
    One pass over the index `survey_responses_metrics`, in its order: one row a touchpoint comes back,
    however many responses there are."""
    wanted = [(column, value) for column, (low, high) in scales.items() for value in range(low, high + 1)]
    unknown = {column for column, _ in wanted} - set(SCORE_COLUMNS)
    if unknown:
        raise ValueError(f"no score column {', '.join(sorted(unknown))}")
    counts = "".join(f", COUNT(*) FILTER (WHERE suspect IS NULL AND {column} = ?) AS {column}_{value}" for column, value in wanted)
    select, args = scope.where(
        f"SELECT store_id, touchpoint_id, COUNT(*) - COUNT(suspect) AS counted, COUNT(suspect) AS suspect{counts} "
        "FROM survey_responses WHERE 1 = 1",
        [value for _, value in wanted],
    )
    sql, args = _narrowed(select, args, touchpoint_id, first_day, last_day)
    for row in db.query(f"{sql} GROUP BY store_id, touchpoint_id", args):
        tallies: dict[str, dict[int, int]] = {column: {} for column in scales}
        for column, value in wanted:
            if n := row[f"{column}_{value}"]:
                tallies[column][value] = n
        yield ScoreCounts(store_id=row["store_id"], touchpoint_id=row["touchpoint_id"], counted=row["counted"], suspect=row["suspect"], tallies=tallies)


def dimension_sums(
    db: sqlite_utils.Database, scope: Scope, *, touchpoint_id: str | None, first_day: str | None, last_day: str | None
) -> Iterator[DimensionSums]:
    """Per store, touchpoint, dimension and scale within `scope`, touchpoint and days: how many counted
    answers, and their sum. One pass over the index `survey_dimension_answers_metrics`, in its order."""
    sql, args = _narrowed(
        *scope.where(
            "SELECT store_id, touchpoint_id, dimension, scale_min, scale_max, COUNT(*) AS n, SUM(value) AS total "
            "FROM survey_dimension_answers WHERE counted = 1"
        ),
        touchpoint_id, first_day, last_day,
    )
    for row in db.query(f"{sql} GROUP BY store_id, touchpoint_id, dimension, scale_min, scale_max", args):
        yield msgspec.convert(row, DimensionSums)


# --- complaints -------------------------------------------------------------------------------

_COMPLAINT_COLUMNS = (
    "ticket, store_id, language, happened_on, what, desired, state, received_at, acknowledge_by, respond_by, "
    "acknowledged_at, resolved_at, closed_at, resolution, root_cause, reply, reply_at"
)


def ticket_taken(db: sqlite_utils.Database, ticket: str) -> bool:
    return next(db.query("SELECT 1 AS taken FROM complaints WHERE ticket = ?", [ticket]), None) is not None


def response_exists(db: sqlite_utils.Database, response_id: int) -> bool:
    return next(db.query("SELECT 1 AS found FROM survey_responses WHERE id = ?", [response_id]), None) is not None


def insert_complaint(
    db: sqlite_utils.Database, complaint: Complaint, contact: ContactDetails | None, source_response: int | None, local_day: str | None = None
) -> None:
    """`local_day`: the day it was received in the store's time zone, which the dashboard's period reads."""
    values = {**msgspec.structs.asdict(complaint), "source_response": source_response, "local_day": local_day}
    db.execute(f"INSERT INTO complaints ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values()))
    if contact:
        db.execute(
            "INSERT INTO complaint_contacts (ticket, name, email, phone) VALUES (?, ?, ?, ?)",
            [complaint.ticket, contact.name, contact.email, contact.phone],
        )


def add_complaint_event(
    db: sqlite_utils.Database, ticket: str, at: str, to_state: str, *, actor_id: int | None = None, from_state: str | None = None,
    note: str = "", kind: EventKind = "transition",
) -> None:
    db.execute(
        "INSERT INTO complaint_events (ticket, at, actor_id, from_state, to_state, note, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [ticket, at, actor_id, from_state, to_state, note, kind],
    )


def find_complaint(db: sqlite_utils.Database, ticket: str, scope: Scope) -> Complaint | None:
    sql, args = scope.where(f"SELECT {_COMPLAINT_COLUMNS} FROM complaints WHERE ticket = ?", [ticket])
    row = next(db.query(sql, args), None)
    return None if row is None else msgspec.convert(row, Complaint)


def complaint_contact(db: sqlite_utils.Database, ticket: str) -> ContactDetails | None:
    row = next(db.query("SELECT name, email, phone FROM complaint_contacts WHERE ticket = ?", [ticket]), None)
    return None if row is None else msgspec.convert(row, ContactDetails)


# The complaint queue's order: soonest due first, then by ticket. Served, after the scope's and the states'
# equalities (one arm a state), by the indexes of migration m009.
COMPLAINT_ORDER = Order(("respond_by", "ticket"))


def list_complaints(
    db: sqlite_utils.Database, scope: Scope, states: list[str] | None, *, after: Sequence[object] | None = None, limit: int | None = None
) -> list[Complaint]:
    """The complaints within `scope` (and `states`) in `COMPLAINT_ORDER`, after the sort key `after`, at most `limit`."""
    if states is not None:
        scope = scope.both(column_in("state", states))
    sql, args = page(f"SELECT {_COMPLAINT_COLUMNS} FROM complaints WHERE 1 = 1", [], scope, COMPLAINT_ORDER, after=after, limit=limit)
    return [msgspec.convert(row, Complaint) for row in db.query(sql, args)]


def change_complaint(db: sqlite_utils.Database, ticket: str, expected_state: str, change: ComplaintChange) -> bool:
    """Apply `change` if the complaint is still in `expected_state`; False when it moved meanwhile.

    `acknowledged_at` is written only once: the first acknowledgement counts for the clock."""
    values = {k: v for k, v in msgspec.structs.asdict(change).items() if v is not None}
    sets = [f"{k} = COALESCE({k}, ?)" if k == "acknowledged_at" else f"{k} = ?" for k in values]
    cursor = db.execute(
        f"UPDATE complaints SET {', '.join(sets)} WHERE ticket = ? AND state = ?", [*values.values(), ticket, expected_state]
    )
    return cursor.rowcount == 1


def complaint_events(db: sqlite_utils.Database, ticket: str) -> list[ComplaintEvent]:
    rows = db.query(
        "SELECT e.at, u.name AS actor, e.from_state, e.to_state, e.note, e.kind FROM complaint_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.ticket = ? ORDER BY e.id",
        [ticket],
    )
    return [msgspec.convert(row, ComplaintEvent) for row in rows]


def public_status(db: sqlite_utils.Database, ticket: str) -> PublicStatus | None:
    row = next(
        db.query(
            "SELECT ticket, store_id, state, desired, received_at, respond_by, acknowledged_at, resolved_at, closed_at, reply, reply_at, "
            "purged_at IS NOT NULL AS purged FROM complaints WHERE ticket = ?",
            [ticket],
        ),
        None,
    )
    return None if row is None else msgspec.convert({**row, "purged": bool(row["purged"])}, PublicStatus)


def public_steps(db: sqlite_utils.Database, ticket: str) -> list[PublicStep]:
    """The states the complaint reached, in order: its history's state changes, without who or why."""
    rows = db.query("SELECT to_state AS state, at FROM complaint_events WHERE ticket = ? AND kind = 'transition' ORDER BY id", [ticket])
    return [msgspec.convert(row, PublicStep) for row in rows]


# --- the privacy purge ------------------------------------------------------------------------
# The purge works in batches, each its own transaction. A row leaves the partial index of rows to purge
# (`purged_at IS NULL`, m008) in the transaction that purges it, so each batch reads the next rows from
# the start of that index, and a second run, or one after an interruption, finds only what is left.


def responses_to_purge(db: sqlite_utils.Database, before: str, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """(id, answers) of at most `limit` responses made before `before` that no purge has been through, oldest first."""
    rows = db.query(
        "SELECT id, answers FROM survey_responses WHERE purged_at IS NULL AND created_at < ? ORDER BY created_at LIMIT ?",
        [before, limit],
    )
    return [(int(row["id"]), msgspec.json.decode(row["answers"])) for row in rows]


def set_answers(db: sqlite_utils.Database, answers: Mapping[int, dict[str, Any]]) -> None:
    """Replace the answers of these responses (by id)."""
    db.conn.executemany(
        "UPDATE survey_responses SET answers = ? WHERE id = ?",
        [(msgspec.json.encode(kept).decode(), response_id) for response_id, kept in answers.items()],
    )


def purge_responses(db: sqlite_utils.Database, ids: list[int], stamp: str) -> int:
    """Delete these responses' contact details, drop (the keyed hash of) their network address and
    mark them purged; returns how many contact details there were."""
    listed = msgspec.json.encode(ids).decode()
    contacts = db.execute("DELETE FROM survey_contacts WHERE response_id IN (SELECT value FROM json_each(?))", [listed]).rowcount
    db.execute(
        "UPDATE survey_responses SET address_key = NULL, purged_at = ? WHERE id IN (SELECT value FROM json_each(?))", [stamp, listed]
    )
    return contacts


def complaints_to_purge(db: sqlite_utils.Database, before: str, limit: int) -> list[str]:
    """Tickets of at most `limit` complaints received before `before` whose texts are still there, oldest first."""
    rows = db.query(
        "SELECT ticket FROM complaints WHERE purged_at IS NULL AND received_at < ? ORDER BY received_at LIMIT ?", [before, limit]
    )
    return [row["ticket"] for row in rows]


def count_to_purge(db: sqlite_utils.Database, before: str) -> int:
    """Responses made and complaints received before `before` that no purge has been through yet, together
    (counted on m008's indexes of the rows still to purge, without reading a row)."""
    row = next(db.query(
        "SELECT (SELECT count(*) FROM survey_responses WHERE purged_at IS NULL AND created_at < ?) "
        "+ (SELECT count(*) FROM complaints WHERE purged_at IS NULL AND received_at < ?) AS n",
        [before, before],
    ))
    return int(row["n"])


def purge_complaints(db: sqlite_utils.Database, tickets: list[str], stamp: str) -> int:
    """Delete these complaints' contact details and blank the customer's account and the reply written
    to them (free text that may name the customer); returns how many contact details there were."""
    listed = msgspec.json.encode(tickets).decode()
    contacts = db.execute("DELETE FROM complaint_contacts WHERE ticket IN (SELECT value FROM json_each(?))", [listed]).rowcount
    db.execute(
        "UPDATE complaints SET what = '', reply = '', purged_at = ? WHERE ticket IN (SELECT value FROM json_each(?))", [stamp, listed]
    )
    return contacts
