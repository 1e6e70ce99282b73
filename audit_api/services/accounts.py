"""Users, one-time enrolment codes and device tokens: the rules around them.

A phone enrols by scanning a QR code that carries a one-time code (valid 24 hours by default); it
trades the code for a device token `<id>.<secret>`. Only SHA-256 hashes of codes and secrets are
stored: both are long random strings, so a plain hash is enough and nothing in the database can be
replayed. A token lasts while it is used: it expires after `TOKEN_DAYS` days without use (a setting,
AUDIT_TOKEN_DAYS). A revoked token, or any token of a disabled user, fails on its next request (every
request looks the token up). Managers look after some stores or all; admins and auditors have none.
Managers who plan visits (area managers) are marked so; every user has a stable pseudonym, which is all
a store's own managers learn of the auditor who visited them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import msgspec

from ..errors import Conflict, InvalidInput, NotFound
from ..store import Database
from ..store import accounts as store
from ..store.accounts import Role, TokenInfo, User

ENROLMENT_HOURS = 24
TOKEN_DAYS = 90
TOUCH_EVERY = dt.timedelta(minutes=5)  # a token's last use is written down at most this often


class Enrolment(msgspec.Struct, frozen=True, kw_only=True):
    user: str
    code: str  # shown once; only its hash is stored
    expires_at: dt.datetime


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    token_id: str
    token: str  # shown once; only the secret's hash is stored
    user: str
    role: Role


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
    plans_visits: bool = False,
    known_stores: set[str] | None = None,
) -> User:
    chosen = sorted(set(stores or []))
    if plans_visits and role != "manager":
        raise InvalidInput("only managers plan visits (admins always may)")
    if role == "manager" and not (all_stores or chosen):
        raise InvalidInput("a manager needs stores, or all stores")
    if role != "manager" and (chosen or all_stores):
        raise InvalidInput("only managers have stores")
    unknown = sorted(set(chosen) - known_stores) if known_stores is not None else []
    if unknown:
        raise InvalidInput(f"unknown store(s): {', '.join(unknown)}")
    with database.write() as db:
        if store.user_id_by_name(db, name) is not None:
            raise Conflict(f"there is already a user '{name}'")
        user_id = store.insert_user(
            db, name=name, display_name=display_name or name, role=role, all_stores=all_stores, stores=chosen,
            language=language, plans_visits=plans_visits, pseudonym=new_pseudonym(), stamp=_now().isoformat(),
        )
    return get_user(database, user_id)


def new_pseudonym() -> str:
    """How a store's managers name an auditor: stable, and telling nothing about the person."""
    return "Auditor " + "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(5))


def set_disabled(database: Database, name: str, disabled: bool, now: dt.datetime | None = None) -> User:
    """Disable a user (every token fails at once, codes cannot be redeemed) or enable them again."""
    user = find_user(database, name)
    with database.write() as db:
        store.set_disabled(db, user.id, (now or _now()).isoformat() if disabled else None)
    return get_user(database, user.id)


def get_user(database: Database, user_id: int) -> User:
    user = store.get_user(database.read(), user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def find_user(database: Database, name: str) -> User:
    user_id = store.user_id_by_name(database.read(), name)
    if user_id is None:
        raise NotFound(f"no user '{name}'")
    return get_user(database, user_id)


def list_users(database: Database, *, after: list[object] | None = None, limit: int | None = None) -> list[User]:
    """The users by login, after the login `after` (None: from the first), at most `limit` (None: all)."""
    return [user for user_id in store.user_ids(database.read(), after=after, limit=limit) if (user := get_user(database, user_id))]


def start_enrolment(database: Database, user: User, hours: int = ENROLMENT_HOURS, now: dt.datetime | None = None) -> Enrolment:
    if not 1 <= hours <= 24 * 7:
        raise InvalidInput("an enrolment code lasts from 1 hour to 7 days")
    now = now or _now()
    code = secrets.token_urlsafe(18)
    expires = now + dt.timedelta(hours=hours)
    with database.write() as db:
        store.insert_enrolment(db, _hash(code), user.id, now.isoformat(), expires.isoformat())
    return Enrolment(user=user.name, code=code, expires_at=expires)


def redeem_enrolment(database: Database, code: str, device: str, now: dt.datetime | None = None) -> IssuedToken:
    """Trade a one-time code for a device token; a used, expired or unknown code is refused alike."""
    stamp = (now or _now()).isoformat()
    token_id, secret = secrets.token_urlsafe(9), secrets.token_urlsafe(32)
    with database.write() as db:
        user_id = store.use_enrolment(db, _hash(code), stamp)
        enrolled = store.get_user(db, user_id) if user_id is not None else None
        if enrolled is None or enrolled.disabled_at is not None:
            raise NotFound("this enrolment code is unknown, used or expired: ask for a new one")
        store.insert_token(db, token_id, enrolled.id, _hash(secret), device, stamp)
    user = enrolled
    return IssuedToken(token_id=token_id, token=f"{token_id}.{secret}", user=user.name, role=user.role)


def lookup_token(
    database: Database, token: str, now: dt.datetime | None = None, token_days: int = TOKEN_DAYS
) -> tuple[User, bool] | None:
    """Read-only: the token's user, and whether its last use should be written down again.

    None for an unknown, revoked or expired token, and for a disabled user's."""
    token_id, _, secret = token.partition(".")
    if not token_id or not secret:
        return None
    now = now or _now()
    db = database.read()
    found = store.live_token(db, token_id, (now - dt.timedelta(days=token_days)).isoformat())
    if found is None or not hmac.compare_digest(found[0].secret_hash, _hash(secret)):
        return None
    record, user = found
    stale = record.last_used_at is None or dt.datetime.fromisoformat(record.last_used_at) < now - TOUCH_EVERY
    return user, stale


def touch_token(database: Database, token: str, now: dt.datetime | None = None) -> None:
    with database.write() as db:
        store.touch_token(db, token.partition(".")[0], (now or _now()).isoformat())


def list_tokens(database: Database, user: User) -> list[TokenInfo]:
    return store.list_tokens(database.read(), user.id)


def revoke_token(database: Database, actor: User, token_id: str, now: dt.datetime | None = None) -> None:
    """An admin revokes any token, a user their own; another user's token answers as if it did not exist."""
    owner = store.token_owner(database.read(), token_id)
    if owner is None or (actor.role != "admin" and owner != actor.id):
        raise NotFound(f"no token '{token_id}'")
    with database.write() as db:
        store.revoke_token(db, token_id, (now or _now()).isoformat())
