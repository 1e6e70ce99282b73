"""Score an audit against its checklist version. Pure: a Checklist and answers in, a Score out.

The rules, in full:

1. Each answered item scores between 0 and 1:
   - yes/no: 1 if yes, 0 if no;
   - scale min..max: (value - min) / (max - min);
   - number against a target: `at_most` scores 1 at or under the target, else target / value;
     `at_least` scores min(1, value / target);
   - choice: the chosen answer's points / the best answer's points.
2. An item answered N/A leaves the denominator: it neither earns nor loses. So does an item of weight 0.
3. A stage scores the weighted mean of its items. A stage whose items are all N/A (or weigh 0) has no
   score and leaves the total's denominator.
4. The total is the weighted mean of the stage scores by stage weight, as a percentage (0-100).
   An audit with no scorable stage has no total.
5. An item *fails* when it scores below 1 (the standard was not met); a scale item fails below the
   middle of its range. A failed critical item flags the audit, and the checklist's `critical_cap`
   says what happens to the total: `zero` sets it to 0, `keep` keeps the computed figure.

Rules 1 and 5 differ by item kind, so each kind's class implements them (`score`, `failed` in
`book/items.py`); this module does the rest. Not for: checking that answers are valid (`audits.py`).
"""

from __future__ import annotations

import msgspec

from ..book.items import Value
from ..book.models import Checklist


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    value: Value | None = None
    na: bool = False
    comment: str = ""


class StageScore(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    weight: float
    score: float | None  # percentage; None when every item is N/A or weighs 0


class FailedItem(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    item: str
    critical: bool
    score: float  # percentage


class Score(msgspec.Struct, frozen=True, kw_only=True):
    total: float | None  # percentage after the critical cap
    computed: float | None  # percentage before it
    critical_failed: bool
    stages: list[StageScore]
    failed: list[FailedItem]


def score(checklist: Checklist, answers: list[Answer]) -> Score:
    """Score `answers` (one per item, validated) against `checklist`."""
    by_item = {answer.item: answer for answer in answers}
    stages, failed = [], []
    weighted: list[tuple[float, float]] = []  # (stage weight, stage fraction), unrounded
    for stage in checklist.stages:
        earned = possible = 0.0
        for item in stage.items:
            answer = by_item.get(item.id)
            if answer is None or answer.na or answer.value is None:  # N/A (a validated answer has a value)
                continue
            value = item.score(answer.value)
            if item.failed(value):
                failed.append(FailedItem(stage=stage.id, item=item.id, critical=item.critical, score=_pct(value)))
            earned += item.weight * value
            possible += item.weight
        fraction = earned / possible if possible else None
        stages.append(StageScore(stage=stage.id, weight=stage.weight, score=None if fraction is None else _pct(fraction)))
        if fraction is not None and stage.weight > 0:
            weighted.append((stage.weight, fraction))
    weight = sum(w for w, _ in weighted)
    computed = _pct(sum(w * f for w, f in weighted) / weight) if weight else None
    critical_failed = any(f.critical for f in failed)
    total = 0.0 if critical_failed and checklist.critical_cap == "zero" and computed is not None else computed
    return Score(total=total, computed=computed, critical_failed=critical_failed, stages=stages, failed=failed)


def _pct(fraction: float) -> float:
    return round(fraction * 100, 2)
