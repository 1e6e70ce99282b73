"""Corrective actions and their photos, as stored (migration m012): queries and writes only.

Every function runs on the connection it is given: a reader, or the writer inside a transaction the
caller opened (actions are opened inside the approval's own transaction). Who may see an action, when
one opens and which may close are decided in `services/actions.py`; a query here only applies the scope
it is handed. Rows are read by column name.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
import sqlite_utils
from msgspec import Meta

from .pages import Order, page
from .scope import Scope, column_in
from .times import Timestamp

ActionState = Literal["open", "closed"]
Sha256 = Annotated[str, Meta(pattern="^[0-9a-f]{64}$", description="the SHA-256 of a photo uploaded for this action, in hex")]


class NewAction(msgspec.Struct, frozen=True, kw_only=True):
    visit_id: str
    revision: int
    store_id: str
    checklist_id: str
    stage_id: str
    item_id: str
    critical: bool
    opened_at: str
    due_at: str
    repeat_of: str | None


class Action(msgspec.Struct, frozen=True, kw_only=True):
    """An action as stored, with the login of whoever closed it."""

    id: str
    visit_id: str
    revision: int
    store_id: str
    checklist_id: str
    stage_id: str
    item_id: str
    critical: bool
    opened_at: Timestamp
    due_at: Timestamp
    state: ActionState
    closed_at: Timestamp | None
    closed_by: str | None  # login
    note: str
    photo: Sha256 | None
    repeat_of: str | None


class ActionPhoto(msgspec.Struct, frozen=True, kw_only=True):
    sha256: Sha256
    media_type: str
    size: int
    filename: str
    uploaded_at: Timestamp


_SELECT_ACTIONS = (
    "SELECT id, visit_id, revision, store_id, checklist_id, stage_id, item_id, critical, opened_at, due_at, state, closed_at, "
    "(SELECT u.name FROM users u WHERE u.id = corrective_actions.closed_by) AS closed_by, note, photo, repeat_of "
    "FROM corrective_actions"
)

# The queue's order: soonest due first, then id. Served, with the scope's and the state filter's
# equalities first, by the indexes of migration m012.
ACTION_ORDER = Order(("due_at", "id"))


def _action(row: dict[str, Any]) -> Action:
    return msgspec.convert({**row, "critical": bool(row["critical"])}, Action)


def insert_actions(db: sqlite_utils.Database, actions: list[NewAction]) -> list[str]:
    """Store new open actions; returns their ids in order. An item already holding an action of that visit keeps it."""
    ids = [secrets.token_urlsafe(9) for _ in actions]
    db.conn.executemany(
        "INSERT OR IGNORE INTO corrective_actions (id, visit_id, revision, store_id, checklist_id, stage_id, item_id, critical, "
        "opened_at, due_at, state, repeat_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
        [
            [action_id, a.visit_id, a.revision, a.store_id, a.checklist_id, a.stage_id, a.item_id, int(a.critical), a.opened_at,
             a.due_at, a.repeat_of]
            for action_id, a in zip(ids, actions)
        ],
    )
    return ids


def earlier_action(db: sqlite_utils.Database, store_id: str, checklist_id: str, item_id: str, *, not_visit: str, before: str) -> str | None:
    """The latest action for this store, checklist and item opened before `before`, of a visit other than `not_visit`."""
    row = next(
        db.query(
            "SELECT id FROM corrective_actions WHERE store_id = ? AND checklist_id = ? AND item_id = ? AND opened_at < ? "
            "AND visit_id != ? ORDER BY opened_at DESC, id DESC LIMIT 1",
            [store_id, checklist_id, item_id, before, not_visit],
        ),
        None,
    )
    return None if row is None else str(row["id"])


def items_with_earlier_actions(
    db: sqlite_utils.Database, store_id: str, checklist_id: str, item_ids: Sequence[str], *, not_visit: str, before: str
) -> set[str]:
    """Which of `item_ids` had an action for this store and checklist opened before `before`, of a visit other than `not_visit`."""
    if not item_ids:
        return set()
    sql, args = column_in("item_id", list(item_ids)).where(
        "SELECT DISTINCT item_id FROM corrective_actions WHERE store_id = ? AND checklist_id = ? AND opened_at < ? AND visit_id != ?",
        [store_id, checklist_id, before, not_visit],
    )
    return {str(row["item_id"]) for row in db.query(sql, args)}


def find_action(db: sqlite_utils.Database, action_id: str, scope: Scope) -> Action | None:
    sql, args = scope.where(f"{_SELECT_ACTIONS} WHERE id = ?", [action_id])
    row = next(db.query(sql, args), None)
    return None if row is None else _action(row)


def list_actions(
    db: sqlite_utils.Database, scope: Scope, states: list[str] | None = None, *, due_before: str | None = None,
    after: Sequence[object] | None = None, limit: int | None = None,
) -> list[Action]:
    """The actions within `scope` (and `states`, and due before `due_before`) in `ACTION_ORDER`, after the sort key
    `after`, at most `limit`."""
    if states is not None:
        scope = scope.both(column_in("state", states))
    where, args = ("due_at < ?", [due_before]) if due_before is not None else ("1 = 1", [])
    sql, values = page(f"{_SELECT_ACTIONS} WHERE {where}", args, scope, ACTION_ORDER, after=after, limit=limit)
    return [_action(row) for row in db.query(sql, values)]


def close_action(db: sqlite_utils.Database, action_id: str, *, at: str, by: int, note: str, photo: str | None) -> bool:
    """Close the action if it is still open; False when it was not."""
    cursor = db.execute(
        "UPDATE corrective_actions SET state = 'closed', closed_at = ?, closed_by = ?, note = ?, photo = ? WHERE id = ? AND state = 'open'",
        [at, by, note, photo, action_id],
    )
    return cursor.rowcount == 1


def insert_photo(db: sqlite_utils.Database, action_id: str, user_id: int, photo: ActionPhoto) -> bool:
    """Record a photo uploaded for the action; False when it was already there."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO corrective_action_photos (action_id, sha256, media_type, size, filename, uploaded_by, uploaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [action_id, photo.sha256, photo.media_type, photo.size, photo.filename, user_id, photo.uploaded_at],
    )
    return cursor.rowcount == 1


def list_photos(db: sqlite_utils.Database, action_id: str) -> list[ActionPhoto]:
    rows = db.query(
        "SELECT sha256, media_type, size, filename, uploaded_at FROM corrective_action_photos WHERE action_id = ? ORDER BY uploaded_at, sha256",
        [action_id],
    )
    return [msgspec.convert(row, ActionPhoto) for row in rows]
