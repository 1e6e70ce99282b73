"""The dashboard's reads of tables it does not roll up: complaints and corrective actions, each through an index.

Complaints received in a period are read by store and store-local day (m013's covering indexes), and
open corrective actions by store and state (m012's); 50,000 complaints over two years are a few
thousand a month, so a period's clock is worked out from its rows (`domain/dashboard.py`).
"""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlite_utils

from ..domain.dashboard import ComplaintTimes
from .scope import Scope


def complaints_received(db: sqlite_utils.Database, stores: Scope, first: dt.date, last: dt.date) -> list[ComplaintTimes]:
    """The complaints within `stores` received on the store-local days [first, last]: by store and day
    (`complaints_store_day`), or by day for every store (`complaints_day`), covered by the index."""
    sql, args = stores.where(
        "SELECT state, received_at, respond_by, acknowledge_by, resolved_at FROM complaints WHERE local_day BETWEEN ? AND ?",
        [first.isoformat(), last.isoformat()],
    )
    return [msgspec.convert(row, ComplaintTimes) for row in db.query(sql, args)]


class ActionCounts(msgspec.Struct, frozen=True, kw_only=True):
    open: int  # corrective actions not yet closed
    overdue: int  # of them, past their due time


def open_actions(db: sqlite_utils.Database, stores: Scope, now: str) -> ActionCounts:
    """The corrective actions within `stores` open at `now`, and how many of them are overdue."""
    sql, args = stores.where(
        "SELECT COUNT(*) AS open, COUNT(*) FILTER (WHERE due_at < ?) AS overdue FROM corrective_actions WHERE state = 'open'", [now]
    )
    return msgspec.convert(next(db.query(sql, args)), ActionCounts)
