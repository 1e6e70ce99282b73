"""Scoring, against figures worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import msgspec
import pytest

from audit_api.book.models import Checklist
from audit_api.domain.scoring import Answer, FailedItem, StageScore, score

CHECKLIST = {
    "id": "t",
    "title": "T",
    "channel": "visit",
    "reviewed": "2026-10-01",
    "critical_cap": "zero",
    "stages": [
        {"id": "a", "title": "A", "expected_result": "-", "weight": 2, "items": [
            {"id": "a1", "kind": "yes_no", "text": "-"},
            {"id": "a2", "kind": "scale", "min": 1, "max": 5, "weight": 2, "text": "-"},
            {"id": "a3", "kind": "number", "target": 30, "rule": "at_most", "text": "-"},
        ]},
        {"id": "b", "title": "B", "expected_result": "-", "weight": 1, "items": [
            {"id": "b1", "kind": "choice", "critical": True, "text": "-", "choices": [
                {"id": "best", "label": "-", "points": 2},
                {"id": "one", "label": "-", "points": 1},
                {"id": "none", "label": "-", "points": 0},
            ]},
            {"id": "b2", "kind": "number", "target": 4, "rule": "at_least", "text": "-"},
        ]},
        {"id": "c", "title": "C (all N/A)", "expected_result": "-", "weight": 1, "items": [
            {"id": "c1", "kind": "yes_no", "na_allowed": True, "text": "-"},
            {"id": "c2", "kind": "yes_no", "na_allowed": True, "text": "-"},
        ]},
        {"id": "d", "title": "D (weight 0)", "expected_result": "-", "weight": 1, "items": [
            {"id": "d1", "kind": "yes_no", "weight": 0, "text": "-"},
        ]},
    ],
}


def checklist(**changes: object) -> Checklist:
    return msgspec.convert({**CHECKLIST, **changes}, Checklist)


def answers(b1: str = "one", **values: object) -> list[Answer]:
    given = {"a1": True, "a2": 4, "a3": 45, "b1": b1, "b2": 5, "d1": False, **values}
    result = [Answer(item=k, value=v) for k, v in given.items()]
    return result + [Answer(item="c1", na=True), Answer(item="c2", na=True)]


def test_weighted_stages_na_and_zero_weight_with_a_critical_failure() -> None:
    result = score(checklist(), answers())
    # a1 = 1; a2 = (4-1)/(5-1) = 0.75; a3 = 30/45 = 0.6667
    # stage a = (1*1 + 2*0.75 + 1*0.6667) / (1+2+1) = 3.1667/4 = 0.7917
    # b1 = 1/2 = 0.5; b2 = min(1, 5/4) = 1; stage b = (0.5 + 1)/2 = 0.75
    # stage c: all N/A, no score; stage d: its one item weighs 0, no score
    # total = (2*0.7917 + 1*0.75) / (2+1) = 2.3333/3 = 0.7778
    assert result.stages == [
        StageScore(stage="a", weight=2, score=79.17),
        StageScore(stage="b", weight=1, score=75.0),
        StageScore(stage="c", weight=1, score=None),
        StageScore(stage="d", weight=1, score=None),
    ]
    assert result.computed == 77.78
    assert result.critical_failed is True
    assert result.total == 0.0, "critical_cap zero"
    assert result.failed == [
        FailedItem(stage="a", item="a3", critical=False, score=66.67),
        FailedItem(stage="b", item="b1", critical=True, score=50.0),
        FailedItem(stage="d", item="d1", critical=False, score=0.0),
    ]


def test_keep_cap_keeps_the_computed_total() -> None:
    result = score(checklist(critical_cap="keep"), answers())
    assert result.critical_failed and result.total == result.computed == 77.78


def test_no_critical_failure() -> None:
    result = score(checklist(), answers(b1="best"))
    # stage b = (1 + 1)/2 = 1; total = (2*0.7917 + 1*1)/3 = 2.5833/3 = 0.8611
    assert result.total == 86.11 and not result.critical_failed
    assert [f.item for f in result.failed] == ["a3", "d1"]


def test_everything_not_applicable_has_no_total() -> None:
    only_na = checklist(stages=[CHECKLIST["stages"][2]])
    result = score(only_na, [Answer(item="c1", na=True), Answer(item="c2", na=True)])
    assert result.total is None and result.computed is None and result.failed == []


@pytest.mark.parametrize(
    ("value", "stage_a", "a2_failed"),
    [
        (1, 41.67, True),  # a2 = 0: (1 + 2*0 + 0.6667)/4 = 0.4167
        (2, 54.17, True),  # a2 = 0.25: (1 + 2*0.25 + 0.6667)/4 = 0.5417
        (3, 66.67, False),  # a2 = 0.5, the middle: (1 + 2*0.5 + 0.6667)/4 = 0.6667
        (5, 91.67, False),  # a2 = 1: (1 + 2*1 + 0.6667)/4 = 0.9167
    ],
)
def test_scale_scores_in_proportion_and_fails_below_the_middle(value: int, stage_a: float, a2_failed: bool) -> None:
    result = score(checklist(), answers(a2=value))
    assert result.stages[0].score == stage_a
    assert ("a2" in [f.item for f in result.failed]) is a2_failed


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 100.0), (30, 100.0), (60, 50.0), (90, 33.33)],  # at_most 30: 1 up to the target, then 30/value
)
def test_number_at_most(value: float, expected: float) -> None:
    single = checklist(stages=[{**CHECKLIST["stages"][0], "items": [CHECKLIST["stages"][0]["items"][2]]}])
    assert score(single, [Answer(item="a3", value=value)]).total == expected


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (2, 50.0), (4, 100.0), (8, 100.0)])
def test_number_at_least(value: float, expected: float) -> None:
    single = checklist(stages=[{**CHECKLIST["stages"][1], "items": [CHECKLIST["stages"][1]["items"][1]]}])
    assert score(single, [Answer(item="b2", value=value)]).total == expected
