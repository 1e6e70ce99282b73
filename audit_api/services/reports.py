"""The dashboard: a period's audit, survey and complaint figures over the stores a reader chooses.

Who reads which stores is `access.report_stores` (managers their stores, admins all; narrowed to a
store, a city or a country). A reader of the whole chain reads the roll-ups' chain-wide rows, anyone
else their stores' rows (`store/rollups.py`); complaints come from their table through an index by
store and store-local day. The period is in store-local days, 30 days ending today unless given
("today": the latest date any store of the book has reached, so every store's today is in).
Trends go by day, or by ISO week over a long period (`domain/dashboard.py`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec
import sqlite_utils

from ..book.models import Book
from ..book.questions import DIMENSIONS, Dimension
from ..domain import dashboard as figures
from ..domain.dashboard import ComplaintClock, ItemRate, StageRate, StoreRank
from ..domain.metrics import SCALES, Ces, Csat, DimensionMean, Nps, ces, csat, dimension_mean, nps
from ..store import Database, rollups
from ..store import reports as tables
from ..store.accounts import User
from ..store.reports import ActionCounts
from ..store.scope import EVERYTHING, Scope
from . import access

DEFAULT_DAYS = 30


class AuditPoint(msgspec.Struct, frozen=True, kw_only=True):
    day: dt.date  # the day, or the Monday of the ISO week with `trend_by: week`
    mean_score: float | None  # the mean total of the approved audits that have one
    audits: int


class Audits(msgspec.Struct, frozen=True, kw_only=True):
    audits: int  # approved audits of visits in the period
    mean_score: float | None
    trend: list[AuditPoint]  # only days (weeks) with audits
    stores: list[StoreRank]  # the best mean first
    stages: list[StageRate]  # the highest failure rate first
    items: list[ItemRate]  # the highest failure rate first; only items answered in the period


class SurveyPoint(msgspec.Struct, frozen=True, kw_only=True):
    day: dt.date
    responses: int
    nps: Nps
    csat: Csat
    ces: Ces


class DimensionPoint(msgspec.Struct, frozen=True, kw_only=True):
    day: dt.date
    mean: float | None
    count: int


class DimensionTrend(DimensionMean, frozen=True, kw_only=True):
    trend: list[DimensionPoint]  # only days (weeks) with answers


class Survey(msgspec.Struct, frozen=True, kw_only=True):
    responses: int  # answers that count
    suspect: int  # answers left out
    nps: Nps
    csat: Csat
    ces: Ces
    dimensions: dict[Dimension, DimensionTrend]
    trend: list[SurveyPoint]  # only days (weeks) with answers


class ReviewDue(msgspec.Struct, frozen=True, kw_only=True):
    checklist_id: str
    reviewed: dt.date
    due: dt.date  # six months after `reviewed`


class Dashboard(msgspec.Struct, frozen=True, kw_only=True):
    first_day: dt.date
    last_day: dt.date
    trend_by: Literal["day", "week"]
    audits: Audits
    survey: Survey
    complaints: ComplaintClock
    actions: ActionCounts  # corrective actions of the stores open now, and how many are overdue (any period)
    checklists_due: list[ReviewDue]  # due for their review by 30 days from today, soonest first


def today(book: Book, now: dt.datetime) -> dt.date:
    """The latest date any of the book's stores has reached at `now`."""
    return max((now.astimezone(ZoneInfo(s.timezone)).date() for s in book.stores), default=now.date())


def dashboard(
    database: Database, book: Book, user: User, now: dt.datetime, *, first: dt.date | None = None, last: dt.date | None = None,
    store: str | None = None, city: str | None = None, country: str | None = None,
) -> Dashboard:
    """The figures over the store-local days [first, last] (default: the 30 days ending today)."""
    last = last or (first + dt.timedelta(days=DEFAULT_DAYS - 1) if first else today(book, now))
    first = first or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    scope = access.report_stores(user, book, store=store, city=city, country=country)
    db = database.read()
    weekly = _weekly(first, last)
    return Dashboard(
        first_day=first, last_day=last, trend_by="week" if weekly else "day",
        audits=_audits(db, scope, first, last),
        survey=_survey(db, scope, first, last),
        complaints=figures.complaint_clock(tables.complaint_tally(db, scope, first, last, now.astimezone(dt.UTC).isoformat())),
        actions=tables.open_actions(db, scope, now.isoformat()),
        checklists_due=_checklists_due(book, today(book, now)),
    )


def _weekly(first: dt.date, last: dt.date) -> bool:
    """Whether the trends go by ISO week (`domain.dashboard.bucket`): then the roll-ups are summed by week in SQLite."""
    return (last - first).days + 1 > figures.WEEKLY_AFTER_DAYS


def _by_bucket(rows: Iterable[Mapping[str, Any]], first: dt.date, last: dt.date, *keys: str) -> dict[tuple[Any, ...], Counter[str]]:
    """Rows with a `day`, added up per trend point (and `keys`), in order."""
    sums: defaultdict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for row in rows:
        point = figures.bucket(dt.date.fromisoformat(row["day"]), first, last)
        sums[(point, *(row[k] for k in keys))].update({k: v for k, v in row.items() if isinstance(v, int | float) and k not in keys})
    return dict(sorted(sums.items()))


