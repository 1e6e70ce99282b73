"""Users, one-time enrolment codes and device tokens.

A phone enrols by scanning a QR code that carries a one-time code (valid 24 hours by default); it
trades the code for a device token `<id>.<secret>`. Only SHA-256 hashes of codes and secrets are
stored: both are long random strings, so a plain hash is enough and nothing in the database can be
replayed. A revoked token fails on its next request (every request looks the token up).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Literal

import msgspec

from ..errors import Conflict, InvalidInput, NotFound
from .db import Database

Role = Literal["admin", "manager", "auditor"]
ENROLMENT_HOURS = 24
_TOUCH_EVERY = dt.timedelta(minutes=5)  # last_used_at is refreshed at most this often


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    display_name: str
    role: Role
    all_stores: bool
    stores: list[str]
    language: str | None

    def covers(self, store_id: str) -> bool:
        """Whether this user's scope includes the store (admins: every store)."""
        return self.role == "admin" or self.all_stores or store_id in self.stores


class Enrolment(msgspec.Struct, frozen=True, kw_only=True):
    user: str
    code: str  # shown once; only its hash is stored
    expires_at: dt.datetime


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    token_id: str
    token: str  # shown once; only the secret's hash is stored
    user: str
    role: Role


class TokenInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    device: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_user(
    database: Database,
    name: str,
    role: Role,
    *,
    display_name: str = "",
    stores: list[str] | None = None,
    all_stores: bool = False,
    language: str | None = None,
    known_stores: set[str] | None = None,
) -> User:
    stores = sorted(set(stores or []))
    if role == "manager" and not (all_stores or stores):
        raise InvalidInput("a manager needs stores, or all stores")
    if role != "manager" and (stores or all_stores):
        raise InvalidInput("only managers have stores")
    unknown = sorted(set(stores) - known_stores) if known_stores is not None else []
    if unknown:
        raise InvalidInput(f"unknown store(s): {', '.join(unknown)}")
    with database.write() as db:
        if db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise Conflict(f"there is already a user '{name}'")
        cursor = db.execute(
            "INSERT INTO users (name, display_name, role, all_stores, language, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [name, display_name or name, role, int(all_stores), language, _now().isoformat()],
        )
        user_id = cursor.lastrowid
        for store_id in stores:
            db.execute("INSERT INTO user_stores (user_id, store_id) VALUES (?, ?)", [user_id, store_id])
    return get_user(database, user_id)


def get_user(database: Database, user_id: int) -> User:
    db = database.read()
    row = db.execute(
        "SELECT id, name, display_name, role, all_stores, language FROM users WHERE id = ?", [user_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"no user {user_id}")
    stores = [r[0] for r in db.execute("SELECT store_id FROM user_stores WHERE user_id = ? ORDER BY store_id", [user_id])]
    return User(id=row[0], name=row[1], display_name=row[2], role=row[3], all_stores=bool(row[4]), stores=stores, language=row[5])


def find_user(database: Database, name: str) -> User:
    row = database.read().execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise NotFound(f"no user '{name}'")
    return get_user(database, row[0])


def list_users(database: Database) -> list[User]:
    return [get_user(database, row[0]) for row in database.read().execute("SELECT id FROM users ORDER BY name")]


def start_enrolment(database: Database, user: User, hours: int = ENROLMENT_HOURS, now: dt.datetime | None = None) -> Enrolment:
    if not 1 <= hours <= 24 * 7:
        raise InvalidInput("an enrolment code lasts from 1 hour to 7 days")
    now = now or _now()
    code = secrets.token_urlsafe(18)
    expires = now + dt.timedelta(hours=hours)
    with database.write() as db:
        db.execute(
            "INSERT INTO enrolments (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [_hash(code), user.id, now.isoformat(), expires.isoformat()],
        )
    return Enrolment(user=user.name, code=code, expires_at=expires)


def redeem_enrolment(database: Database, code: str, device: str, now: dt.datetime | None = None) -> IssuedToken:
    """Trade a one-time code for a device token; a used, expired or unknown code is refused alike."""
    now = now or _now()
    token_id, secret = secrets.token_urlsafe(9), secrets.token_urlsafe(32)
    with database.write() as db:
        row = db.execute(
            "SELECT user_id FROM enrolments WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
            [_hash(code), now.isoformat()],
        ).fetchone()
        if row is None:
            raise NotFound("this enrolment code is unknown, used or expired: ask for a new one")
        db.execute("UPDATE enrolments SET used_at = ? WHERE code_hash = ?", [now.isoformat(), _hash(code)])
        db.execute(
            "INSERT INTO tokens (id, user_id, secret_hash, device, created_at) VALUES (?, ?, ?, ?, ?)",
            [token_id, row[0], _hash(secret), device, now.isoformat()],
        )
    user = get_user(database, row[0])
    return IssuedToken(token_id=token_id, token=f"{token_id}.{secret}", user=user.name, role=user.role)


def lookup_token(database: Database, token: str, now: dt.datetime | None = None) -> tuple[User, bool] | None:
    """Read-only: the token's user, and whether its last use should be written down again."""
    token_id, _, secret = token.partition(".")
    if not token_id or not secret:
        return None
    row = database.read().execute(
        "SELECT user_id, secret_hash, last_used_at FROM tokens WHERE id = ? AND revoked_at IS NULL", [token_id]
    ).fetchone()
    if row is None or not hmac.compare_digest(row[1], _hash(secret)):
        return None
    stale = row[2] is None or dt.datetime.fromisoformat(row[2]) < (now or _now()) - _TOUCH_EVERY
    return get_user(database, row[0]), stale


def touch_token(database: Database, token: str, now: dt.datetime | None = None) -> None:
    with database.write() as db:
        db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", [(now or _now()).isoformat(), token.partition(".")[0]])


def list_tokens(database: Database, user: User) -> list[TokenInfo]:
    rows = database.read().execute(
        "SELECT id, device, created_at, last_used_at, revoked_at FROM tokens WHERE user_id = ? ORDER BY created_at",
        [user.id],
    )
    return [TokenInfo(id=r[0], device=r[1], created_at=r[2], last_used_at=r[3], revoked_at=r[4]) for r in rows]


def token_owner(database: Database, token_id: str) -> int | None:
    row = database.read().execute("SELECT user_id FROM tokens WHERE id = ?", [token_id]).fetchone()
    return row[0] if row else None


def revoke_token(database: Database, token_id: str, now: dt.datetime | None = None) -> None:
    with database.write() as db:
        cursor = db.execute(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [(now or _now()).isoformat(), token_id]
        )
        if cursor.rowcount == 0 and not db.execute("SELECT 1 FROM tokens WHERE id = ?", [token_id]).fetchone():
            raise NotFound(f"no token '{token_id}'")
