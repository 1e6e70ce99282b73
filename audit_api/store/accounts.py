"""Users, one-time enrolment codes and device tokens, as stored: queries and writes only.

Codes and token secrets arrive here already hashed (`services/accounts.py` makes and hashes them), so
nothing in the database can be replayed. Every function runs on the connection it is given.
"""

from __future__ import annotations

from typing import Literal

import msgspec
import sqlite_utils

from .pages import Order, page
from .scope import EVERYTHING
from .times import Timestamp

Role = Literal["admin", "manager", "auditor"]


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    display_name: str
    role: Role
    all_stores: bool
    stores: list[str]
    language: str | None
    plans_visits: bool  # an area manager: plans mystery visits and sees auditors by name
    pseudonym: str  # how a store's own managers see this user when they audit it
    disabled_at: Timestamp | None


class TokenInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    device: str
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None


class TokenRecord(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    secret_hash: str
    created_at: str
    last_used_at: str | None


def insert_user(
    db: sqlite_utils.Database, *, name: str, display_name: str, role: Role, all_stores: bool, stores: list[str],
    language: str | None, plans_visits: bool, pseudonym: str, stamp: str,
) -> int:
    cursor = db.execute(
        "INSERT INTO users (name, display_name, role, all_stores, language, plans_visits, pseudonym, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [name, display_name, role, int(all_stores), language, int(plans_visits), pseudonym, stamp],
    )
    user_id = int(cursor.lastrowid or 0)
    db.conn.executemany("INSERT INTO user_stores (user_id, store_id) VALUES (?, ?)", [[user_id, s] for s in stores])
    return user_id


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    row = next(
        db.query(
            "SELECT id, name, display_name, role, all_stores, language, plans_visits, pseudonym, disabled_at FROM users WHERE id = ?",
            [user_id],
        ),
        None,
    )
    if row is None:
        return None
    stores = [r["store_id"] for r in db.query("SELECT store_id FROM user_stores WHERE user_id = ? ORDER BY store_id", [user_id])]
    flags = {"all_stores": bool(row["all_stores"]), "plans_visits": bool(row["plans_visits"])}
    return msgspec.convert({**row, **flags, "stores": stores}, User)


def set_disabled(db: sqlite_utils.Database, user_id: int, stamp: str | None) -> None:
    """Disable a user from `stamp` on (None: enable again)."""
    db.execute("UPDATE users SET disabled_at = ? WHERE id = ?", [stamp, user_id])


def user_id_by_name(db: sqlite_utils.Database, name: str) -> int | None:
    row = next(db.query("SELECT id FROM users WHERE name = ?", [name]), None)
    return None if row is None else int(row["id"])


USER_ORDER = Order(("name",))  # logins are unique


def user_ids(db: sqlite_utils.Database, *, after: list[object] | None = None, limit: int | None = None) -> list[int]:
    """Every user's id by login, after the login `after` (None: from the first), at most `limit` (None: all)."""
    sql, args = page("SELECT id, name FROM users WHERE 1 = 1", [], EVERYTHING, USER_ORDER, after=after, limit=limit)
    return [int(row["id"]) for row in db.query(sql, args)]


def insert_enrolment(db: sqlite_utils.Database, code_hash: str, user_id: int, created_at: str, expires_at: str) -> None:
    db.execute(
        "INSERT INTO enrolments (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [code_hash, user_id, created_at, expires_at],
    )


def use_enrolment(db: sqlite_utils.Database, code_hash: str, stamp: str) -> int | None:
    """Mark an unused, unexpired code used; its user's id, or None when there is no such code."""
    row = next(
        db.query("SELECT user_id FROM enrolments WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?", [code_hash, stamp]),
        None,
    )
    if row is None:
        return None
    db.execute("UPDATE enrolments SET used_at = ? WHERE code_hash = ?", [stamp, code_hash])
    return int(row["user_id"])


def insert_token(db: sqlite_utils.Database, token_id: str, user_id: int, secret_hash: str, device: str, stamp: str) -> None:
    db.execute(
        "INSERT INTO tokens (id, user_id, secret_hash, device, created_at) VALUES (?, ?, ?, ?, ?)",
        [token_id, user_id, secret_hash, device, stamp],
    )


def live_token(db: sqlite_utils.Database, token_id: str, used_since: str) -> tuple[TokenRecord, User] | None:
    """A token that is not revoked, was used (or made) since `used_since`, of a user who is not disabled; with the
    user and their stores. One query: it runs on every signed-in request (three before: `bench/requests.py`)."""
    row = next(
        db.query(
            "SELECT t.user_id, t.secret_hash, t.created_at, t.last_used_at, u.id, u.name, u.display_name, u.role, u.all_stores, "
            "u.language, u.plans_visits, u.pseudonym, u.disabled_at, "
            "(SELECT json_group_array(store_id) FROM (SELECT store_id FROM user_stores WHERE user_id = u.id ORDER BY store_id)) AS stores "
            "FROM tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.id = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL AND COALESCE(t.last_used_at, t.created_at) >= ?",
            [token_id, used_since],
        ),
        None,
    )
    if row is None:
        return None
    flags = {"all_stores": bool(row["all_stores"]), "plans_visits": bool(row["plans_visits"]), "stores": msgspec.json.decode(row["stores"])}
    return msgspec.convert(row, TokenRecord), msgspec.convert({**row, **flags}, User)


def touch_token(db: sqlite_utils.Database, token_id: str, stamp: str) -> None:
    db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", [stamp, token_id])


def list_tokens(db: sqlite_utils.Database, user_id: int) -> list[TokenInfo]:
    rows = db.query(
        "SELECT id, device, created_at, last_used_at, revoked_at FROM tokens WHERE user_id = ? ORDER BY created_at", [user_id]
    )
    return [msgspec.convert(row, TokenInfo) for row in rows]


def token_owner(db: sqlite_utils.Database, token_id: str) -> int | None:
    row = next(db.query("SELECT user_id FROM tokens WHERE id = ?", [token_id]), None)
    return None if row is None else int(row["user_id"])


def revoke_token(db: sqlite_utils.Database, token_id: str, stamp: str) -> None:
    db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [stamp, token_id])
