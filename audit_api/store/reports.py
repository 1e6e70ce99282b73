"""The dashboard's reads of tables it does not roll up: complaints and corrective actions, each through an index.

Complaints received in a period are counted by store and store-local day: those still open and those
answered each through an index of their own (m015), so a year of a chain (some 25,000 complaints) is
counted in SQLite, not row by row in Python; only the answered ones' times to answer come back, for
their median. Open corrective actions are counted by store and state (m012's indexes).
"""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlite_utils

from ..domain.dashboard import ComplaintTally
from .scope import Scope

_OPEN = "('received', 'acknowledged', 'in_progress')"  # domain/complaints.py OPEN_STATES
# As m015's indexes of answered complaints write them: a query must use the very expressions.
_ANSWERED = f"state NOT IN {_OPEN} AND resolved_at IS NOT NULL"
_ON_TIME = "julianday(resolved_at) <= julianday(respond_by)"
_SECONDS = "(julianday(resolved_at) - julianday(received_at)) * 86400"


def complaint_tally(db: sqlite_utils.Database, stores: Scope, first: dt.date, last: dt.date, now: str) -> ComplaintTally:
    """The complaint clock's counts over the complaints within `stores` received on the store-local days
    [first, last], `now` a UTC time in ISO 8601 (as the times are stored): counted in SQLite, each through
    an index by day (or by store and day) that covers it (m013, m015)."""
    days: list[object] = [first.isoformat(), last.isoformat()]
    received = stores.where("SELECT COUNT(*) AS received FROM complaints WHERE local_day BETWEEN ? AND ?", days)
    still_open = stores.where(
        "SELECT COUNT(*) AS open_now, COUNT(*) FILTER (WHERE respond_by < ?) AS overdue_now, "
        "COUNT(*) FILTER (WHERE state = 'received' AND acknowledge_by < ?) AS acknowledgement_overdue_now "
        f"FROM complaints WHERE state IN {_OPEN} AND local_day BETWEEN ? AND ?",
        [now, now, *days],
    )
    answered = stores.where(
        # SUM of the indexed expression reads it from the index; a FILTER (WHERE ...) would read every row.
        f"SELECT COUNT(*) AS answered, COALESCE(SUM({_ON_TIME}), 0) AS answered_on_time FROM complaints "
        f"WHERE {_ANSWERED} AND local_day BETWEEN ? AND ?",
        days,
    )
    # Thousands of numbers: one JSON array of whole milliseconds (julianday's precision; SQLite writes whole
    # numbers faster than reals), decoded at once and sorted here (a row each, or SQLite sorting them, took
    # three times as long).
    millis = stores.where(
        f"SELECT json_group_array(CAST(round({_SECONDS} * 1000) AS INTEGER)) AS millis FROM complaints "
        f"WHERE {_ANSWERED} AND local_day BETWEEN ? AND ?",
        days,
    )
    waits = sorted(msgspec.json.decode(next(db.query(*millis))["millis"], type=list[int]))
    counts = {**next(db.query(*received)), **next(db.query(*still_open)), **next(db.query(*answered))}
    return ComplaintTally(**counts, answer_millis=waits)


class ActionCounts(msgspec.Struct, frozen=True, kw_only=True):
    open: int  # corrective actions not yet closed
    overdue: int  # of them, past their due time


def open_actions(db: sqlite_utils.Database, stores: Scope, now: str) -> ActionCounts:
    """The corrective actions within `stores` open at `now`, and how many of them are overdue."""
    sql, args = stores.where(
        "SELECT COUNT(*) AS open, COUNT(*) FILTER (WHERE due_at < ?) AS overdue FROM corrective_actions WHERE state = 'open'", [now]
    )
    return msgspec.convert(next(db.query(sql, args)), ActionCounts)
