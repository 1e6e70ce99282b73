"""Customer metrics from survey answers. Pure: lists of numbers in, figures out.

- NPS (0-10): percentage of promoters (9-10) minus percentage of detractors (0-6), from -100 to 100.
- CSAT (1-5): percentage of satisfied answers (4-5).
- CES (1-7): the mean.
Each figure comes with the count it stands on; with no answers the figure is None, never 0.
"""

from __future__ import annotations

import msgspec


class Nps(msgspec.Struct, frozen=True, kw_only=True):
    score: float | None
    promoters: int
    passives: int
    detractors: int
    count: int


class Csat(msgspec.Struct, frozen=True, kw_only=True):
    score: float | None
    satisfied: int
    count: int


class Ces(msgspec.Struct, frozen=True, kw_only=True):
    mean: float | None
    count: int


def nps(answers: list[int]) -> Nps:
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    count = len(answers)
    score = round((promoters - detractors) * 100 / count, 1) if count else None
    return Nps(score=score, promoters=promoters, passives=count - promoters - detractors, detractors=detractors, count=count)


def csat(answers: list[int]) -> Csat:
    satisfied = sum(1 for a in answers if a >= 4)
    count = len(answers)
    return Csat(score=round(satisfied * 100 / count, 1) if count else None, satisfied=satisfied, count=count)


def ces(answers: list[int]) -> Ces:
    count = len(answers)
    return Ces(mean=round(sum(answers) / count, 2) if count else None, count=count)