def _audits(db: sqlite_utils.Database, scope: Scope, first: dt.date, last: dt.date) -> Audits:
    chain = scope == EVERYTHING
    period: dict[str, Any] = {"first": first, "last": last}
    stores = rollups.audit_sums(db, scope, chain=False, by_store=True, **period)
    whole = rollups.audit_sums(db, scope, chain=True, **period) if chain else stores
    approved = sum(r["approved"] for r in whole)
    # Per store and day (read in the index's order), added up per day or week.
    days = _by_bucket(rollups.audit_sums(db, scope, chain=chain, by_store=not chain, by_day=True, by_week=_weekly(first, last), **period), first, last)
    return Audits(
        audits=approved,
        mean_score=figures.mean(sum(r["total_sum"] for r in whole), sum(r["scored"] for r in whole)),
        trend=[
            AuditPoint(day=point, mean_score=figures.mean(sums["total_sum"], sums["scored"]), audits=sums["approved"])
            for (point,), sums in days.items()
        ],
        stores=figures.rank_stores(stores),
        stages=figures.rank_stages(rollups.stage_sums(db, scope, chain=chain, **period)),
        items=figures.rank_items(rollups.item_sums(db, scope, chain=chain, **period)),
    )


_SCORE_COLUMNS = [(column, v, f"{column}_{v}") for column, (low, high) in SCALES.items() for v in range(low, high + 1)]


def _tallies(rows: Iterable[Mapping[str, Any]]) -> tuple[int, int, dict[str, Counter[int]]]:
    """The rows' counted and suspect answers and each score's tally, each column summed once over the rows
    (a Counter updated row by row took most of a city's dashboard)."""
    rows = list(rows)
    scores: dict[str, Counter[int]] = {column: Counter() for column in SCALES}
    for column, value, name in _SCORE_COLUMNS:
        if n := sum(row[name] for row in rows):
            scores[column][value] = n
    return sum(row["counted"] for row in rows), sum(row["suspect"] for row in rows), scores


def _scales(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[tuple[int, int], tuple[int, int]]]:
    sums: dict[str, dict[tuple[int, int], tuple[int, int]]] = {d: {} for d in DIMENSIONS}
    for row in rows:
        if row["dimension"] in sums:  # a dimension the product no longer knows stays out
            scale, known = (row["scale_min"], row["scale_max"]), sums[row["dimension"]]
            n, total = known.get(scale, (0, 0))
            known[scale] = (n + row["n"], total + row["total"])
    return sums


def _survey(db: sqlite_utils.Database, scope: Scope, first: dt.date, last: dt.date) -> Survey:
    chain = scope == EVERYTHING
    period: dict[str, Any] = {"touchpoint_id": None, "first": first, "last": last}
    counted, suspect, scores = _tallies(rollups.survey_counts(db, scope, chain=chain, **period))
    dimensions = _scales(rollups.dimension_sums(db, scope, chain=chain, **period))
    trend = []
    days: defaultdict[dt.date, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rollups.survey_counts(db, scope, chain=chain, by_store=not chain, by_day=True, by_week=_weekly(first, last), **period):
        days[figures.bucket(dt.date.fromisoformat(row["day"]), first, last)].append(row)
    for point, rows in sorted(days.items()):
        n, _, tallies = _tallies(rows)
        if n:
            trend.append(SurveyPoint(day=point, responses=n, nps=nps(tallies["nps"]), csat=csat(tallies["csat"]), ces=ces(tallies["ces"])))
    per_day: defaultdict[dt.date, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rollups.dimension_sums(db, scope, chain=chain, by_store=not chain, by_day=True, by_week=_weekly(first, last), **period):
        per_day[figures.bucket(dt.date.fromisoformat(row["day"]), first, last)].append(row)
    day_scales = {point: _scales(rows) for point, rows in sorted(per_day.items())}
    return Survey(
        responses=counted, suspect=suspect, nps=nps(scores["nps"]), csat=csat(scores["csat"]), ces=ces(scores["ces"]),
        dimensions={
            d: DimensionTrend(
                **msgspec.structs.asdict(dimension_mean(dimensions[d])),
                trend=[
                    DimensionPoint(day=point, mean=m.mean, count=m.count)
                    for point, scales in day_scales.items()
                    if (m := dimension_mean(scales[d])).count
                ],
            )
            for d in DIMENSIONS
        },
        trend=trend,
    )


def _checklists_due(book: Book, today: dt.date) -> list[ReviewDue]:
    due = [ReviewDue(checklist_id=c.id, reviewed=c.reviewed, due=figures.review_due(c.reviewed)) for c in book.checklists]
    return sorted((d for d in due if d.due <= today + figures.REVIEW_WARNING), key=lambda d: (d.due, d.checklist_id))
