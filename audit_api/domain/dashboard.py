"""The dashboard's figures, from sums the store made. Pure: counts in, figures out.

- An approved audit adds to its day: one audit, its total (when it has one), each stage's percentage
  (when it has one), and for each item answered (not N/A) whether it failed (`audit_tally`).
- A failure rate is failed / answered, as a percentage; stages and items are ranked by it, the highest
  first, then by how many failed, then by id, so a ranking reads the same every time.
- Stores are ranked by their mean audit total, the highest first.
- The complaint clock: a complaint is answered on time when it was resolved at or before its answer
  time (`respond_by`). The share on time is over the complaints whose outcome is known: those answered,
  and those still open past their answer time (late whatever happens next); one still open within its
  time counts neither way yet. The median time to answer is over those answered, in hours.
- Trends go by day; over more than `WEEKLY_AFTER_DAYS` days, by ISO week (keyed by its Monday).
- A checklist is due for its review six months after `reviewed`; the dashboard lists those due within
  `REVIEW_WARNING` of today.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from .audits import AuditSubmission
from .scoring import Score

WEEKLY_AFTER_DAYS = 92
REVIEW_WARNING = dt.timedelta(days=30)


class AuditTally(msgspec.Struct, frozen=True, kw_only=True):
    """What one approved audit adds to its store's day."""

    total: float | None
    stages: dict[str, float | None]  # stage -> its percentage (None: nothing scored in it)
    items: dict[tuple[str, str], bool]  # (stage, item) answered, not N/A -> whether it failed


def audit_tally(audit: AuditSubmission, score: Score, stage_of: Mapping[str, str]) -> AuditTally:
    """An approved audit's contribution; `stage_of` maps each item of its checklist version to its stage."""
    failed = {(f.stage, f.item) for f in score.failed}
    items = {
        (stage_of[a.item], a.item): (stage_of[a.item], a.item) in failed
        for a in audit.answers
        if not a.na and a.item in stage_of
    }
    return AuditTally(total=score.total, stages={s.stage: s.score for s in score.stages}, items=items)


def rate(failed: int, answered: int) -> float | None:
    """Failed answers as a percentage of those answered; None with none answered."""
    return round(failed * 100 / answered, 1) if answered else None


def mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None


def median_hours(durations: Iterable[dt.timedelta]) -> float | None:
    hours = [d.total_seconds() / 3600 for d in durations]
    return round(statistics.median(hours), 1) if hours else None


def bucket(day: dt.date, first: dt.date, last: dt.date) -> dt.date:
    """The day a trend point stands for: the day itself, or its ISO week's Monday over a long period."""
    if (last - first).days + 1 > WEEKLY_AFTER_DAYS:
        return day - dt.timedelta(days=day.weekday())
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it is shorter (31 August + 6 = 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(day.day, 28))


def review_due(reviewed: dt.date) -> dt.date:
    """When a checklist's 6-monthly review falls due."""
    return add_months(reviewed, 6)


class ComplaintTally(msgspec.Struct, frozen=True, kw_only=True):
    """What the complaint clock counts of the complaints received in a period (the store counts them)."""

    received: int
    answered: int  # resolved (or since closed)
    answered_on_time: int  # of them, resolved at or before their answer time
    open_now: int
    overdue_now: int  # open past their answer time
    acknowledgement_overdue_now: int  # still received (unacknowledged) past the acknowledgement time
    answer_millis: list[int]  # from received to resolved, of each answered one, in milliseconds, in ascending order


class ComplaintClock(msgspec.Struct, frozen=True, kw_only=True):
    received: int  # complaints received in the period
    answered: int  # resolved (or since closed)
    answered_on_time: int  # resolved at or before their answer time
    decided: int  # whose outcome is known: answered, or open past their answer time
    on_time_share: float | None  # answered_on_time as a percentage of those decided; null with none decided
    median_hours_to_answer: float | None  # from received to resolved, over those answered
    open_now: int
    overdue_now: int  # open past their answer time
    acknowledgement_overdue_now: int  # still unacknowledged past the acknowledgement time


def complaint_clock(tally: ComplaintTally) -> ComplaintClock:
    """The clock's figures from its counts: the share on time is over the complaints whose outcome is known
    (answered, or open past their time); the median is that of the sorted times to answer (its middle one or
    two, which have the median of all)."""
    decided = tally.answered + tally.overdue_now
    waits, middle = tally.answer_millis, len(tally.answer_millis) // 2
    medians = waits[middle - 1:middle + 1] if len(waits) % 2 == 0 else waits[middle:middle + 1]
    return ComplaintClock(
        received=tally.received, answered=tally.answered, answered_on_time=tally.answered_on_time, decided=decided,
        on_time_share=round(tally.answered_on_time * 100 / decided, 1) if decided else None,
        median_hours_to_answer=median_hours(dt.timedelta(milliseconds=ms) for ms in medians),
        open_now=tally.open_now, overdue_now=tally.overdue_now, acknowledgement_overdue_now=tally.acknowledgement_overdue_now,
    )


class StoreRank(msgspec.Struct, frozen=True, kw_only=True):
    store_id: str
    mean_score: float | None  # the mean total of its approved audits that have one, as a percentage
    audits: int  # approved audits
    scored: int  # of them, those with a total (not every item N/A)


class StageRate(msgspec.Struct, frozen=True, kw_only=True):
    checklist_id: str
    stage_id: str
    failure_rate: float | None  # failed / answered, as a percentage
    failed: int  # item answers of the stage that failed
    answered: int  # item answers of the stage, N/A left out
    mean_score: float | None  # the stage's mean percentage over the audits that scored it


class ItemRate(msgspec.Struct, frozen=True, kw_only=True):
    checklist_id: str
    stage_id: str
    item_id: str
    failure_rate: float | None
    failed: int
    answered: int


def rank_stores(rows: Iterable[Mapping[str, Any]]) -> list[StoreRank]:
    """Rows of store_id, approved, scored, total_sum: the best mean first; stores without a total last."""
    ranks = [
        StoreRank(store_id=r["store_id"], mean_score=mean(r["total_sum"], r["scored"]), audits=r["approved"], scored=r["scored"])
        for r in rows
    ]
    return sorted(ranks, key=lambda s: (s.mean_score is None, -(s.mean_score or 0.0), -s.audits, s.store_id))


def rank_stages(rows: Iterable[Mapping[str, Any]]) -> list[StageRate]:
    """Rows of checklist_id, stage_id, answered, failed, scored, score_sum: the highest failure rate first."""
    rates = [
        StageRate(
            checklist_id=r["checklist_id"], stage_id=r["stage_id"], failure_rate=rate(r["failed"], r["answered"]), failed=r["failed"],
            answered=r["answered"], mean_score=mean(r["score_sum"], r["scored"]),
        )
        for r in rows
    ]
    return sorted(rates, key=lambda s: (s.failure_rate is None, -(s.failure_rate or 0.0), -s.failed, s.checklist_id, s.stage_id))


def rank_items(rows: Iterable[Mapping[str, Any]]) -> list[ItemRate]:
    """Rows of checklist_id, stage_id, item_id, answered, failed: the highest failure rate first."""
    rates = [
        ItemRate(
            checklist_id=r["checklist_id"], stage_id=r["stage_id"], item_id=r["item_id"], failure_rate=rate(r["failed"], r["answered"]),
            failed=r["failed"], answered=r["answered"],
        )
        for r in rows
        if r["answered"]
    ]
    return sorted(rates, key=lambda s: (-(s.failure_rate or 0.0), -s.failed, s.checklist_id, s.stage_id, s.item_id))
