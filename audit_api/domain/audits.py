"""An audit as a phone submits it, checked against the exact checklist version of its visit.

Also the proof-of-visit flags a reviewer sees (flags, not rejections): a visit outside the store's
opening hours, GPS far from the store, a submission long after the visit. Pure functions.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from ..book.items import Item
from ..book.models import Checklist, Store
from ..errors import FieldError
from ..lru import LRU
from .hours import status_at
from .scoring import Answer

GPS_TOLERANCE_M = 300
LATE_AFTER = dt.timedelta(hours=24)
# A visit's times must be plausible: within a year before the submission and at most a day after it
# (a phone's clock may be off); anything else is a broken clock or a made-up time, refused, not flagged.
EARLIEST_BEFORE = dt.timedelta(days=366)
LATEST_AFTER = dt.timedelta(days=1)


class Gps(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    accuracy_m: Annotated[float, Meta(ge=0)] | None = None


class AuditSubmission(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The whole audit, sent with PUT under a client-generated UUID."""

    visit_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    answers: list[Answer]
    gps: Gps | None = None
    staff_observed: Annotated[str, Meta(max_length=200)] = ""
    comment: Annotated[str, Meta(max_length=4000)] = ""


class Flag(msgspec.Struct, frozen=True, kw_only=True):
    code: Literal["outside_hours", "far_from_store", "late_submission"]
    detail: str  # in English, for the API's readers; pages write it in the reader's language from the values below
    at: dt.datetime | None = None  # outside_hours: the instant the store was found closed
    metres: int | None = None  # far_from_store: how far the GPS fix was
    hours: int | None = None  # late_submission: how long after the visit


# A checklist version's items by id, made once per version in memory (every submission checks its answers against
# it); each entry keeps its checklist, so that checklist's id is not reused while the entry lives.
_items: LRU[int, tuple[Checklist, dict[str, Item]]] = LRU(256)


def items_by_id(checklist: Checklist) -> dict[str, Item]:
    """Every item of `checklist` by its id (not to be changed: it is shared)."""
    return _items.get(id(checklist), lambda: (checklist, {item.id: item for stage in checklist.stages for item in stage.items}))[1]


def check_submission(checklist: Checklist, version: int, audit: AuditSubmission, now: dt.datetime) -> list[FieldError]:
    """Every way `audit` breaks `checklist` (version `version`), submitted at `now`, one error per place."""
    errors = _time_problems(audit, now)
    items = items_by_id(checklist)
    seen: dict[str, int] = {}
    for index, answer in enumerate(audit.answers):
        path = f"body.answers[{index}]"
        item = items.get(answer.item)
        if item is None:
            errors.append(FieldError(f"{path}.item", f"no item '{answer.item}' in {checklist.id} version {version}"))
            continue
        if answer.item in seen:
            errors.append(FieldError(f"{path}.item", f"'{answer.item}' is answered twice (also answers[{seen[answer.item]}])"))
            continue
        seen[answer.item] = index
        errors += _check_answer(item, answer, path)
    missing = [item_id for item_id in items if item_id not in seen]
    if missing:
        errors.append(FieldError("body.answers", f"not answered: {', '.join(missing)}"))
    return errors


def _time_problems(audit: AuditSubmission, now: dt.datetime) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("started_at", "finished_at"):
        if getattr(audit, name).tzinfo is None:
            errors.append(FieldError(f"body.{name}", "give a time zone offset, e.g. 2026-11-24T10:30:00+01:00"))
    if errors:
        return errors
    # Aware datetimes compare and subtract at any offset without overflow, even at the calendar's ends.
    for name in ("started_at", "finished_at"):
        moment: dt.datetime = getattr(audit, name)
        if now - moment > EARLIEST_BEFORE:
            errors.append(FieldError(f"body.{name}", f"more than {EARLIEST_BEFORE.days} days ago: check the phone's clock"))
        elif moment - now > LATEST_AFTER:
            errors.append(FieldError(f"body.{name}", "in the future: check the phone's clock"))
    if not errors and audit.finished_at < audit.started_at:
        errors.append(FieldError("body.finished_at", "finished before it started"))
    return errors


def _check_answer(item: Item, answer: Answer, path: str) -> list[FieldError]:
    if answer.na:
        if not item.na_allowed:
            return [FieldError(f"{path}.na", "this item cannot be answered N/A")]
        if answer.value is not None:
            return [FieldError(f"{path}.value", "an N/A answer has no value")]
        return []
    problem = item.value_problem(answer.value)
    if problem or answer.value is None:
        return [FieldError(f"{path}.value", problem or "give a value, or answer N/A")]
    if item.evidence == "comment" and not answer.comment.strip() and item.failed(item.score(answer.value)):
        return [FieldError(f"{path}.comment", "a comment is required when this item fails")]
    return []


def missing_evidence(checklist: Checklist, answers: list[Answer], photographed: set[str]) -> list[str]:
    """Failed items whose rule wants a photo that has not been uploaded yet."""
    items = items_by_id(checklist)
    return [
        answer.item
        for answer in answers
        if not answer.na
        and answer.value is not None
        and (item := items.get(answer.item)) is not None
        and item.evidence == "photo"
        and item.failed(item.score(answer.value))
        and answer.item not in photographed
    ]


def proof_of_visit_flags(store: Store, audit: AuditSubmission, submitted_at: dt.datetime) -> list[Flag]:
    flags = []
    closed = next(((t, status) for t in (audit.started_at, audit.finished_at) if not (status := status_at(store, t)).open_now), None)
    if closed:
        at, local = closed[0], closed[1].local_time
        flags.append(Flag(code="outside_hours", detail=f"the store was closed at {local:%Y-%m-%d %H:%M} local time", at=at))
    if audit.gps and store.coordinates:
        distance = distance_m(audit.gps.lat, audit.gps.lon, store.coordinates.lat, store.coordinates.lon)
        if distance > GPS_TOLERANCE_M:
            flags.append(
                Flag(code="far_from_store", detail=f"GPS {distance:.0f} m from the store (over {GPS_TOLERANCE_M} m)", metres=round(distance))
            )
    delay = submitted_at - audit.finished_at
    if delay > LATE_AFTER:
        hours = round(delay.total_seconds() / 3600)
        flags.append(Flag(code="late_submission", detail=f"submitted {hours} h after the visit", hours=hours))
    return flags


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))
