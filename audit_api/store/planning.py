"""Planning as stored: auditors' exclusions from stores, a visit's cancellation and its new auditor. Queries and writes only.

Every function runs on the connection it is given (a reader, or the writer inside the caller's
transaction). Who may plan, and which state may be cancelled or reassigned, is decided in
`services/planning.py`; a write here only applies the state guard it is handed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec
import sqlite_utils

from ..domain.visits import State
from .pages import Order, page
from .scope import EVERYTHING, column_in

AUDITOR_ORDER = Order(("name",))  # logins are unique


class AuditorRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    display_name: str


def active_auditors(db: sqlite_utils.Database, *, after: Sequence[object] | None, limit: int | None) -> list[AuditorRow]:
    """Auditors who are not disabled, by login, after the login `after` (None: from the first), at most `limit`."""
    select = "SELECT id, name, display_name FROM users WHERE role = 'auditor' AND disabled_at IS NULL"
    sql, args = page(select, [], EVERYTHING, AUDITOR_ORDER, after=after, limit=limit)
    return [msgspec.convert(row, AuditorRow) for row in db.query(sql, args)]


def excluded_stores(db: sqlite_utils.Database, user_id: int) -> list[str]:
    """The stores the user is excluded from, sorted."""
    rows = db.query("SELECT store_id FROM auditor_exclusions WHERE user_id = ? ORDER BY store_id", [user_id])
    return [str(row["store_id"]) for row in rows]


def exclusions_of(db: sqlite_utils.Database, user_ids: Iterable[int]) -> set[tuple[int, str]]:
    """Every (user id, store id) exclusion of these users."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    rows = db.query(f"SELECT user_id, store_id FROM auditor_exclusions WHERE user_id IN ({', '.join('?' * len(ids))})", ids)
    return {(int(row["user_id"]), str(row["store_id"])) for row in rows}


def is_excluded(db: sqlite_utils.Database, user_id: int, store_id: str) -> bool:
    row = next(db.query("SELECT 1 AS hit FROM auditor_exclusions WHERE user_id = ? AND store_id = ?", [user_id, store_id]), None)
    return row is not None


def set_exclusions(db: sqlite_utils.Database, user_id: int, store_ids: list[str], stamp: str) -> None:
    """Make the user's exclusions exactly `store_ids`; those kept keep their first date."""
    wanted = sorted(set(store_ids))
    if wanted:
        db.execute(
            f"DELETE FROM auditor_exclusions WHERE user_id = ? AND store_id NOT IN ({', '.join('?' * len(wanted))})", [user_id, *wanted]
        )
    else:
        db.execute("DELETE FROM auditor_exclusions WHERE user_id = ?", [user_id])
    db.conn.executemany(
        "INSERT OR IGNORE INTO auditor_exclusions (user_id, store_id, created_at) VALUES (?, ?, ?)",
        [[user_id, store_id, stamp] for store_id in wanted],
    )


def change_auditor(db: sqlite_utils.Database, visit_id: str, auditor_id: int, from_states: frozenset[State], stamp: str) -> bool:
    """Give the visit to another auditor if it is in one of `from_states`; False when it was not."""
    sql, args = column_in("state", sorted(from_states)).where(
        "UPDATE visits SET auditor_id = ?, updated_at = ? WHERE id = ?", [auditor_id, stamp, visit_id]
    )
    return db.execute(sql, args).rowcount == 1
