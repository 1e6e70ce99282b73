"""Corrective actions: opened by an approval, listed and closed by the store's managers.

Every failed item of an approved audit (the visit's latest revision) opens an action for the store's
managers, written in the approval's own transaction (`open_actions`, called by `services/visits.py`
review), due at the end of the store-local day the checklist's `action_days` after the approval
(`domain/actions.py`). Managers of the action's store and admins see, photograph and close actions;
auditors none (their guard stops them first); anyone else's answer NotFound, as if the action did not
exist (`access.stores`, as SQL).

"Failed again": an item this audit failed that had an action opened before the audit was submitted, for
the same store and checklist, from another visit: the store had been told and it failed once more. The
new action points at the latest such one (`repeat_of`), and a visit's detail lists those items for any
submitted audit, approved or not (`failed_again`).

A photo of what was done is an image (JPEG, PNG, HEIC, recognised by content), stored once by SHA-256 in
the evidence blob store; closing names one uploaded for that action, or none, and always takes a note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
import sqlite_utils

from ..book.models import Book
from ..domain import actions as rules
from ..domain.media import ACCEPTED, sniff
from ..errors import Conflict, FieldError, InvalidInput, NotFound, TooLarge
from ..store import Database
from ..store import actions as store
from ..store import visits as visits_store
from ..store.accounts import User
from ..store.actions import Action, ActionPhoto, ActionState, NewAction, Sha256
from ..store.blobs import BlobStore
from ..store.book import checklist_by_hash, checklist_hash
from ..store.times import Timestamp
from ..store.visits import AuditResult, Visit
from . import access

NOTE_MAX_CHARS = 4000
PHOTO_TYPES = {media_type: words for media_type, words in ACCEPTED.items() if media_type.startswith("image/")}


class ActionView(msgspec.Struct, frozen=True, kw_only=True):
    """A corrective action as its reader sees it, with its flags worked out at the time of reading."""

    id: str
    store_id: str
    checklist_id: str
    visit_id: str
    revision: int  # the audit revision that failed the item
    stage_id: str
    item_id: str
    critical: bool
    opened_at: Timestamp
    due_at: Timestamp
    state: ActionState
    overdue: bool  # open, and its due time has passed
    failed_again: bool  # an earlier action of this store and checklist was opened for the same item
    repeat_of: str | None  # that earlier action's id
    closed_at: Timestamp | None
    closed_by: str | None  # login
    note: str
    photo: Sha256 | None


class ActionDetail(msgspec.Struct, frozen=True, kw_only=True):
    action: ActionView
    photos: list[ActionPhoto]  # every photo uploaded for it; closing names one (`action.photo`)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(instant: dt.datetime | str) -> str:
    """A time as the store compares it: UTC, `isoformat()`."""
    value = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return value.astimezone(dt.UTC).isoformat()


def view(action: Action, now: dt.datetime) -> ActionView:
    return ActionView(
        id=action.id, store_id=action.store_id, checklist_id=action.checklist_id, visit_id=action.visit_id, revision=action.revision,
        stage_id=action.stage_id, item_id=action.item_id, critical=action.critical, opened_at=action.opened_at, due_at=action.due_at,
        state=action.state, overdue=rules.is_overdue(action.state, dt.datetime.fromisoformat(action.due_at), now),
        failed_again=action.repeat_of is not None, repeat_of=action.repeat_of, closed_at=action.closed_at, closed_by=action.closed_by,
        note=action.note, photo=action.photo,
    )


# --- opening, inside the approval -------------------------------------------------------------


def open_actions(db: sqlite_utils.Database, book: Book, visit: Visit, approved_at: str) -> list[str]:
    """On the writer, inside the transaction that approves `visit`: an action for each item its latest audit
    failed, due `action_days` (of the visit's checklist version) store-local days after `approved_at`."""
    latest = visits_store.latest_audit(db, visit.id)
    if latest is None:
        return []
    result = latest[1]
    checklist = checklist_by_hash(db, checklist_hash(db, visit.checklist_id, visit.checklist_version))
    approved = dt.datetime.fromisoformat(approved_at)
    store_doc = book.stores_by_id.get(visit.store_id)
    due = rules.due_at(store_doc.timezone if store_doc else "UTC", approved, checklist.action_days)
    submitted = _utc(result.submitted_at)
    opened = [
        NewAction(
            visit_id=visit.id, revision=result.revision, store_id=visit.store_id, checklist_id=visit.checklist_id, stage_id=failed.stage,
            item_id=failed.item, critical=failed.critical, opened_at=_utc(approved), due_at=due.isoformat(),
            repeat_of=store.earlier_action(db, visit.store_id, visit.checklist_id, failed.item, not_visit=visit.id, before=submitted),
        )
        for failed in result.score.failed
    ]
    return store.insert_actions(db, opened)


def failed_again(db: sqlite_utils.Database, visit: Visit, result: AuditResult) -> list[str]:
    """The items `result` failed that had an action before it was submitted, from another visit of the
    same store and checklist, in the audit's order."""
    failed = [f.item for f in result.score.failed]
    again = store.items_with_earlier_actions(
        db, visit.store_id, visit.checklist_id, failed, not_visit=visit.id, before=_utc(result.submitted_at)
    )
    return [item for item in failed if item in again]


# --- reading ----------------------------------------------------------------------------------


def visible_action(database: Database, user: User, action_id: str) -> Action:
    """The action if `user` may see it; otherwise NotFound, so its existence is not given away."""
    action = store.find_action(database.read(), action_id, access.stores(user))
    if action is None:
        raise NotFound(f"no action '{action_id}'")
    return action


def action_detail(database: Database, user: User, action_id: str, now: dt.datetime | None = None) -> ActionDetail:
    action = visible_action(database, user, action_id)
    return ActionDetail(action=view(action, now or _now()), photos=store.list_photos(database.read(), action.id))


def list_actions(
    database: Database, book: Book, user: User, now: dt.datetime | None = None, *, state: ActionState | None = None,
    overdue: bool = False, store_id: str | None = None, after: Sequence[object] | None = None, limit: int | None = None,
) -> list[ActionView]:
    """The actions `user` may see, soonest due first (`store.ACTION_ORDER`): in `state`, only the overdue ones
    (open and past due), of one store; after the sort key `after` (None: from the first), at most `limit`."""
    now = now or _now()
    scope = access.stores(user) if store_id is None else access.report_stores(user, book, store=store_id)
    states: list[str] | None = [state] if state is not None else None
    if overdue:  # only open actions are ever overdue
        states = [s for s in states or ["open"] if s == "open"]
    rows = store.list_actions(
        database.read(), scope, states, due_before=_utc(now) if overdue else None, after=after, limit=limit
    )
    return [view(action, now) for action in rows]


# --- photos and closing -----------------------------------------------------------------------


def upload_photo(
    database: Database, blobs: BlobStore, user: User, action_id: str, content: bytes, filename: str, limit: int,
    now: dt.datetime | None = None,
) -> tuple[ActionPhoto, bool]:
    """Store a photo of what was done for an open action, recognised by content; (record, created)."""
    if len(content) > limit:
        raise TooLarge(f"the file is {len(content)} bytes; the limit is {limit}")
    action = visible_action(database, user, action_id)
    media_type = sniff(content)
    name = filename or "upload"
    if media_type not in PHOTO_TYPES:
        kinds = ", ".join(PHOTO_TYPES.values())
        raise InvalidInput(
            f"'{name}' is not a photo we accept",
            [FieldError("body.file", f"its content is none of: {kinds} (the file name and declared type do not count)")],
        )
    if action.state != "open":
        raise Conflict(f"action '{action.id}' is closed: photos can no longer be added")
    digest = blobs.put(content)
    photo = ActionPhoto(sha256=digest, media_type=media_type, size=len(content), filename=name, uploaded_at=_utc(now or _now()))
    with database.write() as db:
        created = store.insert_photo(db, action.id, user.id, photo)
    return next(p for p in store.list_photos(database.read(), action.id) if p.sha256 == digest), created


def photo_file(database: Database, blobs: BlobStore, user: User, action_id: str, sha256: str) -> tuple[ActionPhoto, bytes]:
    action = visible_action(database, user, action_id)
    photo = next((p for p in store.list_photos(database.read(), action.id) if p.sha256 == sha256), None)
    if photo is None:
        raise NotFound(f"no photo '{sha256}' for action '{action_id}'")
    return photo, blobs.read(sha256)


def close(
    database: Database, user: User, action_id: str, note: str, photo: str | None = None, now: dt.datetime | None = None
) -> ActionDetail:
    """Close an open action with a note of what was done and, optionally, a photo uploaded for it; closing
    a closed action is a conflict."""
    action = visible_action(database, user, action_id)
    note = note.strip()
    errors = [] if note else [FieldError("body.note", "say what was done")]
    if photo is not None and photo not in {p.sha256 for p in store.list_photos(database.read(), action.id)}:
        errors.append(FieldError("body.photo", f"no photo '{photo}' was uploaded for this action"))
    if action.state != "open":
        raise Conflict(f"action '{action.id}' is already closed")
    if errors:
        raise InvalidInput("the action cannot be closed like this", errors)
    now = now or _now()
    with database.write() as db:
        if not store.close_action(db, action.id, at=_utc(now), by=user.id, note=note, photo=photo):
            raise Conflict(f"action '{action.id}' is already closed")
    return action_detail(database, user, action.id, now)
